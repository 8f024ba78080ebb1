import { describe, expect, it } from "vitest";
import { fittingTurns } from "../../src/chat/fitting.js";
import { PromptTooLongError } from "../../src/chat/prompt.js";

/** A prompt builder with room for `room` words in all: throws as buildPrompt does past it. */
const roomFor =
  (room: number, tried: string[][] = []) =>
  (turns: readonly string[]) => {
    tried.push([...turns]);
    const words = turns.reduce((sum, t) => sum + t.split(" ").length, 0);
    if (words > room) throw new PromptTooLongError(words, room);
  };

describe("fittingTurns", () => {
  it("keeps every message when they fit together, trying once", () => {
    const tried: string[][] = [];
    expect(fittingTurns(["a b", "c d"], roomFor(4, tried))).toEqual({ kept: [0, 1], tooLong: [] });
    expect(tried).toEqual([["a b", "c d"]]);
  });

  it("leaves out only the message that cannot fit, with how long it was, wherever it is in the batch", () => {
    const huge = "w ".repeat(20).trim();
    const newestHuge = fittingTurns(["a b", huge], roomFor(5));
    expect(newestHuge.kept).toEqual([0]);
    expect(newestHuge.tooLong.map(({ index, error }) => [index, error.tokens, error.limit])).toEqual([[1, 20, 5]]);
    expect(fittingTurns([huge, "a b", "c"], roomFor(5)).kept).toEqual([1, 2]);
  });

  it("keeps the newest messages that fit together when each fits alone but not all at once", () => {
    const { kept, tooLong } = fittingTurns(["a b c", "d e f", "g h"], roomFor(5));
    expect(kept).toEqual([1, 2]);
    expect(tooLong.map((t) => t.index)).toEqual([0]);
  });

  it("leaves a lone message to the reply, and lets other errors through", () => {
    expect(fittingTurns(["w w w w w w"], roomFor(1))).toEqual({ kept: [0], tooLong: [] });
    const broken = () => {
      throw new Error("memory is locked");
    };
    expect(() => fittingTurns(["a", "b"], broken)).toThrow("memory is locked");
  });
});
