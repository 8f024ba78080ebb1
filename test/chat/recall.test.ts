import { describe, expect, it } from "vitest";
import { MAX_QUERY_WORDS, rankByRelevance, salientWords } from "../../src/chat/recall.js";
import type { Turn } from "../../src/memory/turns.js";

function turn(id: number, content: string): Turn {
  return {
    id,
    conversationKey: "c",
    role: "user",
    authorId: "a",
    authorName: "Ali",
    personaId: null,
    messageId: null,
    content,
    tokenCount: 5,
    status: "complete",
    createdAt: 0,
  };
}

describe("recall words", () => {
  it("keeps the words that say what a question is about", () => {
    expect(salientWords("what did I say my dog was called?")).toEqual(["called", "dog"]);
    expect(salientWords("Do you remember what I told you again?")).toEqual([]);
  });

  it("uses the longest distinct words, at most MAX_QUERY_WORDS", () => {
    const words = salientWords("zebra zebra giraffe elephant hippopotamus rhinoceros crocodile alligator");
    expect(words).toHaveLength(MAX_QUERY_WORDS);
    expect(words).toEqual(["hippopotamus", "rhinoceros", "crocodile", "alligator", "elephant", "giraffe"]);
  });
});

describe("rankByRelevance", () => {
  it("puts turns holding more of the words first, newer first among equals, and drops turns holding none", () => {
    const ranked = rankByRelevance(
      [turn(9, "cats everywhere"), turn(8, "my dog"), turn(5, "the dog is called Biscuit"), turn(3, "dog again")],
      ["called", "dog"],
    );
    expect(ranked.map((t) => t.id)).toEqual([5, 8, 3]);
  });

  it("counts a word in another form (its stem), ranking exact forms first among equals", () => {
    const candidates = [turn(9, "dogs everywhere"), turn(8, "my dog"), turn(5, "I named my dogs"), turn(3, "cats")];
    expect(rankByRelevance(candidates, ["dog", "naming"]).map((t) => t.id)).toEqual([5, 8, 9]);
    expect(rankByRelevance(candidates, ["dog", "naming"], "exact").map((t) => t.id)).toEqual([8]);
  });
});
