import { rmSync } from "node:fs";
import path from "node:path";
import { Writable } from "node:stream";
import { setTimeout as sleep } from "node:timers/promises";
import { afterEach, describe, expect, it } from "vitest";
import { createLogger, silentLogger } from "../../src/log.js";
import {
  AUTO_CHECKPOINT_PAGES,
  BACKSTOP_CHECKPOINT_PAGES,
  type BackgroundCheckpoints,
  CHECKPOINT_INTERVAL_MS,
  checkpointInBackground,
} from "../../src/memory/checkpoints.js";
import { type Memory, openMemory } from "../../src/memory/index.js";
import { tempDirForTest } from "../helpers/temp-dir.js";

const CHANNEL = { key: "channel:100", guildId: "900", channelId: "100" };
const WAIT_MS = 5_000;

interface WalState {
  log: number;
  checkpointed: number;
}

const walState = (memory: Memory) => (memory.db.pragma("wal_checkpoint(NOOP)") as WalState[])[0]!;
const autoCheckpointPages = (memory: Memory) => memory.db.pragma("wal_autocheckpoint", { simple: true });

async function waitUntil(check: () => boolean): Promise<void> {
  const deadline = performance.now() + WAIT_MS;
  while (!check()) {
    if (performance.now() > deadline) throw new Error(`condition not met within ${WAIT_MS} ms`);
    await sleep(CHECKPOINT_INTERVAL_MS / 5);
  }
}

function storeTurns(memory: Memory, count: number): void {
  for (let i = 0; i < count; i++) {
    memory.turns.append(CHANNEL, [
      { role: "user", authorId: "u1", authorName: "Ana", content: `message ${i}`, tokenCount: 5, createdAt: 1000 + i },
    ]);
  }
}

describe("checkpointInBackground", () => {
  let memory: Memory | undefined;
  let checkpoints: BackgroundCheckpoints | undefined;
  afterEach(() => {
    checkpoints?.stop();
    memory?.close();
    checkpoints = undefined;
    memory = undefined;
  });

  it("copies the log into the database file from a worker, and the bot's connection checkpoints only as a backstop", async () => {
    memory = openMemory(path.join(tempDirForTest(), "masque.db"));
    checkpoints = checkpointInBackground(memory.db, silentLogger);
    expect(autoCheckpointPages(memory)).toBe(BACKSTOP_CHECKPOINT_PAGES);

    storeTurns(memory, 20);
    const written = walState(memory).log;
    expect(written).toBeGreaterThan(0);
    await waitUntil(() => walState(memory!).checkpointed === written);
    expect(memory.turns.count(CHANNEL.key)).toBe(20);
  });

  it("hands checkpoints back to the bot's connection when stopped", () => {
    memory = openMemory(path.join(tempDirForTest(), "masque.db"));
    checkpoints = checkpointInBackground(memory.db, silentLogger);
    checkpoints?.stop();
    expect(autoCheckpointPages(memory)).toBe(AUTO_CHECKPOINT_PAGES);
  });

  it("falls back to the bot's connection, with a warning, when the worker cannot open the database", async () => {
    const file = path.join(tempDirForTest(), "masque.db");
    memory = openMemory(file);
    // The open connection keeps working; a new one (the worker's) finds no file.
    rmSync(file);
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const log = createLogger("warn", { stream: sink });
    checkpoints = checkpointInBackground(memory.db, log);

    await waitUntil(() => autoCheckpointPages(memory!) === AUTO_CHECKPOINT_PAGES);
    expect(lines.map((line) => JSON.parse(line).msg)).toEqual([
      "background database checkpoints failed; the bot's connection checkpoints itself again",
    ]);
  });

  it("starts nothing for an in-memory database", () => {
    memory = openMemory(":memory:");
    expect(checkpointInBackground(memory.db, silentLogger)).toBeUndefined();
  });
});
