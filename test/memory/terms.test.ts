import { describe, expect, it } from "vitest";
import {
  conversationStemTerm,
  conversationTerm,
  guildStemTerm,
  guildTerm,
  recallTerms,
  stemOf,
  wordsOf,
} from "../../src/memory/terms.js";

describe("recall terms", () => {
  it("reads words as letters and digits, lower case, accents removed", () => {
    expect(wordsOf("Crème brûlée, dog's NAME: Biscuit-2!")).toEqual([
      "creme",
      "brulee",
      "dog",
      "s",
      "name",
      "biscuit",
      "2",
    ]);
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

  it("stems English words (Porter) and leaves the rest alone", () => {
    expect(["dogs", "named", "naming", "puppies", "called", "biscuits"].map(stemOf)).toEqual([
      "dog",
      "name",
      "name",
      "puppi",
      "call",
      "biscuit",
    ]);
    expect(["été", "2abc", "ok", "東京"].map(stemOf)).toEqual([undefined, undefined, undefined, undefined]);
  });

  it("keeps stems apart from exact words", () => {
    expect(conversationStemTerm("channel:1", "dog")).toBe("s882fa015810e4521dog");
    expect(guildStemTerm("9", "dog")).toBe("t19581e27de7ced00dog");
  });

  it("indexes each distinct word and each distinct stem once per scope, and DMs in no server", () => {
    expect(recallTerms("c", "g", "Dog dogs cat")).toBe(
      [
        conversationTerm("c", "dog"),
        conversationTerm("c", "dogs"),
        conversationTerm("c", "cat"),
        conversationStemTerm("c", "dog"),
        conversationStemTerm("c", "cat"),
        guildTerm("g", "dog"),
        guildTerm("g", "dogs"),
        guildTerm("g", "cat"),
        guildStemTerm("g", "dog"),
        guildStemTerm("g", "cat"),
      ].join(" "),
    );
    expect(recallTerms("dm", null, "Dog 2024 東京")).toBe(
      [
        conversationTerm("dm", "dog"),
        conversationTerm("dm", "2024"),
        conversationTerm("dm", "東京"),
        conversationStemTerm("dm", "dog"),
      ].join(" "),
    );
  });
});
