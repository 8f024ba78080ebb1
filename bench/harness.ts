/**
 * Shared pieces of the bot benchmarks: the fakes in this process, the bot (or the floor
 * bot) in its own process started as `npm start` starts it (node dist/main.js), and
 * readings of that process's CPU time and resident memory from /proc.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import {
  type FakeDiscord,
  type FakeGuildHandle,
  type RateLimitOptions,
  startFakeDiscord,
} from "../test/fakes/discord-server.js";
import { type FakeModelServer, startFakeModelServer } from "../test/fakes/openai-server.js";
import { startScriptNodeArgs } from "../test/helpers/bot-process.js";

const REPO = path.resolve(import.meta.dirname, "..");
const MASQUE_ENTRY = path.join(REPO, "dist", "main.js");
/** What `npm start` passes to node before the entry point, read from package.json so the two cannot drift apart. */
const MASQUE_NODE_ARGS = startScriptNodeArgs();
const FLOOR_ENTRY = path.join(REPO, "bench", "floor-bot.mjs");
/** Linux reports CPU time in clock ticks; 100 per second on every common kernel. */
const CLOCK_TICKS_PER_SECOND = 100;
const READY_TIMEOUT_MS = 60_000;

export const USER = { id: "310000000000000001", username: "bencher", globalName: "Bencher" };
/** Load-test authors get ids from here up. */
const BENCH_USER_BASE = 320_000_000_000_000_000n;
/** Authors so far in this process: every message of every loop has its own. */
let authors = 0;
/** A loop with no reply for this long has stalled. */
const STALL_TIMEOUT_MS = 10_000;

/** Builds dist/ (incrementally) so the benchmarks run the current code. */
export function buildBot(): void {
  execFileSync(
    process.execPath,
    [path.join(REPO, "node_modules", "typescript", "bin", "tsc"), "-p", path.join(REPO, "tsconfig.build.json")],
    { stdio: "inherit" },
  );
}

/** CPU time (user + system) a process has used, in ms. */
export function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  // After the command name: utime and stime are fields 14 and 15 of the whole line.
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_SECOND;
}

/** Resident memory of a process, in MB. */
export function rssMb(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, "utf8")
    .split("\n")
    .find((l) => l.startsWith("VmRSS:"));
  return Number(line?.replace(/\D+/g, "") ?? 0) / 1024;
}

export interface Fakes {
  readonly discord: FakeDiscord;
  readonly model: FakeModelServer;
  readonly guild: FakeGuildHandle;
  readonly channels: readonly string[];
  close(): Promise<void>;
}

export interface FakesOptions {
  readonly channels: number;
  readonly rateLimits?: RateLimitOptions;
  /** The server's id, and its channels' ids (one per channel), when the bot's stored history names them. */
  readonly guildId?: string;
  readonly channelId?: (index: number) => string;
}

/** The fake Discord with one server of `channels` text channels, and a zero-latency fake model. */
export async function startFakes(options: FakesOptions): Promise<Fakes> {
  const discord = await startFakeDiscord();
  const model = await startFakeModelServer();
  if (options.rateLimits) discord.setRateLimits(options.rateLimits);
  const guild = discord.addGuild({
    ...(options.guildId !== undefined && { id: options.guildId }),
    name: "Bench",
    channels: Array.from({ length: options.channels }, (_, i) => ({
      name: `bench-${i}`,
      ...(options.channelId && { id: options.channelId(i) }),
    })),
    members: [{ user: USER }],
  });
  return {
    discord,
    model,
    guild,
    channels: guild.channels.map((c) => c.id),
    async close() {
      await discord.close();
      await model.close();
    },
  };
}

export interface BotProcess {
  readonly pid: number;
  /** ms from spawn to the "ready as" log line. */
  readonly readyMs: number;
  readonly output: () => string;
  stop(): Promise<void>;
}

/**
 * Starts Masque (or the floor bot) against the fakes and waits for it to be ready. `env`
 * adds to (or overrides) the bot's environment; `nodeArgs` go before the entry point
 * (`--cpu-prof` to profile a run).
 */
