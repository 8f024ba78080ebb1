import type { Db } from "./db.js";

export interface BlockedUser {
  readonly userId: string;
  readonly blockedBy: string;
  readonly reason: string | null;
  readonly blockedAt: number;
}

/** The people a server's admins blocked from talking to the bot (`/masque block`); table blocked_users. */
export class BlockedUserStore {
  readonly #isBlocked;
  readonly #block;
  readonly #unblock;
  readonly #list;

  constructor(db: Db) {
    this.#isBlocked = db.prepare<{ guildId: string; userId: string }, { n: number }>(
      "SELECT 1 AS n FROM blocked_users WHERE guild_id = @guildId AND user_id = @userId",
    );
    this.#block = db.prepare(
      `INSERT INTO blocked_users (guild_id, user_id, blocked_by, reason, blocked_at) VALUES (@guildId, @userId, @blockedBy, @reason, @now)
       ON CONFLICT (guild_id, user_id) DO NOTHING`,
    );
    this.#unblock = db.prepare("DELETE FROM blocked_users WHERE guild_id = @guildId AND user_id = @userId");
    this.#list = db.prepare<
      { guildId: string },
      { user_id: string; blocked_by: string; reason: string | null; blocked_at: number }
    >(
      "SELECT user_id, blocked_by, reason, blocked_at FROM blocked_users WHERE guild_id = @guildId ORDER BY blocked_at, user_id",
    );
  }

  isBlocked(guildId: string, userId: string): boolean {
    return this.#isBlocked.get({ guildId, userId }) !== undefined;
  }

  /** Returns false when the user was already blocked. */
  block(guildId: string, userId: string, blockedBy: string, reason: string | null = null): boolean {
    return this.#block.run({ guildId, userId, blockedBy, reason, now: Date.now() }).changes > 0;
  }

  /** Returns false when the user was not blocked. */
  unblock(guildId: string, userId: string): boolean {
    return this.#unblock.run({ guildId, userId }).changes > 0;
  }

  list(guildId: string): BlockedUser[] {
    return this.#list.all({ guildId }).map((row) => ({
      userId: row.user_id,
      blockedBy: row.blocked_by,
      reason: row.reason,
      blockedAt: row.blocked_at,
    }));
  }
}
