import { describe, expect, it } from "vitest";
import { RateLimiter } from "../../src/traffic/rate-limit.js";

const TWO_PER_MINUTE = { messages: 2, windowMs: 60_000 };

function limiterAt(start = 1_000_000) {
  const clock = { now: start };
  return { clock, limiter: new RateLimiter({ now: () => clock.now, maxTracked: 3 }) };
}

describe("RateLimiter", () => {
  it("lets a full bucket through, then refuses with one notice and then silently", () => {
    const { limiter } = limiterAt();
    expect(limiter.take("alice", TWO_PER_MINUTE)).toEqual({ allowed: true });
    expect(limiter.take("alice", TWO_PER_MINUTE)).toEqual({ allowed: true });
    expect(limiter.take("alice", TWO_PER_MINUTE)).toEqual({ allowed: false, notify: true, retryAfterMs: 30_000 });
    expect(limiter.take("alice", TWO_PER_MINUTE)).toEqual({ allowed: false, notify: false, retryAfterMs: 30_000 });
  });

  it("refills one token per window/messages and notifies again only after a message went through", () => {
    const { clock, limiter } = limiterAt();
    limiter.take("alice", TWO_PER_MINUTE);
    limiter.take("alice", TWO_PER_MINUTE);
    expect(limiter.take("alice", TWO_PER_MINUTE)).toMatchObject({ allowed: false, notify: true });
    clock.now += 20_000;
    expect(limiter.take("alice", TWO_PER_MINUTE)).toEqual({ allowed: false, notify: false, retryAfterMs: 10_000 });
    clock.now += 10_000;
    expect(limiter.take("alice", TWO_PER_MINUTE)).toEqual({ allowed: true });
    expect(limiter.take("alice", TWO_PER_MINUTE)).toMatchObject({ allowed: false, notify: true });
  });

  it("keeps people apart and never refills beyond the limit", () => {
    const { clock, limiter } = limiterAt();
    limiter.take("alice", TWO_PER_MINUTE);
    limiter.take("alice", TWO_PER_MINUTE);
    expect(limiter.take("bob", TWO_PER_MINUTE)).toEqual({ allowed: true });
    clock.now += 10 * 60_000;
    expect(limiter.take("alice", TWO_PER_MINUTE)).toEqual({ allowed: true });
    expect(limiter.take("alice", TWO_PER_MINUTE)).toEqual({ allowed: true });
    expect(limiter.take("alice", TWO_PER_MINUTE)).toMatchObject({ allowed: false });
  });

  it("clamps what is left to a lowered limit at once", () => {
    const { limiter } = limiterAt();
    limiter.take("alice", { messages: 10, windowMs: 60_000 });
    expect(limiter.take("alice", { messages: 1, windowMs: 60_000 })).toEqual({ allowed: true });
    expect(limiter.take("alice", { messages: 1, windowMs: 60_000 })).toMatchObject({ allowed: false, notify: true });
  });

  it("forgets the person idle longest beyond its bound", () => {
    const { limiter } = limiterAt();
    for (const who of ["a", "b", "c", "a", "d"]) limiter.take(who, { messages: 1, windowMs: 60_000 });
    expect(limiter.size).toBe(3);
    // "b" was forgotten, so it starts full again; "a" was used recently and is still empty.
    expect(limiter.take("b", { messages: 1, windowMs: 60_000 })).toEqual({ allowed: true });
    expect(limiter.take("a", { messages: 1, windowMs: 60_000 })).toMatchObject({ allowed: false });
  });
});
