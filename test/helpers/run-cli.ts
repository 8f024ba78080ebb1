import { spawn } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root: the terminal chat runs from here, as `npm run chat` does. */
export const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url));
/** The local tsx, run directly: `npx` would also ask the npm registry for updates. */
const TSX = path.join(REPO_ROOT, "node_modules", ".bin", "tsx");
const CHAT_ENTRY = "src/cli/chat.ts";
const DEFAULT_TIMEOUT_MS = 15_000;

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface CliOptions {
  /** The whole environment of the child; nothing is inherited except PATH. */
  readonly env: Record<string, string>;
  /** Written to stdin, which is then closed. */
  readonly input?: string;
  readonly timeoutMs?: number;
}

/**
 * Runs `tsx src/cli/chat.ts <args>` and resolves when it exits. Asynchronous on purpose:
 * a fake server in this process must keep answering while the child runs.
 */
export function runChatCli(args: readonly string[], options: CliOptions): Promise<CliResult> {
  return runCli(CHAT_ENTRY, args, options);
}

/** Runs `tsx <entry> <args>` from the repository root and resolves when it exits. */
export function runCli(entry: string, args: readonly string[], options: CliOptions): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(TSX, [entry, ...args], {
      cwd: REPO_ROOT,
      env: { PATH: process.env.PATH ?? "", ...options.env },
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (text: string) => (stdout += text));
    child.stderr.setEncoding("utf8").on("data", (text: string) => (stderr += text));
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(
        new Error(
          `tsx ${CHAT_ENTRY} ${args.join(" ")} did not exit within ${options.timeoutMs ?? DEFAULT_TIMEOUT_MS} ms.\nstdout:\n${stdout}\nstderr:\n${stderr}`,
        ),
      );
    }, options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    child.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(options.input ?? "");
  });
}
