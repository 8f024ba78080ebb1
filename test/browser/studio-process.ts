/** Starts `npm run studio`'s entry point (src/cli/studio.ts) as a real process on a free port, over a temp database and persona folder. */
import { type ChildProcess, spawn } from "node:child_process";
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { openDatabase } from "../../src/memory/db.js";
import { LOCAL_OWNER, StudioSessionStore } from "../../src/studio/sessions.js";

/** How long the studio may take to print its sign-in link. */
const START_TIMEOUT_MS = 15_000;
const SHIPPED_PERSONAS = path.resolve("personas");

export interface StudioProcess {
  /** The one-time sign-in link it printed. */
  readonly link: string;
  /** Its address, e.g. http://127.0.0.1:41234. */
  readonly base: string;
  readonly port: number;
  readonly personasDir: string;
  /** Everything it printed so far (its log lines are JSON). */
  output(): string;
  /** Another sign-in link, made in the studio's database the way /studio would make one. */
  newLink(owner?: string): string;
  stop(): Promise<void>;
}

/** Starts a studio; `env` adds to (or overrides) the test settings. */
export async function startStudioProcess(env: Record<string, string> = {}): Promise<StudioProcess> {
  const dir = mkdtempSync(path.join(tmpdir(), "masque-studio-"));
  const personasDir = path.join(dir, "personas");
  const databasePath = path.join(dir, "masque.db");
  cpSync(SHIPPED_PERSONAS, personasDir, { recursive: true });
  const child = spawn(process.execPath, ["--import", "tsx", "src/cli/studio.ts"], {
    env: {
      PATH: process.env.PATH,
      DATABASE_PATH: databasePath,
      PERSONAS_DIR: personasDir,
      OPENAI_BASE_URL: "http://127.0.0.1:9/v1",
      STUDIO_PORT: "0",
      LOG_LEVEL: "warn",
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const keep = (chunk: Buffer) => {
    output += String(chunk);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  const link = await printedLink(child);
  const base = link.slice(0, link.indexOf("/#"));
  return {
    link,
    base,
    port: Number(new URL(base).port),
    personasDir,
    output: () => output,
    newLink: (owner = LOCAL_OWNER) => {
      const db = openDatabase(databasePath);
      try {
        return `${base}/#token=${new StudioSessionStore(db).createLoginToken(owner)}`;
      } finally {
        db.close();
      }
    },
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once("exit", resolve));
        child.kill("SIGTERM");
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function printedLink(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let output = "";
    const timer = setTimeout(
      () => reject(new Error(`the studio printed no link in ${START_TIMEOUT_MS} ms:\n${output}`)),
      START_TIMEOUT_MS,
    );
    const read = (chunk: Buffer) => {
      output += String(chunk);
      const link = output.match(/http:\/\/127\.0\.0\.1:\d+\/#token=[\w-]+/)?.[0];
      if (link) {
        clearTimeout(timer);
        resolve(link);
      }
    };
    child.stdout?.on("data", read);
    child.stderr?.on("data", read);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`the studio exited (${code}) before printing its link:\n${output}`));
    });
  });
}
