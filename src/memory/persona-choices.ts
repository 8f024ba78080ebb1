import type { Db } from "./db.js";

/** Where a persona choice applies: one conversation (channel, thread, DM) or a whole server. */
export type PersonaScope = "channel" | "server";

/** Stores which persona is active per conversation and per server. */
export class PersonaChoiceStore {
  readonly #getConversation;
  readonly #setConversation;
  readonly #clearConversation;
  readonly #getGuild;
  readonly #setGuild;
  readonly #clearGuild;
  readonly #guildsUsing;

  constructor(db: Db) {
    this.#getConversation = db.prepare<{ key: string }, { persona_id: string }>(
      "SELECT persona_id FROM conversation_settings WHERE conversation_key = @key",
    );
    this.#setConversation = db.prepare(
      `INSERT INTO conversation_settings (conversation_key, persona_id, set_by, set_at) VALUES (@key, @personaId, @setBy, @now)
       ON CONFLICT (conversation_key) DO UPDATE SET persona_id = excluded.persona_id, set_by = excluded.set_by, set_at = excluded.set_at`,
    );
    this.#clearConversation = db.prepare("DELETE FROM conversation_settings WHERE conversation_key = @key");
    this.#getGuild = db.prepare<{ guildId: string }, { persona_id: string }>(
      "SELECT persona_id FROM guild_settings WHERE guild_id = @guildId",
    );
    this.#setGuild = db.prepare(
      `INSERT INTO guild_settings (guild_id, persona_id, set_by, set_at) VALUES (@guildId, @personaId, @setBy, @now)
       ON CONFLICT (guild_id) DO UPDATE SET persona_id = excluded.persona_id, set_by = excluded.set_by, set_at = excluded.set_at`,
    );
    this.#clearGuild = db.prepare("DELETE FROM guild_settings WHERE guild_id = @guildId");
    this.#guildsUsing = db.prepare<{ personaId: string }, { guild_id: string }>(
      `SELECT guild_id FROM guild_settings WHERE persona_id = @personaId
       UNION
       SELECT c.guild_id FROM conversation_settings s JOIN conversations c ON c.key = s.conversation_key
        WHERE s.persona_id = @personaId AND c.guild_id IS NOT NULL`,
    );
  }

  conversationPersona(conversationKey: string): string | undefined {
    return this.#getConversation.get({ key: conversationKey })?.persona_id;
  }

  setConversationPersona(conversationKey: string, personaId: string, setBy: string | null = null): void {
    this.#setConversation.run({ key: conversationKey, personaId, setBy, now: Date.now() });
  }

  /** Returns whether a setting was removed. */
  clearConversationPersona(conversationKey: string): boolean {
    return this.#clearConversation.run({ key: conversationKey }).changes > 0;
  }

  guildPersona(guildId: string): string | undefined {
    return this.#getGuild.get({ guildId })?.persona_id;
  }

  setGuildPersona(guildId: string, personaId: string, setBy: string | null = null): void {
    this.#setGuild.run({ guildId, personaId, setBy, now: Date.now() });
  }

  /** Servers where a persona is chosen for the server or for a channel the bot has talked in. */
  guildsUsing(personaId: string): string[] {
    return this.#guildsUsing.all({ personaId }).map((row) => row.guild_id);
  }

  /** Returns whether a setting was removed. */
  clearGuildPersona(guildId: string): boolean {
    return this.#clearGuild.run({ guildId }).changes > 0;
  }
}
