/**
 * Throughput against the floor: a minimal discord.js bot that answers a mention with a
 * fixed text (bench/floor-bot.mjs), and Masque with a zero-latency fake model, each in
 * its own process, both driven the same way (100 channels, closed loop, short replies).
 */
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { buildBot, closedLoop, type Fakes, startBot, startFakes, table } from "./harness.js";

const CHANNELS = 100;
const WARMUP_REPLIES = 200;
const MEASURED_REPLIES = 2_000;
const MODEL_CALL_SCRIPT = path.join(import.meta.dirname, "model-call.mjs");
const TARGET_REST_CALLS = 2;
const TARGET_CPU_RATIO = 1.5;
const TARGET_RATE_RATIO = 0.8;
const SHORT_REPLY = "Sure thing.";
/**
 * Room for every channel's message at once, as the operator of a bot this busy would set
 * it. With the defaults (4 writing, 20 waiting) most of the 100 would get a "busy" notice,
 * and the benchmark would time notices instead of replies.
 */
const MASQUE_ENV = { LLM_MAX_CONCURRENCY: String(CHANNELS), LLM_QUEUE_LIMIT: String(CHANNELS) };

/**
 * CPU per call of Masque's model client alone (bench/model-call.mjs, its own process),
 * streaming the prompt Masque last sent: the part of Masque's cost the floor has no
 * counterpart for.
 */
async function modelCallCpuMs(fakes: Fakes): Promise<number> {
  const dir = mkdtempSync(path.join(tmpdir(), "masque-bench-model-call-"));
  try {
    const messagesFile = path.join(dir, "messages.json");
    writeFileSync(messagesFile, JSON.stringify(fakes.model.chatRequests().at(-1)?.body?.messages ?? []));
    const { stdout } = await promisify(execFile)(process.execPath, [MODEL_CALL_SCRIPT, fakes.model.baseURL, messagesFile, String(MEASURED_REPLIES)]);
    return (JSON.parse(stdout) as { cpuMsPerCall: number }).cpuMsPerCall;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function run() {
  buildBot();
  const rows: Record<string, { rate: number; calls: number; cpu: number }> = {};
  let modelCallCpu = Number.NaN;
  for (const kind of ["floor", "masque"] as const) {
    const fakes = await startFakes({ channels: CHANNELS });
    fakes.model.setDefault({ text: SHORT_REPLY });
    const bot = await startBot(kind, fakes, kind === "masque" ? MASQUE_ENV : {});
    try {
      await closedLoop(fakes, bot, fakes.channels, WARMUP_REPLIES);
      const loop = await closedLoop(fakes, bot, fakes.channels, MEASURED_REPLIES);
      rows[kind] = { rate: loop.replies / loop.seconds, calls: loop.restCalls / loop.replies, cpu: loop.cpuMs / loop.replies };
      if (kind === "masque") modelCallCpu = await modelCallCpuMs(fakes);
    } finally {
      await bot.stop();
      await fakes.close();
    }
  }
  const floor = rows.floor!;
  const masque = rows.masque!;
  const ratios = { rate: masque.rate / floor.rate, cpu: masque.cpu / floor.cpu };
  const lines = table(
    ["", "replies/s", "REST calls/reply", "CPU ms/reply"],
    [
      ["floor (discord.js only)", floor.rate, floor.calls, floor.cpu],
      ["Masque", masque.rate, masque.calls, masque.cpu],
      ["Masque / floor", ratios.rate, masque.calls / floor.calls, ratios.cpu],
      ["of Masque's CPU: the model call alone", "", "", modelCallCpu],
      ["Masque without its model call / floor", "", "", (masque.cpu - modelCallCpu) / floor.cpu],
    ],
  );
  const targetsMet = masque.calls <= TARGET_REST_CALLS && ratios.cpu <= TARGET_CPU_RATIO && ratios.rate >= TARGET_RATE_RATIO;
  lines.unshift(
    `Closed loop over ${CHANNELS} channels, ${MEASURED_REPLIES.toLocaleString("en-US")} replies per bot after ${WARMUP_REPLIES} warm-up; zero-latency model, short replies; Masque with LLM_MAX_CONCURRENCY=${CHANNELS}, LLM_QUEUE_LIMIT=${CHANNELS}. CPU is the bot process's (user + system, from /proc).`,
    "",
  );
  lines.push("", `Targets: ≤ ${TARGET_REST_CALLS} REST calls per short reply, CPU ≤ ${TARGET_CPU_RATIO}× floor, replies/s ≥ ${TARGET_RATE_RATIO}× floor: ${targetsMet ? "met" : "MISSED"}.`);
  return {
    lines,
    figures: {
      floorRepliesPerSecond: floor.rate,
      floorRestCallsPerReply: floor.calls,
      floorCpuMsPerReply: floor.cpu,
      repliesPerSecond: masque.rate,
      restCallsPerReply: masque.calls,
      cpuMsPerReply: masque.cpu,
      rateRatio: ratios.rate,
      cpuRatio: ratios.cpu,
      modelCallCpuMs: modelCallCpu,
    },
    targetsMet,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const result = await run();
  for (const line of result.lines) console.log(line);
}
