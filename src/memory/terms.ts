import { createHash } from "node:crypto";
import type Database from "better-sqlite3";
import { stemmer } from "stemmer";

/** The SQL function the recall triggers call (see migration 004); registered on every connection. */
export const RECALL_TERMS_FUNCTION = "masque_recall_terms";

const WORD = /[\p{L}\p{N}]+/gu;
const COMBINING_MARKS = /\p{M}/gu;
/** Hex digits of a scope's hash in a term: 64 bits, so two scopes practically never share one. */
const SCOPE_HASH_CHARS = 16;

/** The words of a text as recall sees them: letters and digits, lower case, accents removed. */
export function wordsOf(text: string): string[] {
  return text.normalize("NFKD").replace(COMBINING_MARKS, "").toLowerCase().match(WORD) ?? [];
}

/** English words stem (Porter); a word with digits or letters outside a-z keeps only its exact form. */
const STEMMABLE = /^[a-z]+$/;
/** Shorter words are left as they are: Porter's rules are for words, not abbreviations. */
const MIN_STEM_LENGTH = 3;

/**
 * The stem of an English word ("dogs", "dog's" → "dog"; "named", "naming" → "name"), by
 * Porter's algorithm; undefined for a word it is not for (digits, other scripts, short).
 * Names stem too ("Biscuits" → "biscuit"), which only ever widens what a search finds:
 * the exact form stays indexed beside it.
 */
export function stemOf(word: string): string | undefined {
  return word.length >= MIN_STEM_LENGTH && STEMMABLE.test(word) ? stemmer(word) : undefined;
}

const scopeHash = (scope: string) => createHash("sha256").update(scope).digest("hex").slice(0, SCOPE_HASH_CHARS);
const conversationScope = (conversationKey: string) => `c${scopeHash(conversationKey)}`;
const guildScope = (guildId: string) => `g${scopeHash(guildId)}`;
// Stems live under their own prefixes, so a stem ("hous") never matches an exact word spelled the same.
const conversationStemScope = (conversationKey: string) => `s${scopeHash(conversationKey)}`;
const guildStemScope = (guildId: string) => `t${scopeHash(guildId)}`;

/**
 * The index term for `word` said in a conversation: `c`, a fixed-length hash of the
 * conversation key, then the word. Scoping the term keeps a search inside that
 * conversation's postings, so its cost does not grow with everyone else's history. The
 * index's `ascii` tokenizer takes every non-ASCII character as part of a token, so a word
 * of letters and digits is always exactly one token. (Queries check the conversation on
 * each row too, so even a hash collision could not leak another conversation's words.)
 */
export function conversationTerm(conversationKey: string, word: string): string {
  return conversationScope(conversationKey) + word;
}

/** The index term for `word` said anywhere in a server, for server-wide recall. */
export function guildTerm(guildId: string, word: string): string {
  return guildScope(guildId) + word;
}

/** The index term for an English word's stem (see stemOf) said in a conversation. */
export function conversationStemTerm(conversationKey: string, stem: string): string {
  return conversationStemScope(conversationKey) + stem;
}

/** The index term for an English word's stem said anywhere in a server. */
export function guildStemTerm(guildId: string, stem: string): string {
  return guildStemScope(guildId) + stem;
}

/**
 * What the index holds for one turn: each distinct word once per scope (its conversation,
 * and its server if any), then each distinct stem once per scope, so "my dogs" finds
 * "my dog" and a name or a word of another language still finds itself.
 */
export function recallTerms(conversationKey: string, guildId: string | null, content: string): string {
  const words = [...new Set(wordsOf(content))];
  const stems = [...new Set(words.flatMap((w) => stemOf(w) ?? []))];
  const scoped = (wordScope: string, stemScope: string) => [
    ...words.map((w) => wordScope + w),
    ...stems.map((s) => stemScope + s),
  ];
  const terms = scoped(conversationScope(conversationKey), conversationStemScope(conversationKey));
  if (guildId) terms.push(...scoped(guildScope(guildId), guildStemScope(guildId)));
  return terms.join(" ");
}

/** Lets the triggers that keep the recall index in sync compute terms with recallTerms. */
export function registerRecallTerms(db: Database.Database): void {
  db.function(
    RECALL_TERMS_FUNCTION,
    { deterministic: true },
    (conversationKey: unknown, guildId: unknown, content: unknown) =>
      recallTerms(String(conversationKey), typeof guildId === "string" ? guildId : null, String(content ?? "")),
  );
}
