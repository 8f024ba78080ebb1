import { MASQUE_TEXTS } from "../texts.js";

/** Most entries in a server's blocked-words list. */
export const MAX_BLOCKED_WORDS = 100;
/** Longest entry, in characters. */
export const MAX_BLOCKED_WORD_CHARS = 60;
/** An entry needs this many letters or digits besides wildcards, so "*" alone cannot block everything. */
export const MIN_LITERAL_CHARS = 2;

const WILDCARD = "*";
/** Words of an entry: letters, digits and wildcards. */
const ENTRY_WORDS = /[\p{L}\p{N}*]+/gu;
/** Words of a message: letters and digits; everything else separates them. */
const TEXT_WORDS = /[\p{L}\p{N}]+/gu;
const COMBINING_MARKS = /\p{M}/gu;

/** Why an entry cannot go on the list, in words an admin can act on. */
export class InvalidFilterEntryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "InvalidFilterEntryError";
  }
}

/** Compatibility forms folded, accents dropped, lower case: "Ｆｒéé" and "free" compare equal. */
function fold(text: string): string {
  return text.normalize("NFKD").replace(COMBINING_MARKS, "").toLowerCase();
}

/**
 * Turns what an admin typed into a stored entry: folded, words joined by single spaces.
 * Punctuation separates words, `*` stands for any letters or digits inside a word.
 * Throws InvalidFilterEntryError for an empty, too long or all-wildcard entry.
 */
export function normalizeFilterEntry(raw: string): string {
  if (raw.length > MAX_BLOCKED_WORD_CHARS)
    throw new InvalidFilterEntryError(MASQUE_TEXTS.filterEntryTooLong(MAX_BLOCKED_WORD_CHARS));
  const words = fold(raw).match(ENTRY_WORDS) ?? [];
  const literal = words.join("").replaceAll(WILDCARD, "").length;
  if (literal < MIN_LITERAL_CHARS)
    throw new InvalidFilterEntryError(MASQUE_TEXTS.filterEntryTooVague(MIN_LITERAL_CHARS));
  return words.join(" ");
}

/**
 * Whether `word` matches `pattern`, where `*` matches any run of characters (or none).
 * Greedy with one backtrack point, so the time is at most length × length: no pattern can
 * make it blow up the way a regular expression can.
 */
export function wildcardMatch(pattern: string, word: string): boolean {
  let p = 0;
  let w = 0;
  let star = -1;
  let resumeAt = 0;
  while (w < word.length) {
    if (p < pattern.length && pattern[p] !== WILDCARD && pattern[p] === word[w]) {
      p++;
      w++;
    } else if (p < pattern.length && pattern[p] === WILDCARD) {
      star = p++;
      resumeAt = w;
    } else if (star !== -1) {
      p = star + 1;
      w = ++resumeAt;
    } else {
      return false;
    }
  }
  while (pattern[p] === WILDCARD) p++;
  return p === pattern.length;
}

/**
 * The first entry found in `text`, if any. Entries match whole words (a phrase matches
 * consecutive words), ignoring case, accents and punctuation: "free nitro" catches
 * "FREE-Nitro!" but not "freedom nitrogen"; "scam*" catches "scammer".
 */
export function findBlockedWord(text: string, entries: readonly string[]): string | undefined {
  if (entries.length === 0) return undefined;
  const words = fold(text).match(TEXT_WORDS) ?? [];
  for (const entry of entries) {
    const parts = entry.split(" ");
    for (let start = 0; start + parts.length <= words.length; start++) {
      if (parts.every((part, i) => wildcardMatch(part, words[start + i]!))) return entry;
    }
  }
  return undefined;
}
