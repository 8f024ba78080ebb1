/**
 * Added latency with 1,000,000 stored turns: Masque (its own process, started as
 * `npm start` starts it) on a copy of the memory benchmark's million-turn database,
 * answering one mention at a time in its 1,000 channels. Two legs are timed, both on
 * this process's clock (the fakes run here):
 * - in: the fake Discord sends the gateway frame of a mention → the fake model has the
 *   chat request;
 * - out: the fake model writes the reply's last chunk → the fake Discord gets the
 *   request that posts the reply.
 * The model answers at once, so everything in between is Masque, discord.js and the SDK.
 *
 * The floor bot (bench/floor-bot.mjs) runs beside it, with fakes of its own, sending the
 * model a prompt Masque sent: discord.js and the SDK with nothing of Masque. Each tick
 * posts one mention to the floor and, half a tick later, one to Masque, so both are timed
 * in the same seconds of the same run, and the difference between them is Masque's own
 * work.
 */
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import type { RecordedRequest } from "../test/fakes/openai-server.js";
import type { RestCall } from "../test/fakes/discord-server.js";
import { type BotProcess, buildBot, type Fakes, startBot, startFakes, table } from "./harness.js";
import { CONVERSATIONS, channelIdOf, GUILD_ID, millionTurnHistory, TOTAL_TURNS } from "./history.js";
import { type BenchmarkResult, percentile, type Target } from "./types.js";

const WARMUP_MESSAGES = 200;
/**
 * One mention every this many ms (40 a second) at most: under the 50 requests a second
 * Discord allows a bot, which discord.js enforces by holding the 51st request of a second
 * back until the next one. Faster, every 50th reply would wait out that limit, which is
 * Discord's rate, not latency Masque adds.
 */
const MESSAGE_INTERVAL_MS = 25;
const MEASURED_MESSAGES = 2_000;
/** How much Masque may add to the floor's time on each leg, in ms, at the p50 and the p99. */
const TARGET_EXTRA_MS = { in: { p50: 1.5, p99: 3 }, out: { p50: 0.5, p99: 2 } } as const;
const SHORT_REPLY = "Sure thing.";
/** One message that gets no reply this long is a failure, not a hang. */
const REPLY_TIMEOUT_MS = 10_000;
/** A person writes here; a new one for every message, as the bot rate-limits people. */
const AUTHOR_BASE = 330_000_000_000_000_000n;

export interface Sample {
  readonly inMs: number;
  readonly outMs: number;
}

/** Both bots' samples from one run, in the same order (the floor's mention of a tick first). */
export interface LatencyRun {
  readonly masque: Sample[];
  readonly floor: Sample[];
}

/** Posts one mention and waits for the reply; returns both legs, and the prompt the model was sent. */
async function oneMessage(
  fakes: Fakes,
  channelId: string,
  n: number,
  words: readonly string[],
): Promise<{ sample: Sample; prompt: unknown }> {
  const { discord, model } = fakes;
  const replied = new Promise<RestCall>((resolve, reject) => {
    const timer = setTimeout(() => {
      unsubscribe();
      reject(new Error(`No reply in channel ${channelId} within ${REPLY_TIMEOUT_MS} ms.`));
    }, REPLY_TIMEOUT_MS);
    const unsubscribe = discord.onCall((call) => {
      if (call.method !== "POST" || call.path !== `/channels/${channelId}/messages` || call.status !== 200) return;
      clearTimeout(timer);
      unsubscribe();
      resolve(call);
    });
  });
  // The summarizer's requests are not streamed; the reply's is.
  const isReplyRequest = (r: RecordedRequest) => r.path.endsWith("/chat/completions") && r.body?.stream === true;
  const author = { id: String(AUTHOR_BASE + BigInt(n)), username: `reader${n}` };
  // Words the history holds, so recall finds older turns as it would in a real conversation.
  const word = (k: number) => words[(n * 7 + k * 13) % words.length];
  discord.postMessage({
    channelId,
    author,
    content: `do you remember what we said about ${word(1)} and ${word(2)}, and the ${word(3)}?`,
    mentionBot: true,
  });
  // postMessage returns once the fake has written the frame to the bot's socket: the leg starts there.
  const sentAt = performance.now();
  const reply = await replied;
  const request = model.requests.findLast(isReplyRequest);
  if (!request?.lastChunkAt) throw new Error(`The reply in channel ${channelId} had no streamed model request.`);
  // Keep the recorded requests (prompts of ~6,000 tokens) from piling up in this process.
  model.requests.length = 0;
  return {
    sample: { inMs: request.receivedAt - sentAt, outMs: reply.at - request.lastChunkAt },
    prompt: request.body?.messages,
  };
}

/** `count` mentions to one bot, at most one per MESSAGE_INTERVAL_MS; returns the last prompt its model was sent. */
async function warmUp(fakes: Fakes, count: number, words: readonly string[]): Promise<unknown> {
  let prompt: unknown;
  for (let n = 0; n < count; n++) {
    const due = performance.now() + MESSAGE_INTERVAL_MS;
    ({ prompt } = await oneMessage(fakes, fakes.channels[n % fakes.channels.length]!, n, words));
    await sleep(due - performance.now());
  }
  return prompt;
}

/**
 * Starts Masque on a copy of `databaseFile`, warms it up, then starts the floor bot with
 * the prompt Masque sent last, warms that up, and times `messages` mentions to each, the
 * floor's and Masque's taking turns half a tick apart. `nodeArgs` go to Masque's node
 * (`--cpu-prof` to see where the time goes).
 */
