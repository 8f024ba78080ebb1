import type { Db } from "./db.js";
import { TURN_COLUMNS, type Turn, type TurnRow, toTurn } from "./turns.js";

/** No turn id reaches this; used as "no upper bound". */
const NO_ID_LIMIT = Number.MAX_SAFE_INTEGER;

/** How a conversation key or server id is indexed in `turns_fts`: one hex token (see migration 002). */
export function scopeToken(value: string): string {
  return Buffer.from(value, "utf8").toString("hex");
}

/** A string as an FTS5 phrase: quoted, quotes doubled, so no input is ever read as query syntax. */
export function ftsPhrase(text: string): string {
  return `"${text.replaceAll('"', '""')}"`;
}

/** Matches turns whose text holds any of `words`. */
function anyWord(words: readonly string[]): string {
  return `content : (${words.map(ftsPhrase).join(" OR ")})`;
}

/** The FTS5 query for turns of one conversation that hold any of `words`. */
export function conversationQuery(conversationKey: string, words: readonly string[]): string {
  return `conversation : ${ftsPhrase(scopeToken(conversationKey))} AND ${anyWord(words)}`;
}

/** The FTS5 query for turns of a server's other conversations that hold any of `words`. */
export function serverQuery(guildId: string, excludedConversationKey: string, words: readonly string[]): string {
  return `(guild : ${ftsPhrase(scopeToken(guildId))} AND ${anyWord(words)}) NOT conversation : ${ftsPhrase(scopeToken(excludedConversationKey))}`;
}

export interface ConversationSearch {
  readonly conversationKey: string;
  /** Only turns with a smaller id (older than the recent window). */
  readonly beforeId: number;
  /** Plain words; any of them matches. */
  readonly words: readonly string[];
  /** At most this many turns, the newest matches first. */
  readonly limit: number;
}

export interface ServerSearch {
  readonly guildId: string;
  /** The conversation being answered, searched separately with its own window bound. */
  readonly excludedConversationKey: string;
  readonly words: readonly string[];
  readonly limit: number;
}

/**
 * Full-text search over stored turns, for recall, and the per-server recall setting.
 * A search is confined to one conversation (or one server) inside the FTS index and reads
 * the newest `limit` matches only, so its cost does not grow with the rest of the history.
 */
export class RecallStore {
  readonly #search;
  readonly #getServerWide;
  readonly #setServerWide;

  constructor(db: Db) {
    this.#search = db.prepare<{ query: string; beforeId: number; limit: number }, TurnRow>(
      `SELECT ${TURN_COLUMNS} FROM turns WHERE id IN (
         SELECT rowid FROM turns_fts WHERE turns_fts MATCH @query AND rowid < @beforeId ORDER BY rowid DESC LIMIT @limit
       ) ORDER BY id DESC`,
    );
    this.#getServerWide = db.prepare<{ guildId: string }, { server_wide_recall: number }>(
      "SELECT server_wide_recall FROM guild_memory_settings WHERE guild_id = @guildId",
    );
    this.#setServerWide = db.prepare(
      `INSERT INTO guild_memory_settings (guild_id, server_wide_recall, set_by, set_at) VALUES (@guildId, @on, @setBy, @now)
       ON CONFLICT (guild_id) DO UPDATE SET server_wide_recall = excluded.server_wide_recall, set_by = excluded.set_by, set_at = excluded.set_at`,
    );
  }

  /** Turns of one conversation, older than `beforeId`, holding any of the words; newest first. */
  searchConversation(search: ConversationSearch): Turn[] {
    if (search.words.length === 0) return [];
    return this.#search
      .all({ query: conversationQuery(search.conversationKey, search.words), beforeId: search.beforeId, limit: search.limit })
      .map(toTurn);
  }

  /** Turns of the server's other conversations holding any of the words; newest first. */
  searchServer(search: ServerSearch): Turn[] {
    if (search.words.length === 0) return [];
    return this.#search
      .all({ query: serverQuery(search.guildId, search.excludedConversationKey, search.words), beforeId: NO_ID_LIMIT, limit: search.limit })
      .map(toTurn);
  }

  /** Whether recall in this server may bring back what was said in its other channels (default off). */
  serverWide(guildId: string): boolean {
    return this.#getServerWide.get({ guildId })?.server_wide_recall === 1;
  }

  setServerWide(guildId: string, on: boolean, setBy: string | null = null): void {
    this.#setServerWide.run({ guildId, on: on ? 1 : 0, setBy, now: Date.now() });
  }
}
