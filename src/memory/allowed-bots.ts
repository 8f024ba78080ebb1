import type { Db } from "./db.js";

/** A bot a server's admins let Masque answer. */
export interface AllowedBot {
  readonly botId: string;
  /** The admin who allowed it: an accountability record, like blocked_by and the audit log. */
  readonly allowedBy: string;
  readonly allowedAt: number;
}

/** Stores, per server, the other bots whose messages Masque answers (every other bot is ignored). */
export class AllowedBotStore {
  readonly #isAllowed;
  readonly #allow;
  readonly #deny;
  readonly #list;

  constructor(db: Db) {
    this.#isAllowed = db.prepare<{ guildId: string; botId: string }, { n: number }>(
      "SELECT 1 AS n FROM allowed_bots WHERE guild_id = @guildId AND bot_id = @botId",
    );
    this.#allow = db.prepare(
      `INSERT INTO allowed_bots (guild_id, bot_id, allowed_by, allowed_at) VALUES (@guildId, @botId, @allowedBy, @now)
       ON CONFLICT (guild_id, bot_id) DO NOTHING`,
    );
    this.#deny = db.prepare("DELETE FROM allowed_bots WHERE guild_id = @guildId AND bot_id = @botId");
    this.#list = db.prepare<{ guildId: string }, { bot_id: string; allowed_by: string; allowed_at: number }>(
      "SELECT bot_id, allowed_by, allowed_at FROM allowed_bots WHERE guild_id = @guildId ORDER BY allowed_at, bot_id",
    );
  }

  isAllowed(guildId: string, botId: string): boolean {
    return this.#isAllowed.get({ guildId, botId }) !== undefined;
  }

  /** Returns false when the bot was allowed already. */
  allow(guildId: string, botId: string, allowedBy: string): boolean {
    return this.#allow.run({ guildId, botId, allowedBy, now: Date.now() }).changes > 0;
  }

  /** Returns false when the bot was not allowed. */
  deny(guildId: string, botId: string): boolean {
    return this.#deny.run({ guildId, botId }).changes > 0;
  }

  list(guildId: string): AllowedBot[] {
    return this.#list
      .all({ guildId })
      .map((row) => ({ botId: row.bot_id, allowedBy: row.allowed_by, allowedAt: row.allowed_at }));
  }
}
