import type { Db } from "./db.js";

/** A conversation's rolling summary: it stands in for its turns `firstTurnId..lastTurnId`. */
export interface Summary {
  readonly conversationKey: string;
  readonly content: string;
  readonly firstTurnId: number;
  readonly lastTurnId: number;
  readonly tokenCount: number;
  readonly updatedAt: number;
}

export type NewSummary = Omit<Summary, "updatedAt">;

/**
 * What a new summary was built from. A summary is written after a slow model call; by
 * then the turns or the old summary may have been deleted (`/memory forget-me`, clear,
 * retention), and a summary built from deleted words must not be saved.
 */
export interface SummaryBasis {
  /** The summary that was folded in, as it was read; undefined when starting afresh. */
  readonly previous: Summary | undefined;
  /** The turns that were folded in: their id range and how many there were. */
  readonly batchFirstId: number;
  readonly batchLastId: number;
  readonly batchSize: number;
}

interface SummaryRow {
  conversation_key: string;
  content: string;
  first_turn_id: number;
  last_turn_id: number;
  token_count: number;
  updated_at: number;
}

function toSummary(row: SummaryRow): Summary {
  return {
    conversationKey: row.conversation_key,
    content: row.content,
    firstTurnId: row.first_turn_id,
    lastTurnId: row.last_turn_id,
    tokenCount: row.token_count,
    updatedAt: row.updated_at,
  };
}

function sameSummary(a: Summary | undefined, b: Summary | undefined): boolean {
  if (!a || !b) return a === b;
  return a.firstTurnId === b.firstTurnId && a.lastTurnId === b.lastTurnId && a.content === b.content;
}

/** Stores one rolling summary per conversation. Every query is a primary-key or index lookup. */
export class SummaryStore {
  readonly #get;
  readonly #upsert;
  readonly #delete;
  readonly #countRange;
  readonly #saveIfUnchanged;

  constructor(db: Db) {
    this.#get = db.prepare<{ key: string }, SummaryRow>(
      "SELECT conversation_key, content, first_turn_id, last_turn_id, token_count, updated_at FROM summaries WHERE conversation_key = @key",
    );
    this.#upsert = db.prepare(
      `INSERT INTO summaries (conversation_key, content, first_turn_id, last_turn_id, token_count, updated_at)
       VALUES (@conversationKey, @content, @firstTurnId, @lastTurnId, @tokenCount, @now)
       ON CONFLICT (conversation_key) DO UPDATE SET content = excluded.content, first_turn_id = excluded.first_turn_id,
         last_turn_id = excluded.last_turn_id, token_count = excluded.token_count, updated_at = excluded.updated_at`,
    );
    this.#delete = db.prepare("DELETE FROM summaries WHERE conversation_key = @key");
    this.#countRange = db.prepare<{ key: string; firstId: number; lastId: number }, { n: number }>(
      "SELECT count(*) AS n FROM turns WHERE conversation_key = @key AND id BETWEEN @firstId AND @lastId",
    );
    this.#saveIfUnchanged = db.transaction((summary: NewSummary, basis: SummaryBasis): boolean => {
      if (!sameSummary(this.get(summary.conversationKey), basis.previous)) return false;
      const stillThere =
        this.#countRange.get({ key: summary.conversationKey, firstId: basis.batchFirstId, lastId: basis.batchLastId })
          ?.n ?? 0;
      if (stillThere !== basis.batchSize) return false;
      this.#upsert.run({ ...summary, now: Date.now() });
      return true;
    });
  }

  get(conversationKey: string): Summary | undefined {
    const row = this.#get.get({ key: conversationKey });
    return row ? toSummary(row) : undefined;
  }

  /**
   * Saves a summary unless what it was built from changed meanwhile (the old summary was
   * replaced or deleted, or a turn of the batch was deleted). Returns whether it was saved.
   */
  saveIfUnchanged(summary: NewSummary, basis: SummaryBasis): boolean {
    return this.#saveIfUnchanged(summary, basis);
  }

  /** Returns whether there was a summary. */
  delete(conversationKey: string): boolean {
    return this.#delete.run({ key: conversationKey }).changes > 0;
  }
}
