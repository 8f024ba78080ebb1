import { countTurnTokens } from "../../src/chat/tokens.js";
import type { Db } from "../../src/memory/db.js";
import { conversationQuery } from "../../src/memory/recall.js";
import type { NewTurn } from "../../src/memory/turns.js";

/** A fixed clock value for stored turns, so tests do not depend on the time they run. */
export const T0 = Date.UTC(2025, 0, 1);

/** A person's turn, with its real token count. */
export function said(
  authorName: string,
  content: string,
  options: { authorId?: string; createdAt?: number } = {},
): NewTurn {
  return {
    role: "user",
    authorId: options.authorId ?? `id-${authorName.toLowerCase()}`,
    authorName,
    content,
    tokenCount: countTurnTokens(authorName, content),
    createdAt: options.createdAt ?? T0,
  };
}

/** A persona's turn. */
export function replied(personaId: string, personaName: string, content: string, createdAt = T0): NewTurn {
  return {
    role: "assistant",
    authorId: `persona:${personaId}`,
    authorName: personaName,
    personaId,
    content,
    tokenCount: countTurnTokens(personaName, content),
    createdAt,
  };
}

/** Turn ids the recall index holds for `word` in a conversation, read from the index itself. */
export function indexedTurnIds(db: Db, conversationKey: string, word: string): number[] {
  return db
    .prepare("SELECT rowid FROM turns_fts WHERE turns_fts MATCH @query ORDER BY rowid")
    .pluck()
    .all({ query: conversationQuery(conversationKey, [word]) }) as number[];
}

/** How many index terms (in any conversation or server) stand for `word`, read from the index's vocabulary. */
export function indexTermCount(db: Db, word: string): number {
  db.exec("CREATE VIRTUAL TABLE IF NOT EXISTS temp.turns_fts_vocab USING fts5vocab(main, turns_fts, row)");
  // A term is a scope letter, a 16-character hash, then the word (src/memory/terms.ts).
  return db
    .prepare("SELECT count(*) FROM temp.turns_fts_vocab WHERE substr(term, 18) = @word")
    .pluck()
    .get({ word }) as number;
}

/** Whether the recall index's pages still hold the bytes of `word`'s term (a distinctive word, so prefix compression cannot hide it). */
export function indexBytesHold(db: Db, word: string): boolean {
  const tail = word.slice(1);
  const blocks = db.prepare("SELECT block FROM turns_fts_data").pluck().all() as Buffer[];
  return blocks.some((block) => Buffer.from(block).toString("latin1").includes(tail));
}

/** Rows in the recall index: one per stored turn when the two are in step. */
export function indexRowCount(db: Db): number {
  return db.prepare("SELECT count(*) FROM turns_fts").pluck().get() as number;
}
