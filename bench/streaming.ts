/**
 * Streaming etiquette: 50 channels each get a reply that streams for 30 seconds, all at
 * once, from a fake Discord that enforces Discord-like limits: per channel, 5 new
 * messages, 5 edits and 5 typing calls per 5 s, and 50 requests a second in all. Counts
 * the 429s Masque ran into and, per channel, the delay from the model's last token to
 * the request that put the whole text on Discord.
 */
import type { RecordedRequest } from "../test/fakes/openai-server.js";
import type { RateLimitOptions, RestCall } from "../test/fakes/discord-server.js";
import { buildBot, startBot, startFakes, table } from "./harness.js";
import { type BenchmarkResult, msFigure, percentile } from "./types.js";

const CHANNELS = 50;
const STREAM_SECONDS = 30;
const CHUNK_INTERVAL_MS = 100;
const CHUNKS = (STREAM_SECONDS * 1000) / CHUNK_INTERVAL_MS;
const CHANNEL_BUCKET = { limit: 5, windowMs: 5_000 };
const GLOBAL_PER_SECOND = 50;
const RATE_LIMITS: RateLimitOptions = {
  buckets: [
    { method: "POST", route: /^\/channels\/\d+\/messages$/, ...CHANNEL_BUCKET },
    { method: "PATCH", route: /^\/channels\/\d+\/messages\/\d+$/, ...CHANNEL_BUCKET },
    { method: "POST", route: /^\/channels\/\d+\/typing$/, ...CHANNEL_BUCKET },
  ],
  globalPerSecond: GLOBAL_PER_SECOND,
};
const TARGET_429S = 0;
const TARGET_FINAL_DELAY_MS = 1_500;
/** Every channel's final text must be up by then, or the run failed. */
const FINISH_TIMEOUT_MS = (STREAM_SECONDS + 60) * 1000;
/** Room for every channel's reply at once, as the operator of a bot this busy would set it. */
const MASQUE_ENV = { LLM_MAX_CONCURRENCY: String(CHANNELS), LLM_QUEUE_LIMIT: String(CHANNELS) };
const AUTHOR_BASE = 350_000_000_000_000_000n;
const ONE_SECOND_MS = 1000;

/** The reply for channel `index`: about 1,200 characters, so it stays one Discord message. */
function chunksFor(index: number): string[] {
  return [`Story for channel ${index}:`, ...Array.from({ length: CHUNKS - 1 }, (_, k) => ` w${k % 100}`)];
}

/** The most requests the fake Discord answered in any one-second window. */
function peakPerSecond(calls: readonly RestCall[]): number {
  let peak = 0;
  let start = 0;
  for (let end = 0; end < calls.length; end++) {
    while (calls[end]!.at - calls[start]!.at >= ONE_SECOND_MS) start++;
    peak = Math.max(peak, end - start + 1);
  }
  return peak;
}

export async function run(): Promise<BenchmarkResult> {
  buildBot();
  const fakes = await startFakes({ channels: CHANNELS, rateLimits: RATE_LIMITS });
  const { discord, model } = fakes;
  const requests = new Map<number, RecordedRequest>();
  model.setDefault((request) => {
    const index = Number(/stream (\d+)/.exec(JSON.stringify(request.body?.messages?.at(-1) ?? ""))?.[1]);
    requests.set(index, request);
    return { chunks: chunksFor(index), chunkDelayMs: CHUNK_INTERVAL_MS };
  });
  const bot = await startBot("masque", fakes, MASQUE_ENV);
  const finalAt = new Map<string, number>();
  const expected = new Map(fakes.channels.map((id, index) => [id, chunksFor(index).join("")]));
  const callsBefore = discord.calls.length;
  let started = 0;
  try {
    const allFinal = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(new Error(`Only ${finalAt.size} of ${CHANNELS} final texts arrived.\n${bot.output().slice(-2000)}`)),
        FINISH_TIMEOUT_MS,
      );
      const unsubscribe = discord.onCall((call) => {
        const channelId = /^\/channels\/(\d+)\/messages/.exec(call.path)?.[1];
        if (!channelId || call.status !== 200 || call.body?.content !== expected.get(channelId)) return;
        finalAt.set(channelId, call.at);
        if (finalAt.size < CHANNELS) return;
        clearTimeout(timer);
        unsubscribe();
        resolve();
      });
    });
    started = performance.now();
    fakes.channels.forEach((channelId, index) => {
      const author = { id: String(AUTHOR_BASE + BigInt(index)), username: `listener${index}` };
      discord.postMessage({ channelId, author, content: `tell me a long story (stream ${index})`, mentionBot: true });
    });
    await allFinal;
  } finally {
    await bot.stop();
    await fakes.close();
  }
  const seconds = (performance.now() - started) / 1000;
  const calls = discord.calls.slice(callsBefore).filter((c) => !c.path.startsWith("/gateway"));
  const delays = fakes.channels
    .map((channelId, index) => {
      const lastChunkAt = requests.get(index)?.lastChunkAt;
      if (lastChunkAt === undefined) throw new Error(`Channel ${index} got no streamed reply.`);
      return finalAt.get(channelId)! - lastChunkAt;
    })
    .sort((a, b) => a - b);
  const count = (method: string, route: RegExp) =>
    calls.filter((c) => c.method === method && route.test(c.path) && c.status < 300).length;
  const figures = {
    tooManyRequests: calls.filter((c) => c.status === 429).length,
    finalDelayP50Ms: percentile(delays, 0.5),
    finalDelayMaxMs: delays.at(-1)!,
    restCallsPerReply: calls.length / CHANNELS,
    editsPerReply: count("PATCH", /^\/channels\/\d+\/messages\/\d+$/) / CHANNELS,
    typingPerReply: count("POST", /^\/channels\/\d+\/typing$/) / CHANNELS,
    peakRequestsPerSecond: peakPerSecond(calls),
    seconds,
  };
  const targets = [
    {
      what: "429 answers from Discord",
      figure: String(figures.tooManyRequests),
      bound: `${TARGET_429S}`,
      met: figures.tooManyRequests <= TARGET_429S,
    },
    {
      what: "final text after the last token, slowest channel",
      figure: msFigure(figures.finalDelayMaxMs),
      bound: `≤ ${TARGET_FINAL_DELAY_MS.toLocaleString("en-US")} ms`,
      met: figures.finalDelayMaxMs <= TARGET_FINAL_DELAY_MS,
    },
  ];
  const lines = [
    `${CHANNELS} channels, each streaming a ${STREAM_SECONDS}-second reply (${CHUNKS} chunks) at once; fake Discord limits: ${CHANNEL_BUCKET.limit} per ${CHANNEL_BUCKET.windowMs / 1000} s per channel (messages, edits, typing), ${GLOBAL_PER_SECOND} requests/s in all. LLM_MAX_CONCURRENCY=${CHANNELS}, LLM_QUEUE_LIMIT=${CHANNELS}.`,
    "",
    ...table(
      [
        "429s",
        "final text after last token, p50 ms",
        "max ms",
        "REST calls/reply",
        "edits/reply",
        "typing/reply",
        "peak requests/s",
      ],
      [
        [
          figures.tooManyRequests,
          figures.finalDelayP50Ms,
          figures.finalDelayMaxMs,
          figures.restCallsPerReply,
          figures.editsPerReply,
          figures.typingPerReply,
          figures.peakRequestsPerSecond,
        ],
      ],
    ),
  ];
  return { lines, figures, targets };
}
