import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";
import type { Logger } from "../log.js";
import { BUSY_TIMEOUT_MS, type Db } from "./db.js";

/** How often the background connection copies the write-ahead log back into the database file. */
export const CHECKPOINT_INTERVAL_MS = 250;
/** SQLite's default: a commit that grows the log past this many pages copies it back itself. */
export const AUTO_CHECKPOINT_PAGES = 1000;
/**
 * With the worker running, the bot's connection still checkpoints once the log reaches
 * this many pages (16 MB). The log is rewound to its start only after a checkpoint that
 * caught up with every commit, which a worker racing a steady stream of commits rarely
 * manages; the bot's own checkpoint does, and finds nearly everything copied already.
 */
export const BACKSTOP_CHECKPOINT_PAGES = 4_000;

/**
 * The worker runs a few lines of JavaScript once in a while; a JavaScript heap sized for
 * that keeps it to a few MB of the bot's memory instead of a default isolate's tens.
 */
const WORKER_LIMITS = { maxYoungGenerationSizeMb: 1, maxOldGenerationSizeMb: 16, stackSizeMb: 1 };

/**
 * The worker: its own connection to the same file, checkpointing in PASSIVE mode (it never
 * waits for, or blocks, the bot's reads and writes) until it is told to stop.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const Database = require(workerData.driver);
const db = new Database(workerData.file, { fileMustExist: true, timeout: workerData.busyTimeoutMs });
const timer = setInterval(() => db.pragma("wal_checkpoint(PASSIVE)"), workerData.intervalMs);
parentPort.once("message", () => {
  clearInterval(timer);
  db.close();
  parentPort.close();
});
`;

/** Checkpoints running on a worker thread; see {@link checkpointInBackground}. */
export interface BackgroundCheckpoints {
  /** Stops the worker (it closes its connection) and hands checkpoints back to the bot's connection. */
  stop(): void;
}

/**
 * Moves WAL checkpoints off the main thread. SQLite otherwise runs one inside whichever
 * commit grows the log past AUTO_CHECKPOINT_PAGES: that commit copies a thousand pages
 * into the database file and syncs it, about 8 ms with a million stored turns, and the
 * reply that made the commit waits for it (a reply's turns are stored before its final
 * text is sent). A worker thread with its own connection does the copying instead, every
 * CHECKPOINT_INTERVAL_MS, so the bot's connection only checkpoints at
 * BACKSTOP_CHECKPOINT_PAGES, with little left to copy. If the worker fails, the bot's
 * connection checkpoints as before. Nothing to do for an in-memory database.
 */
export function checkpointInBackground(db: Db, log: Logger): BackgroundCheckpoints | undefined {
  if (db.memory) return undefined;
  const autoCheckpoints = () => {
    if (db.open) db.pragma(`wal_autocheckpoint = ${AUTO_CHECKPOINT_PAGES}`);
  };
  let stopped = false;
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    resourceLimits: WORKER_LIMITS,
    workerData: {
      driver: createRequire(import.meta.url).resolve("better-sqlite3"),
      file: db.name,
      busyTimeoutMs: BUSY_TIMEOUT_MS,
      intervalMs: CHECKPOINT_INTERVAL_MS,
    },
  });
  // A checkpointer must not keep the process alive, nor outlive the bot's connection by much.
  worker.unref();
  worker.on("error", (error) => {
    log.warn({ err: error }, "background database checkpoints failed; the bot's connection checkpoints itself again");
    autoCheckpoints();
  });
  worker.on("exit", () => {
    if (!stopped) autoCheckpoints();
  });
  db.pragma(`wal_autocheckpoint = ${BACKSTOP_CHECKPOINT_PAGES}`);
  return {
    stop() {
      if (stopped) return;
      stopped = true;
      worker.postMessage("stop");
      autoCheckpoints();
    },
  };
}
