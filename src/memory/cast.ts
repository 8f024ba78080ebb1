import type { Db } from "./db.js";

/** A persona in a conversation's cast, beside its lead. */
export interface CastMember {
  readonly personaId: string;
  readonly addedBy: string | null;
  readonly addedAt: number;
}

/** Stores the personas that answer in a conversation beside its lead persona, in the order they were added. */
export class CastStore {
  readonly #members;
  readonly #add;
  readonly #remove;
  readonly #clear;

  constructor(db: Db) {
    this.#members = db.prepare<{ key: string }, { persona_id: string; added_by: string | null; added_at: number }>(
      "SELECT persona_id, added_by, added_at FROM conversation_cast WHERE conversation_key = @key ORDER BY added_at, rowid",
    );
    this.#add = db.prepare(
      `INSERT INTO conversation_cast (conversation_key, guild_id, persona_id, added_by, added_at) VALUES (@key, @guildId, @personaId, @addedBy, @now)
       ON CONFLICT (conversation_key, persona_id) DO NOTHING`,
    );
    this.#remove = db.prepare(
      "DELETE FROM conversation_cast WHERE conversation_key = @key AND persona_id = @personaId",
    );
    this.#clear = db.prepare("DELETE FROM conversation_cast WHERE conversation_key = @key");
  }

  /** The conversation's own cast, oldest first (a thread's parent is not consulted here). */
  members(conversationKey: string): CastMember[] {
    return this.#members
      .all({ key: conversationKey })
      .map((row) => ({ personaId: row.persona_id, addedBy: row.added_by, addedAt: row.added_at }));
  }

  /** Returns false when the persona was in the cast already. */
  add(conversationKey: string, guildId: string | null, personaId: string, addedBy: string | null = null): boolean {
    return this.#add.run({ key: conversationKey, guildId, personaId, addedBy, now: Date.now() }).changes > 0;
  }

  /** Returns false when the persona was not in the cast. */
  remove(conversationKey: string, personaId: string): boolean {
    return this.#remove.run({ key: conversationKey, personaId }).changes > 0;
  }

  /** Empties the conversation's cast; returns how many personas left it. */
  clear(conversationKey: string): number {
    return this.#clear.run({ key: conversationKey }).changes;
  }
}
