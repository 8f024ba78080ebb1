import type { Db } from "./db.js";
import type { PersonNoteStore } from "./person-notes.js";
import type { SummaryStore } from "./summaries.js";
import type { ThreadStore } from "./threads.js";

/**
 * Turns deleted per transaction. A big deletion (a long channel, a retention sweep after
 * years) runs as many short transactions with a pause for other work between them, so it
 * never holds the database lock or the event loop for long.
 */
export const ERASE_BATCH_TURNS = 2000;

/** What a deletion removed. */
export interface Erased {
  readonly turns: number;
  /** Conversations whose summary drew on a deleted turn and was deleted with it. */
  readonly summariesDropped: readonly string[];
}

/** What forgetting a person removed from one database file. */
export interface PersonErased extends Erased {
  /** The bot's replies to their messages, deleted with them. */
  readonly replies: number;
  /** The notes about them, in every server and DM. */
  readonly notes: number;
  /** Whether the write-ahead log was folded in and emptied afterwards, so the file's bytes no longer hold the words. */
  readonly checkpointed: boolean;
}

interface DoomedTurn {
  id: number;
  conversation_key: string;
}

const nextTick = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Deletes turns, and with them every summary built from any of them (the full-text index
 * follows the turns through triggers, and linked Discord message ids through the foreign
 * key). Nothing else deletes turns.
 */
export class MemoryEraser {
  readonly #db: Db;
  readonly #summaries: SummaryStore;
  readonly #threads: ThreadStore;
  readonly #notes: PersonNoteStore;
  readonly #ofConversation;
  readonly #byAuthor;
  readonly #repliesTo;
  readonly #olderThan;
  readonly #eraseBatch;

