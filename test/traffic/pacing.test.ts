import { describe, expect, it } from "vitest";
import { ReplyPacer } from "../../src/traffic/pacing.js";

describe("ReplyPacer", () => {
  it("asks for the rest of the gap after a reply, and nothing before the first or once the gap has passed", () => {
    const clock = { now: 50_000 };
    const pacer = new ReplyPacer({ now: () => clock.now });
    expect(pacer.delayFor("general", 10_000)).toBe(0);
    pacer.replied("general");
    clock.now += 4000;
    expect(pacer.delayFor("general", 10_000)).toBe(6000);
    expect(pacer.delayFor("random", 10_000)).toBe(0);
    clock.now += 6000;
    expect(pacer.delayFor("general", 10_000)).toBe(0);
  });

  it("forgets the conversation idle longest beyond its bound", () => {
    const pacer = new ReplyPacer({ now: () => 1000, maxTracked: 2 });
    for (const key of ["a", "b", "c"]) pacer.replied(key);
    expect(pacer.delayFor("a", 500)).toBe(0);
    expect(pacer.delayFor("c", 500)).toBe(500);
  });
});
