/**
 * Throughput against the floor: a minimal discord.js bot that answers a mention with a
 * fixed text (bench/floor-bot.mjs), and Masque with a zero-latency fake model, each in
 * its own process, both driven the same way (100 channels, closed loop, short replies).
 */
import { buildBot, closedLoop, startBot, startFakes, table } from "./harness.js";

const CHANNELS = 100;
const WARMUP_REPLIES = 300;
const MEASURED_REPLIES = 3_000;
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

export async function run() {
  buildBot();
  const rows: Record<string, { rate: number; calls: number; cpu: number }> = {};
  for (const kind of ["floor", "masque"] as const) {
    const fakes = await startFakes({ channels: CHANNELS });
    fakes.model.setDefault({ text: SHORT_REPLY });
    const bot = await startBot(kind, fakes, kind === "masque" ? MASQUE_ENV : {});
    try {
      await closedLoop(fakes, bot, fakes.channels, WARMUP_REPLIES);
      const loop = await closedLoop(fakes, bot, fakes.channels, MEASURED_REPLIES);
      rows[kind] = { rate: loop.replies / loop.seconds, calls: loop.restCalls / loop.replies, cpu: loop.cpuMs / loop.replies };
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
    ],
  );
  lines.push(`targets: ≤ ${TARGET_REST_CALLS} REST calls per short reply, CPU ≤ ${TARGET_CPU_RATIO}× floor, replies/s ≥ ${TARGET_RATE_RATIO}× floor`);
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
    targetsMet: masque.calls <= TARGET_REST_CALLS && ratios.cpu <= TARGET_CPU_RATIO && ratios.rate >= TARGET_RATE_RATIO,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const result = await run();
  for (const line of result.lines) console.log(line);
}
