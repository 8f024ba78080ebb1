import { createHash } from "node:crypto";
import type Database from "better-sqlite3";

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

const scopeHash = (scope: string) => createHash("sha256").update(scope).digest("hex").slice(0, SCOPE_HASH_CHARS);
const conversationScope = (conversationKey: string) => `c${scopeHash(conversationKey)}`;
const guildScope = (guildId: string) => `g${scopeHash(guildId)}`;

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

/** What the index holds for one turn: each distinct word once per scope (its conversation, and its server if any). */
export function recallTerms(conversationKey: string, guildId: string | null, content: string): string {
  const words = [...new Set(wordsOf(content))];
  const inConversation = conversationScope(conversationKey);
  const terms = words.map((w) => inConversation + w);
  if (guildId) {
    const inGuild = guildScope(guildId);
    terms.push(...words.map((w) => inGuild + w));
  }
  return terms.join(" ");
}

/** Lets the triggers that keep the recall index in sync compute terms with recallTerms. */
export function registerRecallTerms(db: Database.Database): void {
  db.function(RECALL_TERMS_FUNCTION, { deterministic: true }, (conversationKey: unknown, guildId: unknown, content: unknown) =>
    recallTerms(String(conversationKey), typeof guildId === "string" ? guildId : null, String(content ?? "")),
  );
}
