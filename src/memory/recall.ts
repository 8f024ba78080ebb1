import type { Db } from "./db.js";
import { conversationStemTerm, conversationTerm, guildStemTerm, guildTerm, stemOf, wordsOf } from "./terms.js";
import { TURN_COLUMNS, type TurnRow } from "./turn-rows.js";
import { type Turn, turnFromRow } from "./turns.js";

/** No turn id reaches this; used as "no upper bound". */
const NO_ID_LIMIT = Number.MAX_SAFE_INTEGER;

/** A string as an FTS5 phrase: quoted, quotes doubled, so no input is ever read as query syntax. */
export function ftsPhrase(text: string): string {
  return `"${text.replaceAll('"', '""')}"`;
}

const anyOf = (terms: readonly string[]) => `(${terms.map(ftsPhrase).join(" OR ")})`;

/**
 * The words to search for, each as the index holds words. The index keeps no positions,
 * so every phrase must be a single token, and wordsOf guarantees that for any input.
 */
export function searchWords(words: readonly string[]): string[] {
  return [...new Set(words.flatMap(wordsOf))];
}

/**
 * How words match: `stems` finds any form of an English word ("dogs" finds "dog", "named"
 * finds "naming") and every word by its exact form too; `exact` only the exact form (what
 * recall did before stems, kept as the recall benchmark's floor).
 */
export type WordForms = "stems" | "exact";

/** The index terms a word is searched by in one scope: its exact form, and its stem when it has one. */
function termsFor(
  words: readonly string[],
  forms: WordForms,
  exact: (w: string) => string,
  stemmed: (s: string) => string,
): string[] {
  return searchWords(words).flatMap((w) => {
    const stem = forms === "stems" ? stemOf(w) : undefined;
    return stem === undefined ? [exact(w)] : [exact(w), stemmed(stem)];
  });
}

/** The FTS5 query for turns of one conversation holding any of `words` (in any form, with stems). */
export function conversationQuery(
  conversationKey: string,
  words: readonly string[],
  forms: WordForms = "stems",
): string {
  return anyOf(
    termsFor(
      words,
      forms,
      (w) => conversationTerm(conversationKey, w),
      (s) => conversationStemTerm(conversationKey, s),
    ),
  );
}

/** The FTS5 query for turns of a server's other conversations holding any of `words`. */
export function serverQuery(
  guildId: string,
  excludedConversationKey: string,
  words: readonly string[],
  forms: WordForms = "stems",
): string {
  const inServer = anyOf(
    termsFor(
      words,
      forms,
      (w) => guildTerm(guildId, w),
      (s) => guildStemTerm(guildId, s),
    ),
  );
  return `${inServer} NOT ${conversationQuery(excludedConversationKey, words, forms)}`;
}

/** A search hit: enough to rank it; `turns()` reads the chosen ones whole. */
export interface RecallHit {
  readonly id: number;
  readonly conversationKey: string;
  readonly content: string;
}

export interface ConversationSearch {
  readonly conversationKey: string;
  /** Only turns with a smaller id (older than the recent window). */
  readonly beforeId: number;
  /** Any of these words matches; they are read as wordsOf reads text. */
  readonly words: readonly string[];
  /** At most this many turns, the newest matches first. */
  readonly limit: number;
  /** Default stems. */
  readonly forms?: WordForms;
}

export interface ServerSearch {
  readonly guildId: string;
  /** The conversation being answered, searched separately with its own window bound. */
  readonly excludedConversationKey: string;
  readonly words: readonly string[];
  readonly limit: number;
  /** Default stems. */
  readonly forms?: WordForms;
}

/**
 * Full-text search over stored turns, for recall, and the per-server recall setting.
 * A search reads only its conversation's (or server's) terms in the index, and only the
 * newest `limit` matches, so its cost does not grow with the rest of the history.
 */
export class RecallStore {
  readonly #searchConversation;
  readonly #searchServer;
  readonly #turnsByIds;
  readonly #getServerWide;
  readonly #setServerWide;

  constructor(db: Db) {
    const newestMatches =
      "SELECT rowid FROM turns_fts WHERE turns_fts MATCH @query AND rowid < @beforeId ORDER BY rowid DESC LIMIT @limit";
    // The scope is in the index terms already; checking it again on the rows costs nothing and makes a leak impossible.
    this.#searchConversation = db.prepare<{ query: string; beforeId: number; limit: number; key: string }, RecallHit>(
      `SELECT id, conversation_key AS conversationKey, content FROM turns WHERE id IN (${newestMatches}) AND conversation_key = @key ORDER BY id DESC`,
    );
    this.#searchServer = db.prepare<
      { query: string; beforeId: number; limit: number; guildId: string; excluded: string },
      RecallHit
    >(
      `SELECT t.id, t.conversation_key AS conversationKey, t.content
         FROM turns t JOIN conversations c ON c.key = t.conversation_key
        WHERE t.id IN (${newestMatches}) AND c.guild_id = @guildId AND t.conversation_key <> @excluded
        ORDER BY t.id DESC`,
    );
    this.#turnsByIds = db
      .prepare<{ ids: string }, TurnRow>(
        `SELECT ${TURN_COLUMNS} FROM turns WHERE id IN (SELECT value FROM json_each(@ids)) ORDER BY id`,
      )
      .raw(true);
    this.#getServerWide = db.prepare<{ guildId: string }, { server_wide_recall: number }>(
      "SELECT server_wide_recall FROM guild_memory_settings WHERE guild_id = @guildId",
    );
    this.#setServerWide = db.prepare(
      `INSERT INTO guild_memory_settings (guild_id, server_wide_recall, set_by, set_at) VALUES (@guildId, @on, @setBy, @now)
       ON CONFLICT (guild_id) DO UPDATE SET server_wide_recall = excluded.server_wide_recall, set_by = excluded.set_by, set_at = excluded.set_at`,
    );
  }

  /** Turns of one conversation, older than `beforeId`, holding any of the words; newest first. */
  searchConversation(search: ConversationSearch): RecallHit[] {
    if (searchWords(search.words).length === 0) return [];
    const query = conversationQuery(search.conversationKey, search.words, search.forms);
    return this.#searchConversation.all({
      query,
      beforeId: search.beforeId,
      limit: search.limit,
      key: search.conversationKey,
    });
  }

  /** Turns of the server's other conversations holding any of the words; newest first. */
  searchServer(search: ServerSearch): RecallHit[] {
    if (searchWords(search.words).length === 0) return [];
    const query = serverQuery(search.guildId, search.excludedConversationKey, search.words, search.forms);
    return this.#searchServer.all({
      query,
      beforeId: NO_ID_LIMIT,
      limit: search.limit,
      guildId: search.guildId,
      excluded: search.excludedConversationKey,
    });
  }

  /** Whole turns for the hits chosen, oldest first. */
  turns(ids: readonly number[]): Turn[] {
    return ids.length === 0 ? [] : this.#turnsByIds.all({ ids: JSON.stringify(ids) }).map(turnFromRow);
  }

  /** Whether recall in this server may bring back what was said in its other channels (default off). */
  serverWide(guildId: string): boolean {
    return this.#getServerWide.get({ guildId })?.server_wide_recall === 1;
  }

  setServerWide(guildId: string, on: boolean, setBy: string | null = null): void {
    this.#setServerWide.run({ guildId, on: on ? 1 : 0, setBy, now: Date.now() });
  }
}