export async function startBot(
  kind: "masque" | "floor",
  fakes: Fakes,
  env: Record<string, string> = {},
  nodeArgs: readonly string[] = [],
): Promise<BotProcess & { dir: string }> {
  const dir = mkdtempSync(path.join(tmpdir(), `masque-bench-${kind}-`));
  const started = performance.now();
  // Masque exactly as `npm start` runs it; the floor bot as plain `node`.
  const entry = kind === "masque" ? [...MASQUE_NODE_ARGS, MASQUE_ENTRY] : [FLOOR_ENTRY];
  const child: ChildProcess = spawn(process.execPath, [...nodeArgs, ...entry], {
    cwd: REPO,
    env: {
      PATH: process.env.PATH ?? "",
      DOTENV_CONFIG_PATH: "/nonexistent/.env",
      LOG_FORMAT: "json",
      LOG_LEVEL: "info",
      DISCORD_TOKEN: fakes.discord.token,
      DISCORD_API_URL: fakes.discord.apiUrl,
      OPENAI_BASE_URL: fakes.model.baseURL,
      DATABASE_PATH: path.join(dir, "masque.db"),
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout?.on("data", (d) => (output += d));
  child.stderr?.on("data", (d) => (output += d));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const readyMs = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${kind} was not ready in ${READY_TIMEOUT_MS} ms:\n${output}`)),
      READY_TIMEOUT_MS,
    );
    const check = () => {
      if (/ready as /.test(output)) {
        clearTimeout(timer);
        resolve(performance.now() - started);
      }
    };
    child.stdout?.on("data", check);
    child.once("exit", () => reject(new Error(`${kind} exited before it was ready:\n${output}`)));
  });
  return {
    pid: child.pid!,
    readyMs,
    dir,
    output: () => output,
    async stop() {
      child.kill("SIGTERM");
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A fixed-width text table. */
export function table(header: readonly string[], rows: readonly (readonly (string | number)[])[]): string[] {
  const cells = [header, ...rows.map((r) => r.map((c) => (typeof c === "number" ? formatNumber(c) : c)))];
  const widths = header.map((_, i) => Math.max(...cells.map((r) => String(r[i]).length)));
  const line = (r: readonly (string | number)[]) => `| ${r.map((c, i) => String(c).padEnd(widths[i]!)).join(" | ")} |`;
  return [line(cells[0]!), `| ${widths.map((w) => "-".repeat(w)).join(" | ")} |`, ...cells.slice(1).map(line)];
}

function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (Number.isInteger(value)) return String(value);
  return value >= 100 ? value.toFixed(0) : value >= 10 ? value.toFixed(1) : value.toFixed(2);
}

export interface LoopResult {
  readonly replies: number;
  readonly seconds: number;
  /** ms from posting each message to its reply reaching the fake Discord, sorted. */
  readonly latencies: number[];
  readonly restCalls: number;
  readonly cpuMs: number;
}

/**
 * A closed loop: each of `channels` keeps one message in flight (a mention), posting the
 * next as soon as the bot's reply arrives, until `total` replies came back. Measures
 * replies/s, REST calls the bot made, its CPU time, and per-message latency.
 */
export async function closedLoop(
  fakes: Fakes,
  bot: BotProcess,
  channels: readonly string[],
  total: number,
): Promise<LoopResult> {
  const { discord } = fakes;
  const sentAt = new Map<string, number>();
  const latencies: number[] = [];
  let posted = 0;
  let replies = 0;
  const callsBefore = discord.calls.length;
  const cpuBefore = cpuMs(bot.pid);
  const started = performance.now();
  let finish: () => void = () => {};
  const done = new Promise<void>((resolve) => (finish = resolve));

  // A different person each time, across loops too: Masque's per-person rate limit is for people, not for a load test.
  const post = (channelId: string) => {
    posted++;
    sentAt.set(channelId, performance.now());
    authors++;
    const author = { id: String(BENCH_USER_BASE + BigInt(authors)), username: `bencher${authors}` };
    discord.postMessage({ channelId, author, content: `hello ${posted}`, mentionBot: true });
  };
  const unsubscribe = discord.onCall((call) => {
    const match = /^\/channels\/(\d+)\/messages$/.exec(call.path);
    if (call.method !== "POST" || !match || call.status !== 200) return;
    const channelId = match[1]!;
    const at = sentAt.get(channelId);
    if (at === undefined) return;
    latencies.push(call.at - at);
    sentAt.delete(channelId);
    replies++;
    if (replies >= total) finish();
    else if (posted < total) post(channelId);
  });
  for (const channelId of channels.slice(0, Math.min(channels.length, total))) post(channelId);
  // A stalled loop is a failure to report, not a hang.
  let lastReplies = -1;
  const watchdog = setInterval(() => {
    if (replies === lastReplies) finish();
    lastReplies = replies;
  }, STALL_TIMEOUT_MS);
  await done;
  clearInterval(watchdog);
  if (replies < total)
    throw new Error(`The loop stalled after ${replies} of ${total} replies.\n${bot.output().slice(-2000)}`);
  const seconds = (performance.now() - started) / 1000;
  unsubscribe();
  // Let the last replies' bookkeeping (typing, database writes) settle before reading CPU.
  await new Promise((resolve) => setTimeout(resolve, 200));
  return {
    replies,
    seconds,
    latencies: latencies.sort((a, b) => a - b),
    restCalls: discord.calls.slice(callsBefore).filter((c) => !c.path.startsWith("/gateway")).length,
    cpuMs: cpuMs(bot.pid) - cpuBefore,
  };
}
