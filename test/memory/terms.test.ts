import { describe, expect, it } from "vitest";
import { conversationTerm, guildTerm, recallTerms, wordsOf } from "../../src/memory/terms.js";

describe("recall terms", () => {
  it("reads words as letters and digits, lower case, accents removed", () => {
    expect(wordsOf("Crème brûlée, dog's NAME: Biscuit-2!")).toEqual(["creme", "brulee", "dog", "s", "name", "biscuit", "2"]);
  });

  it("scopes each word to its conversation or server with a fixed-length hash", () => {
    expect(conversationTerm("channel:1", "dog")).toBe("c882fa015810e4521dog");
    expect(guildTerm("9", "dog")).toBe("g19581e27de7ced00dog");
    expect(conversationTerm("channel:1", "été")).toBe("c882fa015810e4521été");
  });

  it("never gives two different (conversation, word) pairs the same term", () => {
    expect(conversationTerm("channel:1", "2abc")).not.toBe(conversationTerm("channel:12", "abc"));
    expect(conversationTerm("channel:1", "dog")).not.toBe(guildTerm("channel:1", "dog"));
  });

  it("indexes each distinct word once per scope, and DMs in no server", () => {
    expect(recallTerms("c", "g", "Dog dog cat")).toBe([conversationTerm("c", "dog"), conversationTerm("c", "cat"), guildTerm("g", "dog"), guildTerm("g", "cat")].join(" "));
    expect(recallTerms("dm", null, "Dog")).toBe(conversationTerm("dm", "dog"));
  });
});