  constructor(db: Db, summaries: SummaryStore, threads: ThreadStore, notes: PersonNoteStore) {
    this.#db = db;
    this.#summaries = summaries;
    this.#threads = threads;
    this.#notes = notes;
    this.#ofConversation = db.prepare<{ key: string; limit: number }, DoomedTurn>(
      "SELECT id, conversation_key FROM turns WHERE conversation_key = @key ORDER BY id LIMIT @limit",
    );
    this.#byAuthor = db.prepare<{ authorId: string; limit: number }, DoomedTurn>(
      "SELECT id, conversation_key FROM turns WHERE author_id = @authorId LIMIT @limit",
    );
    // The replies to their messages, and the replies that followed those (a cast's other personas answering the same message).
    this.#repliesTo = db.prepare<{ authorId: string }, DoomedTurn>(
      `WITH RECURSIVE replies (id) AS (
         SELECT answered_by FROM turns WHERE author_id = @authorId AND answered_by IS NOT NULL
         UNION SELECT t.answered_by FROM turns t JOIN replies r ON t.id = r.id WHERE t.answered_by IS NOT NULL
       )
       SELECT r.id, r.conversation_key FROM turns r WHERE r.id IN (SELECT id FROM replies)`,
    );
    this.#olderThan = db.prepare<{ cutoff: number; limit: number }, DoomedTurn>(
      "SELECT id, conversation_key FROM turns WHERE created_at < @cutoff ORDER BY created_at LIMIT @limit",
    );
    const deleteTurn = db.prepare("DELETE FROM turns WHERE id = @id");
    this.#eraseBatch = db.transaction((turns: readonly DoomedTurn[]): string[] => {
      const dropped = this.#dropSummariesDrawingOn(turns);
      for (const turn of turns) deleteTurn.run({ id: turn.id });
      return dropped;
    });
  }

  /** Deletes every turn, the summary and the people notes drawn from one conversation (`/memory clear`). */
  async clearConversation(conversationKey: string): Promise<Erased> {
    const erased = await this.#eraseAll(() =>
      this.#ofConversation.all({ key: conversationKey, limit: ERASE_BATCH_TURNS }),
    );
    if (this.#db.open) this.#notes.deleteFromSource(conversationKey);
    const hadSummary = this.#db.open && this.#summaries.delete(conversationKey);
    const dropped = new Set(erased.summariesDropped);
    if (hadSummary) dropped.add(conversationKey);
    return { turns: erased.turns, summariesDropped: [...dropped] };
  }

  /** Deletes every turn someone wrote, in every conversation, and the summaries that drew on them (`/memory forget-me`). */
  forgetAuthor(authorId: string): Promise<Erased> {
    return this.#eraseAll(() => this.#byAuthor.all({ authorId, limit: ERASE_BATCH_TURNS }));
  }

  /**
   * `/memory forget-me` in this file: deletes every turn someone wrote and the bot's replies
   * to them (a reply can repeat, paraphrase or translate what they said, which no redaction
   * could reliably find) and the notes about them, drops the summaries that drew on any of them, takes their id off
   * the threads they opened (the threads stay Masque's, answered without mentions), then checkpoints
   * the write-ahead log so, with secure_delete on, the words are gone from the file's bytes.
   */
  async forgetPerson(authorId: string): Promise<PersonErased> {
    const replies = this.#repliesTo.all({ authorId });
    const dropped = new Set<string>();
    for (let start = 0; start < replies.length && this.#db.open; start += ERASE_BATCH_TURNS) {
      for (const key of this.#eraseBatch(replies.slice(start, start + ERASE_BATCH_TURNS))) dropped.add(key);
      await nextTick();
    }
    const own = await this.forgetAuthor(authorId);
    for (const key of own.summariesDropped) dropped.add(key);
    if (this.#db.open) this.#threads.forgetOpener(authorId);
    const notes = this.#db.open ? this.#notes.forgetPerson(authorId) : 0;
    return {
      turns: own.turns,
      replies: replies.length,
      notes,
      summariesDropped: [...dropped],
      checkpointed: this.#checkpoint(),
    };
  }

  /** Folds the write-ahead log into the file and empties it; false when a reader kept it from finishing. */
  #checkpoint(): boolean {
    if (!this.#db.open || this.#db.memory) return true;
    const [result] = this.#db.pragma("wal_checkpoint(TRUNCATE)") as Array<{ busy: number }>;
    return result?.busy === 0;
  }

  /** Deletes a few given turns (messages refused after they were kept) and any summary built from them. */
  forgetTurns(turns: ReadonlyArray<{ id: number; conversationKey: string }>): Erased {
    if (turns.length === 0) return { turns: 0, summariesDropped: [] };
    const dropped = this.#eraseBatch(turns.map((t) => ({ id: t.id, conversation_key: t.conversationKey })));
    return { turns: turns.length, summariesDropped: dropped };
  }

  /** Deletes turns and people notes stored before `cutoffMs` (unix ms) and the summaries built from them (retention). */
  deleteOlderThan(cutoffMs: number): Promise<Erased> {
    if (this.#db.open) this.#notes.deleteOlderThan(cutoffMs);
    return this.#eraseAll(() => this.#olderThan.all({ cutoff: cutoffMs, limit: ERASE_BATCH_TURNS }));
  }

  async #eraseAll(nextBatch: () => DoomedTurn[]): Promise<Erased> {
    let turns = 0;
    const dropped = new Set<string>();
    while (this.#db.open) {
      const batch = nextBatch();
      if (batch.length === 0) break;
      for (const key of this.#eraseBatch(batch)) dropped.add(key);
      turns += batch.length;
      if (batch.length < ERASE_BATCH_TURNS) break;
      await nextTick();
    }
    return { turns, summariesDropped: [...dropped] };
  }

  /** Deletes the summaries whose turn range holds one of `turns`; returns their conversations. */
  #dropSummariesDrawingOn(turns: readonly DoomedTurn[]): string[] {
    const idsByConversation = new Map<string, number[]>();
    for (const turn of turns) {
      const ids = idsByConversation.get(turn.conversation_key);
      if (ids) ids.push(turn.id);
      else idsByConversation.set(turn.conversation_key, [turn.id]);
    }
    const dropped: string[] = [];
    for (const [key, ids] of idsByConversation) {
      const summary = this.#summaries.get(key);
      if (summary && ids.some((id) => id >= summary.firstTurnId && id <= summary.lastTurnId)) {
        this.#summaries.delete(key);
        dropped.push(key);
      }
    }
    return dropped;
  }
}
