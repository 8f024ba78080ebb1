import type { Db } from "./db.js";

/** One short fact about a person, drawn from their own messages in `sourceKey`. */
export interface PersonNote {
  readonly id: number;
  /** The server it belongs to; null for a DM's. */
  readonly guildId: string | null;
  readonly userId: string;
  readonly content: string;
  /** The conversation whose messages it came from: it goes elsewhere only where that conversation's words may. */
  readonly sourceKey: string;
  readonly createdAt: number;
}

/** What a note pass changes in one person's notes: the notes it merged away, and the new ones. */
export interface NoteChange {
  readonly guildId: string | null;
  readonly userId: string;
  readonly removeIds: readonly number[];
  readonly add: readonly string[];
  readonly sourceKey: string;
  /** At most this many notes are kept for the person in the scope; the oldest go first. */
  readonly max: number;
}

interface NoteRow {
  id: number;
  guild_id: string | null;
  user_id: string;
  content: string;
  source_key: string;
  created_at: number;
}

const toNote = (row: NoteRow): PersonNote => ({
  id: row.id,
  guildId: row.guild_id,
  userId: row.user_id,
  content: row.content,
  sourceKey: row.source_key,
  createdAt: row.created_at,
});

/**
 * People notes and each person's choice about them. A prompt shows the notes as they were at
 * a moment it keeps per conversation (see `shownUpTo`), so a new note does not change a
 * prompt's stable part on the next message, only when that part changes anyway.
 */
export class PersonNoteStore {
  readonly #of;
  readonly #insert;
  readonly #deleteOne;
  readonly #deleteMine;
  readonly #deleteScope;
  readonly #deletePerson;
  readonly #deleteSource;
  readonly #deleteOlder;
  readonly #overflow;
  readonly #latest;
  readonly #choice;
  readonly #setChoice;
  readonly #serverKeeps;
  readonly #replace;
  /** Per conversation: what its shown notes were based on, and the newest note id shown. */
  readonly #shown = new Map<string, { basis: string; upTo: number }>();

  constructor(db: Db) {
    const scope = "user_id = @userId AND guild_id IS @guildId";
    this.#of = db.prepare<{ guildId: string | null; userId: string }, NoteRow>(
      `SELECT * FROM person_notes WHERE ${scope} ORDER BY id`,
    );
    this.#insert = db.prepare(
      "INSERT INTO person_notes (guild_id, user_id, content, source_key, created_at) VALUES (@guildId, @userId, @content, @sourceKey, @now)",
    );
    this.#deleteOne = db.prepare(`DELETE FROM person_notes WHERE id = @id AND ${scope}`);
    this.#deleteMine = db.prepare("DELETE FROM person_notes WHERE id = @id AND user_id = @userId");
    this.#deleteScope = db.prepare(`DELETE FROM person_notes WHERE ${scope}`);
    this.#deletePerson = db.prepare("DELETE FROM person_notes WHERE user_id = @userId");
    this.#deleteSource = db.prepare("DELETE FROM person_notes WHERE source_key = @key");
    this.#deleteOlder = db.prepare("DELETE FROM person_notes WHERE created_at < @cutoff");
    this.#overflow = db.prepare(
      `DELETE FROM person_notes WHERE id IN (SELECT id FROM person_notes WHERE ${scope} ORDER BY id DESC LIMIT -1 OFFSET @max)`,
    );
    this.#latest = db.prepare<[], number>("SELECT coalesce(max(id), 0) FROM person_notes").pluck();
    this.#choice = db
      .prepare<{ guildId: string | null; userId: string }, number>(
        `SELECT keep FROM person_note_choices WHERE ${scope}`,
      )
      .pluck();
    this.#setChoice = db.prepare(
      `INSERT INTO person_note_choices (guild_id, user_id, keep, set_at) VALUES (@guildId, @userId, @keep, @now)
       ON CONFLICT (user_id, coalesce(guild_id, '')) DO UPDATE SET keep = excluded.keep, set_at = excluded.set_at`,
    );
    this.#serverKeeps = db
      .prepare<{ guildId: string }, number>("SELECT person_notes FROM guild_moderation WHERE guild_id = @guildId")
      .pluck();
    this.#replace = db.transaction((change: NoteChange) => {
      const { guildId, userId } = change;
      for (const id of change.removeIds) this.#deleteOne.run({ id, guildId, userId });
      const now = Date.now();
      for (const content of change.add)
        this.#insert.run({ guildId, userId, content, sourceKey: change.sourceKey, now });
      this.#overflow.run({ guildId, userId, max: change.max });
    });
  }

  /** Whether notes are kept about this person here: a server's admins turned them on and the person did not turn them off; in a DM, the person turned them on. */
  keeps(guildId: string | null, userId: string): boolean {
    const choice = this.#choice.get({ guildId, userId });
    if (guildId === null) return choice === 1;
    return this.serverKeeps(guildId) && choice !== 0;
  }

  /** Whether a server's admins turned people notes on (`/masque notes`). */
  serverKeeps(guildId: string): boolean {
    return this.#serverKeeps.get({ guildId }) === 1;
  }

  /** The person's own choice here; undefined when they made none. */
  choice(guildId: string | null, userId: string): boolean | undefined {
    const keep = this.#choice.get({ guildId, userId });
    return keep === undefined ? undefined : keep === 1;
  }

  setChoice(guildId: string | null, userId: string, keep: boolean): void {
    this.#setChoice.run({ guildId, userId, keep: Number(keep), now: Date.now() });
  }

  /** A person's notes here, oldest first. */
  of(guildId: string | null, userId: string): PersonNote[] {
    return this.#of.all({ guildId, userId }).map(toNote);
  }

  /** Applies a note pass's result in one transaction. */
  change(change: NoteChange): void {
    this.#replace(change);
  }

  /** Deletes one of the person's notes; false when it is not theirs or gone. */
  deleteOne(userId: string, id: number): boolean {
    return this.#deleteMine.run({ id, userId }).changes > 0;
  }

  /** Deletes every note about the person here; returns how many. */
  deleteAll(guildId: string | null, userId: string): number {
    return this.#deleteScope.run({ guildId, userId }).changes;
  }

  /** Deletes every note about the person, in every server and DM (forget-me). */
  forgetPerson(userId: string): number {
    return this.#deletePerson.run({ userId }).changes;
  }

  /** Deletes the notes drawn from one conversation (its memory was cleared). */
  deleteFromSource(conversationKey: string): number {
    return this.#deleteSource.run({ key: conversationKey }).changes;
  }

  /** Deletes notes written before `cutoffMs` (retention). */
  deleteOlderThan(cutoffMs: number): number {
    return this.#deleteOlder.run({ cutoff: cutoffMs }).changes;
  }

  /**
   * The newest note id a conversation's prompt shows: kept while `basis` (what the prompt's
   * stable part is made of: the summary, the people in the window) stays the same, moved to
   * the newest note when it changes. In memory: a restart shows the newest notes once.
   */
  shownUpTo(conversationKey: string, basis: string): number {
    const shown = this.#shown.get(conversationKey);
    if (shown?.basis === basis) return shown.upTo;
    const upTo = this.#latest.get() ?? 0;
    this.#shown.set(conversationKey, { basis, upTo });
    return upTo;
  }
}
