import { describe, expect, it } from "vitest";
import { ConcurrencyLimiter, QueueFullError, shareOf } from "../../src/traffic/concurrency.js";

describe("ConcurrencyLimiter", () => {
  it("grants up to maxActive at once, queues up to maxWaiting, and refuses the rest at once", async () => {
    const limiter = new ConcurrencyLimiter(2, 1);
    const first = await limiter.acquire();
    await limiter.acquire();
    const third = limiter.acquire();
    expect([limiter.active, limiter.waiting]).toEqual([2, 1]);
    await expect(limiter.acquire()).rejects.toBeInstanceOf(QueueFullError);
    await expect(limiter.acquire()).rejects.toThrow("All 2 model slots are busy and 1 more requests already wait.");
    first.release();
    await third;
    expect([limiter.active, limiter.waiting]).toEqual([2, 0]);
  });

  it("hands slots over in arrival order and frees a slot only once per release", async () => {
    const limiter = new ConcurrencyLimiter(1, 5);
    const order: string[] = [];
    const slot = await limiter.acquire();
    const waiting = ["a", "b", "c"].map((name) =>
      limiter.acquire().then((done) => {
        order.push(name);
        return done;
      }),
    );
    slot.release();
    slot.release();
    (await waiting[0]!).release();
    (await waiting[1]!).release();
    (await waiting[2]!).release();
    expect(order).toEqual(["a", "b", "c"]);
    expect([limiter.active, limiter.waiting]).toEqual([0, 0]);
  });

  it("drops an aborted waiter from the line with the signal's reason", async () => {
    const limiter = new ConcurrencyLimiter(1, 1);
    const slot = await limiter.acquire();
    const controller = new AbortController();
    const waiting = limiter.acquire(controller.signal);
    controller.abort(new Error("shutting down"));
    await expect(waiting).rejects.toThrow("shutting down");
    expect(limiter.waiting).toBe(0);
    slot.release();
    expect(limiter.active).toBe(0);
    await expect(limiter.acquire(controller.signal)).rejects.toThrow("shutting down");
  });

  it("serves waiting replies before background work, and never refuses background work", async () => {
    const limiter = new ConcurrencyLimiter(1, 1);
    const order: string[] = [];
    const take = (name: string, priority: "reply" | "background") =>
      limiter.acquire(undefined, priority).then((done) => {
        order.push(name);
        return done;
      });
    const slot = await take("reply 1", "reply");
    const summaries = [take("summary 1", "background"), take("summary 2", "background")];
    const reply = take("reply 2", "reply");
    expect([limiter.waiting, limiter.waitingInBackground]).toEqual([1, 2]);

    slot.release();
    (await reply).release();
    (await summaries[0]!).release();
    (await summaries[1]!).release();

    expect(order).toEqual(["reply 1", "reply 2", "summary 1", "summary 2"]);
    expect(limiter.active).toBe(0);
  });
});

describe("shareOf (LLM_MAX_CONCURRENCY divided among the shard processes of a machine)", () => {
  it("gives each shard here a part, the remainder to the first ones, adding up to the total", () => {
    expect([0, 1, 2].map((shard) => shareOf(8, [0, 1, 2], shard))).toEqual([3, 3, 2]);
    // SHARDS=8 SHARD_LIST=4,5,6,7: this machine's four shards share its limit.
    expect([4, 5, 6, 7].map((shard) => shareOf(4, [4, 5, 6, 7], shard))).toEqual([1, 1, 1, 1]);
    expect([0, 1].map((shard) => shareOf(20, [0, 1], shard))).toEqual([10, 10]);
    expect(shareOf(0, [0, 1], 1)).toBe(0);
  });
});