export async function measureLatency(
  databaseFile: string,
  words: readonly string[],
  messages: number,
  nodeArgs: readonly string[] = [],
): Promise<LatencyRun> {
  buildBot();
  const dir = mkdtempSync(path.join(tmpdir(), "masque-bench-latency-"));
  const database = path.join(dir, "masque.db");
  copyFileSync(databaseFile, database);
  const fakes = { masque: await startFakes(channelLayout()), floor: await startFakes(channelLayout()) };
  fakes.masque.model.setDefault({ text: SHORT_REPLY });
  fakes.floor.model.setDefault({ text: SHORT_REPLY });
  const bots: BotProcess[] = [];
  const samples: LatencyRun = { masque: [], floor: [] };
  try {
    bots.push(await startBot("masque", fakes.masque, { DATABASE_PATH: database }, nodeArgs));
    const promptFile = path.join(dir, "prompt.json");
    writeFileSync(promptFile, JSON.stringify(await warmUp(fakes.masque, WARMUP_MESSAGES, words)));
    bots.push(await startBot("floor", fakes.floor, { FLOOR_PROMPT_FILE: promptFile }));
    await warmUp(fakes.floor, WARMUP_MESSAGES, words);
    // Half a tick apart: each bot's mention comes as long after the other's as before it,
    // so neither is timed while the other is still busy with its last reply.
    for (let n = WARMUP_MESSAGES; n < WARMUP_MESSAGES + messages; n++) {
      const tickStart = performance.now();
      const channelIndex = n % CONVERSATIONS;
      samples.floor.push((await oneMessage(fakes.floor, fakes.floor.channels[channelIndex]!, n, words)).sample);
      await sleep(tickStart + MESSAGE_INTERVAL_MS / 2 - performance.now());
      samples.masque.push((await oneMessage(fakes.masque, fakes.masque.channels[channelIndex]!, n, words)).sample);
      await sleep(tickStart + MESSAGE_INTERVAL_MS - performance.now());
    }
  } finally {
    for (const bot of bots) await bot.stop();
    await fakes.masque.close();
    await fakes.floor.close();
    rmSync(dir, { recursive: true, force: true });
  }
  return samples;
}

/** The million-turn history's server and channels, so the bot finds its stored conversations. */
function channelLayout() {
  return { channels: CONVERSATIONS, guildId: GUILD_ID, channelId: channelIdOf };
}

/** A leg's p50, p99 and max over its samples. */
function legStats(values: number[]) {
  const ms = values.sort((a, b) => a - b);
  return { p50: percentile(ms, 0.5), p99: percentile(ms, 0.99), max: ms.at(-1)! };
}

export async function run(): Promise<BenchmarkResult> {
  const history = millionTurnHistory();
  const measured = await measureLatency(history.file, history.words, MEASURED_MESSAGES);
  const legs = {
    in: legStats(measured.masque.map((s) => s.inMs)),
    out: legStats(measured.masque.map((s) => s.outMs)),
    floorIn: legStats(measured.floor.map((s) => s.inMs)),
    floorOut: legStats(measured.floor.map((s) => s.outMs)),
  };
  // bench/results.json keys: inP50Ms, inP99Ms, inMaxMs, ..., floorOutMaxMs.
  const figures = Object.fromEntries(
    Object.entries(legs).flatMap(([leg, stats]) => [
      [`${leg}P50Ms`, stats.p50],
      [`${leg}P99Ms`, stats.p99],
      [`${leg}MaxMs`, stats.max],
    ]),
  );
  const above = (leg: "in" | "out", at: "p50" | "p99"): Target => {
    const [masque, floor] = leg === "in" ? [legs.in, legs.floorIn] : [legs.out, legs.floorOut];
    const extra = masque[at] - floor[at];
    const what = `${leg === "in" ? "gateway frame → model request" : "last model chunk → reply at Discord"}, ${at} above the floor's`;
    const figure = `${extra >= 0 ? "+" : ""}${extra.toFixed(2)} ms (${masque[at].toFixed(2)} vs ${floor[at].toFixed(2)})`;
    return { what, figure, bound: `≤ +${TARGET_EXTRA_MS[leg][at]} ms`, met: extra <= TARGET_EXTRA_MS[leg][at] };
  };
  const targets = [above("in", "p50"), above("in", "p99"), above("out", "p50"), above("out", "p99")];
  const lines = [
    `${MEASURED_MESSAGES.toLocaleString("en-US")} mentions, one at a time and at most ${1000 / MESSAGE_INTERVAL_MS} a second, over ${CONVERSATIONS.toLocaleString("en-US")} channels; ${TOTAL_TURNS.toLocaleString("en-US")} stored turns; zero-latency model, short replies.`,
    "The floor is discord.js and the openai SDK alone (bench/floor-bot.mjs; the SDK with the fetch Masque gives it), sending the model a prompt Masque sent, timed in turn with Masque in the same run.",
    "",
    ...table(
      ["leg", "bot", "p50 ms", "p99 ms", "max ms"],
      [
        ["gateway frame → model request", "Masque", legs.in.p50, legs.in.p99, legs.in.max],
        ["", "floor", legs.floorIn.p50, legs.floorIn.p99, legs.floorIn.max],
        ["last model chunk → reply at Discord", "Masque", legs.out.p50, legs.out.p99, legs.out.max],
        ["", "floor", legs.floorOut.p50, legs.floorOut.p99, legs.floorOut.max],
      ],
    ),
    "",
    ...targets.map((t) => `Target: ${t.what} ${t.bound}: ${t.figure}, ${t.met ? "met" : "missed"}.`),
  ];
  return { lines, figures, targets };
}
