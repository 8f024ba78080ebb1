import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { silentLogger } from "../../src/log.js";
import { type Memory, openMemory } from "../../src/memory/index.js";
import { RETENTION_SWEEP_INTERVAL_MS, RetentionJob } from "../../src/memory/retention.js";
import { said, T0 } from "../helpers/memory.js";

const DAY_MS = 86_400_000;

describe("RetentionJob", () => {
  let memory: Memory;
  let job: RetentionJob | undefined;
  beforeEach(() => {
    memory = openMemory(":memory:");
    memory.turns.append({ key: "channel:1" }, [
      said("Ali", "forty days ago", { createdAt: T0 - 40 * DAY_MS }),
      said("Ali", "yesterday", { createdAt: T0 - DAY_MS }),
    ]);
  });
  afterEach(() => {
    job?.stop();
    vi.useRealTimers();
    memory.close();
  });

  const remaining = () => memory.turns.recent("channel:1", 10).map((t) => t.content);

  it("deletes turns older than the retention period and keeps the rest", async () => {
    job = new RetentionJob({ eraser: memory.eraser, days: 30, log: silentLogger, now: () => T0 });
    expect((await job.sweep()).turns).toBe(1);
    expect(remaining()).toEqual(["yesterday"]);
  });

  it("does nothing when retention is off", async () => {
    job = new RetentionJob({ eraser: memory.eraser, days: undefined, log: silentLogger, now: () => T0 });
    job.start();
    expect(await job.sweep()).toEqual({ turns: 0, summariesDropped: [] });
    expect(remaining()).toEqual(["yesterday", "forty days ago"]);
  });

  it("sweeps at start and then every interval", async () => {
    vi.useFakeTimers({ toFake: ["setInterval", "clearInterval"] });
    const deletions = vi.spyOn(memory.eraser, "deleteOlderThan");
    let now = T0;
    job = new RetentionJob({ eraser: memory.eraser, days: 30, log: silentLogger, now: () => now });
    job.start();
    expect(deletions).toHaveBeenCalledTimes(1);
    await job.sweep();
    expect(remaining()).toEqual(["yesterday"]);

    now = T0 + 30 * DAY_MS;
    vi.advanceTimersByTime(RETENTION_SWEEP_INTERVAL_MS);
    expect(deletions).toHaveBeenCalledTimes(2);
    await job.sweep();
    expect(remaining()).toEqual([]);
    job.stop();
    vi.advanceTimersByTime(RETENTION_SWEEP_INTERVAL_MS);
    expect(deletions).toHaveBeenCalledTimes(2);
  });

  it("does not keep the process alive with its timer", async () => {
    const timers = () => process.getActiveResourcesInfo().filter((r) => r === "Timeout").length;
    const before = timers();
    job = new RetentionJob({ eraser: memory.eraser, days: 30, log: silentLogger, now: () => T0 });
    job.start();
    await job.sweep();
    expect(timers()).toBe(before);
  });
});
