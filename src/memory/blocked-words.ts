import type { Db } from "./db.js";

/** A server's blocked words and phrases (`/masque filter`); table blocked_words. */
export class BlockedWordStore {
  readonly #add;
  readonly #remove;
  readonly #list;

  constructor(db: Db) {
    this.#add = db.prepare(
      `INSERT INTO blocked_words (guild_id, entry, added_by, added_at) VALUES (@guildId, @entry, @addedBy, @now)
       ON CONFLICT (guild_id, entry) DO NOTHING`,
    );
    this.#remove = db.prepare("DELETE FROM blocked_words WHERE guild_id = @guildId AND entry = @entry");
    this.#list = db.prepare<{ guildId: string }, { entry: string }>(
      "SELECT entry FROM blocked_words WHERE guild_id = @guildId ORDER BY added_at, entry",
    );
  }

  /** Returns false when the entry was already listed. */
  add(guildId: string, entry: string, addedBy: string): boolean {
    return this.#add.run({ guildId, entry, addedBy, now: Date.now() }).changes > 0;
  }

  /** Returns false when the entry was not listed. */
  remove(guildId: string, entry: string): boolean {
    return this.#remove.run({ guildId, entry }).changes > 0;
  }

  list(guildId: string): string[] {
    return this.#list.all({ guildId }).map((row) => row.entry);
  }
}
