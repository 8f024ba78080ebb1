/**
 * Throughput against the floor: a minimal discord.js bot that answers a mention by
 * streaming the same prompt from the model through the openai SDK (bench/floor-bot.mjs,
 * given the prompt Masque sent last), and Masque, each in its own process with a
 * zero-latency fake model, both driven the same way (100 channels, closed loop, short
 * replies). Everything Masque does beyond the floor (memory, personas, moderation) is the
 * difference.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { buildBot, closedLoop, startBot, startFakes, table } from "./harness.js";
import type { BenchmarkResult } from "./types.js";

const CHANNELS = 100;
const WARMUP_REPLIES = 200;
const MEASURED_REPLIES = 2_000;
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

interface Row {
  readonly rate: number;
  readonly calls: number;
  readonly cpu: number;
}

/** One bot's closed loop: warm-up, then the measured replies; returns the row and the last prompt its model was sent. */
async function measure(kind: "masque" | "floor", env: Record<string, string>): Promise<{ row: Row; prompt: unknown }> {
  const fakes = await startFakes({ channels: CHANNELS });
  fakes.model.setDefault({ text: SHORT_REPLY });
  const bot = await startBot(kind, fakes, env);
  try {
    await closedLoop(fakes, bot, fakes.channels, WARMUP_REPLIES);
    const loop = await closedLoop(fakes, bot, fakes.channels, MEASURED_REPLIES);
    const row = {
      rate: loop.replies / loop.seconds,
      calls: loop.restCalls / loop.replies,
      cpu: loop.cpuMs / loop.replies,
    };
    return { row, prompt: fakes.model.chatRequests().at(-1)?.body?.messages ?? [] };
  } finally {
    await bot.stop();
    await fakes.close();
  }
}

export async function run(): Promise<BenchmarkResult> {
  buildBot();
  const dir = mkdtempSync(path.join(tmpdir(), "masque-bench-throughput-"));
  let masque: Row;
  let floor: Row;
  try {
    const measured = await measure("masque", MASQUE_ENV);
    masque = measured.row;
    const promptFile = path.join(dir, "prompt.json");
    writeFileSync(promptFile, JSON.stringify(measured.prompt));
    floor = (await measure("floor", { FLOOR_PROMPT_FILE: promptFile })).row;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const ratios = { rate: masque.rate / floor.rate, cpu: masque.cpu / floor.cpu };
  const lines = [
    `Closed loop over ${CHANNELS} channels, ${MEASURED_REPLIES.toLocaleString("en-US")} replies per bot after ${WARMUP_REPLIES} warm-up; zero-latency model, short replies; Masque with LLM_MAX_CONCURRENCY=${CHANNELS}, LLM_QUEUE_LIMIT=${CHANNELS}. The floor makes the same model call with the prompt Masque sent last (bench/floor-bot.mjs). CPU is the bot process's (user + system, from /proc).`,
    "",
    ...table(
      ["", "replies/s", "REST calls/reply", "CPU ms/reply"],
      [
        ["floor (discord.js + the openai SDK)", floor.rate, floor.calls, floor.cpu],
        ["Masque", masque.rate, masque.calls, masque.cpu],
        ["Masque / floor", ratios.rate, masque.calls / floor.calls, ratios.cpu],
      ],
    ),
  ];
  const targets = [
    {
      what: "REST calls per short reply",
      figure: masque.calls.toFixed(2),
      bound: `≤ ${TARGET_REST_CALLS}`,
      met: masque.calls <= TARGET_REST_CALLS,
    },
    {
      what: "CPU per reply / the floor's",
      figure: `${ratios.cpu.toFixed(2)}× (${masque.cpu.toFixed(2)} vs ${floor.cpu.toFixed(2)} ms)`,
      bound: `≤ ${TARGET_CPU_RATIO}×`,
      met: ratios.cpu <= TARGET_CPU_RATIO,
    },
    {
      what: "replies/s / the floor's",
      figure: `${ratios.rate.toFixed(2)}× (${masque.rate.toFixed(1)} vs ${floor.rate.toFixed(1)})`,
      bound: `≥ ${TARGET_RATE_RATIO}×`,
      met: ratios.rate >= TARGET_RATE_RATIO,
    },
  ];
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
    },
    targets,
  };
}
