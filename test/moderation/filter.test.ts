import { describe, expect, it } from "vitest";
import {
  findBlockedWord,
  InvalidFilterEntryError,
  MAX_BLOCKED_WORD_CHARS,
  normalizeFilterEntry,
  wildcardMatch,
} from "../../src/moderation/filter.js";

describe("normalizeFilterEntry", () => {
  it("folds case, accents and width and joins words with single spaces", () => {
    expect(normalizeFilterEntry("  Free   NITRO! ")).toBe("free nitro");
    expect(normalizeFilterEntry("Ｃａｆé")).toBe("cafe");
    expect(normalizeFilterEntry("scam*")).toBe("scam*");
    expect(normalizeFilterEntry("free-nitro")).toBe("free nitro");
  });

  it("refuses entries that are too long or have too few letters", () => {
    expect(() => normalizeFilterEntry("a".repeat(MAX_BLOCKED_WORD_CHARS + 1))).toThrow(InvalidFilterEntryError);
    expect(() => normalizeFilterEntry("*")).toThrow("An entry needs at least 2 letters or digits besides `*`.");
    expect(() => normalizeFilterEntry("!!! ???")).toThrow(InvalidFilterEntryError);
    expect(() => normalizeFilterEntry("a*")).toThrow(InvalidFilterEntryError);
  });
});

describe("wildcardMatch", () => {
  it.each([
    ["scam", "scam", true],
    ["scam", "scammer", false],
    ["scam*", "scammer", true],
    ["scam*", "scam", true],
    ["*coin", "bitcoin", true],
    ["b*t*n", "bitcoin", true],
    ["b*t*x", "bitcoin", false],
    ["**", "", true],
    ["a", "", false],
  ])("%s against %s is %s", (pattern, word, expected) => {
    expect(wildcardMatch(pattern, word)).toBe(expected);
  });

  it("answers a pattern built to make regular expressions backtrack (a catastrophic matcher would time the test out)", () => {
    expect(wildcardMatch(`${"a*".repeat(25)}b`, "a".repeat(5000))).toBe(false);
    expect(findBlockedWord(`${"a".repeat(2000)} `.repeat(2), [`${"a*".repeat(25)}b`])).toBeUndefined();
  });
});

describe("findBlockedWord", () => {
  const entries = ["free nitro", "scam*"];

  it("finds whole words and phrases regardless of case, accents and punctuation", () => {
    expect(findBlockedWord("Get FREE-Nitro now!!", entries)).toBe("free nitro");
    expect(findBlockedWord("what a SCAMMER", entries)).toBe("scam*");
    expect(findBlockedWord("frée nitro", entries)).toBe("free nitro");
  });

  it("does not match inside other words or across a gap", () => {
    expect(findBlockedWord("freedom nitrogen", entries)).toBeUndefined();
    expect(findBlockedWord("free the nitro", entries)).toBeUndefined();
    expect(findBlockedWord("anything at all", [])).toBeUndefined();
  });
});
