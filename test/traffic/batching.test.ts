import { describe, expect, it } from "vitest";
import { BatchingQueue } from "../../src/traffic/batching.js";

/** A promise a test resolves by hand. */
function gate() {
  let open: () => void = () => {};
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}

describe("BatchingQueue", () => {
  it("answers the first item alone and everything that arrived meanwhile in the next batch", async () => {
    const batches: string[][] = [];
    const first = gate();
    const queue = new BatchingQueue<string>({
      maxPending: 5,
      run: async (_key, waiting) => {
        const batch = waiting.take();
        batches.push(batch);
        if (batches.length === 1) await first.opened;
      },
      onError: () => {},
    });
    queue.push("general", "one");
    queue.push("general", "two");
    queue.push("general", "three");
    expect(queue.waiting("general")).toBe(2);
    first.open();
    await queue.idle();
    expect(batches).toEqual([["one"], ["two", "three"]]);
    expect(queue.activeKeys).toBe(0);
  });

  it("runs different keys side by side", async () => {
    const started: string[] = [];
    const held = gate();
    const queue = new BatchingQueue<string>({
      maxPending: 5,
      run: async (key, waiting) => {
        started.push(`${key}:${waiting.take().join(",")}`);
        await held.opened;
      },
      onError: () => {},
    });
    queue.push("general", "a");
    queue.push("random", "b");
    expect(started).toEqual(["general:a", "random:b"]);
    held.open();
    await queue.idle();
  });

  it("refuses an item beyond maxPending and queues nothing for it", async () => {
    const held = gate();
    const batches: string[][] = [];
    const queue = new BatchingQueue<string>({
      maxPending: 1,
      run: async (_key, waiting) => {
        batches.push(waiting.take());
        await held.opened;
      },
      onError: () => {},
    });
    expect(queue.push("general", "one")).toBe(true);
    expect(queue.push("general", "two")).toBe(true);
    expect(queue.push("general", "three")).toBe(false);
    held.open();
    await queue.idle();
    expect(batches).toEqual([["one"], ["two"]]);
  });

  it("takes items only when the runner is ready, so a wait before answering gathers more", async () => {
    const ready = gate();
    const batches: string[][] = [];
    const seenAtStart: string[][] = [];
    const queue = new BatchingQueue<string>({
      maxPending: 5,
      run: async (_key, waiting) => {
        seenAtStart.push([...waiting.items]);
        await ready.opened;
        batches.push(waiting.take());
      },
      onError: () => {},
    });
    queue.push("general", "one");
    queue.push("general", "two");
    ready.open();
    await queue.idle();
    expect(seenAtStart).toEqual([["one"]]);
    expect(batches).toEqual([["one", "two"]]);
  });

  it("reports a failing run, drops a batch it never took, and carries on", async () => {
    const errors: string[] = [];
    const batches: string[][] = [];
    const queue = new BatchingQueue<string>({
      maxPending: 5,
      run: async (_key, waiting) => {
        if (batches.length === 0 && errors.length === 0) throw new Error("boom");
        batches.push(waiting.take());
      },
      onError: (error, key) => errors.push(`${key}: ${(error as Error).message}`),
    });
    queue.push("general", "lost");
    await queue.idle();
    queue.push("general", "kept");
    await queue.idle();
    expect(errors).toEqual(["general: boom"]);
    expect(batches).toEqual([["kept"]]);
  });

  it("settles the keys holding someone's items, queued or being answered, and not the others", async () => {
    const gates = new Map([
      ["general", gate()],
      ["random", gate()],
      ["dm", gate()],
    ]);
    const finished: string[] = [];
    const queue = new BatchingQueue<{ author: string }>({
      maxPending: 5,
      run: async (key, waiting) => {
        waiting.take();
        await gates.get(key)!.opened;
        finished.push(key);
      },
      onError: () => {},
    });
    queue.push("general", { author: "ali" }); // being answered
    queue.push("random", { author: "bob" });
    queue.push("random", { author: "ali" }); // queued behind Bob's
    queue.push("dm", { author: "cy" });
    let settled = false;
    const waiting = queue.settledWhere((item) => item.author === "ali").then(() => (settled = true));
    gates.get("general")!.open();
    await queue.settled("general");
    expect(settled).toBe(false); // #general is done, but Ali's message in #random is still queued
    gates.get("random")!.open();
    await waiting;
    expect(finished).toEqual(["general", "random", "random"]); // Bob's batch, then Ali's; the DM of someone else was not waited for
    gates.get("dm")!.open();
    await queue.idle();
  });
});
