import { type ChildProcess, spawn } from "node:child_process";
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

const REPO = path.resolve(import.meta.dirname, "..", "..");
/** As `npm start` runs it (after its build step, which the test setup did). */
const MAIN = path.join(REPO, "dist", "main.js");

/** The node flags of `npm start` ("node <flags> dist/main.js" in package.json), so tests and benchmarks run the bot exactly as it does. */
export function startScriptNodeArgs(): string[] {
  const scripts = (
    JSON.parse(readFileSync(path.join(REPO, "package.json"), "utf8")) as { scripts: Record<string, string> }
  ).scripts;
  const words = scripts.start!.split(/\s+/);
  if (words[0] !== "node" || words.at(-1) !== "dist/main.js")
    throw new Error(`Expected the start script to be "node <flags> dist/main.js", not "${scripts.start}".`);
  return words.slice(1, -1);
}
const DEFAULT_OUTPUT_WAIT_MS = 15_000;
const OUTPUT_POLL_MS = 50;

/** A bot started the way `npm start` does it. */
export interface BotProcess {
  readonly child: ChildProcess;
  /** Everything written to stdout and stderr so far. */
  output(): string;
  /** Resolves with the exit code (null when killed by a signal). */
  readonly exited: Promise<number | null>;
}

/** Runs the bot as `npm start` does (node <its flags> dist/main.js) with only the given environment (and PATH); `uid`/`gid` run it as another user. */
export function startBotProcess(env: Record<string, string>, options: { uid?: number; gid?: number } = {}): BotProcess {
  let output = "";
  const node = options.uid === undefined ? process.execPath : nodeAnyoneCanRun();
  const child = spawn(node, [...startScriptNodeArgs(), MAIN], {
    env: { PATH: process.env.PATH ?? "", DOTENV_CONFIG_PATH: "/nonexistent/.env", LOG_FORMAT: "json", ...env },
    stdio: ["ignore", "pipe", "pipe"],
    ...options,
  });
  child.stdout?.on("data", (d) => (output += d));
  child.stderr?.on("data", (d) => (output += d));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return { child, output: () => output, exited };
}

/** Mode bits that let users other than the owner and group enter a folder or run a file. */
const OTHERS_EXECUTE = 0o001;

/**
 * A path to this Node.js binary that another user can run. Node from `npx -p node@24`
 * lives under root's private home, so a copy goes to the temp folder (once per version).
 */
function nodeAnyoneCanRun(): string {
  if (othersCanReach(process.execPath)) return process.execPath;
  const copy = path.join(tmpdir(), `masque-test-node-${process.version}`, "node");
  if (!existsSync(copy)) {
    mkdirSync(path.dirname(copy), { recursive: true, mode: 0o755 });
    const part = `${copy}.${process.pid}.part`;
    copyFileSync(process.execPath, part);
    chmodSync(part, 0o755);
    renameSync(part, copy);
  }
  return copy;
}

function othersCanReach(file: string): boolean {
  for (let at = file; at !== path.dirname(at); at = path.dirname(at)) {
    if ((statSync(at).mode & OTHERS_EXECUTE) === 0) return false;
  }
  return true;
}

/** Polls the output until it matches `pattern`; fails with the output so far. */
export async function waitForOutput(
  read: () => string,
  pattern: RegExp,
  timeoutMs = DEFAULT_OUTPUT_WAIT_MS,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!pattern.test(read())) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${pattern}. Output so far:\n${read()}`);
    await new Promise((resolve) => setTimeout(resolve, OUTPUT_POLL_MS));
  }
}
