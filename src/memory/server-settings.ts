import type { Db } from "./db.js";

/** How the bot behaves in a channel: ignores it, answers mentions and replies, or answers everything. */
export type ChannelMode = "off" | "mention" | "auto";
export const CHANNEL_MODES: readonly ChannelMode[] = ["off", "mention", "auto"];

/** Which content checks a server uses besides its blocked words. */
export type ModerationProvider = "off" | "openai";
export const MODERATION_PROVIDERS: readonly ModerationProvider[] = ["off", "openai"];

/** A server's moderation settings; undefined means "the built-in default". */
export interface GuildModeration {
  readonly rateMessages?: number;
  readonly rateWindowSeconds?: number;
  readonly autoGapSeconds?: number;
  readonly moderation?: ModerationProvider;
  readonly logChannelId?: string;
  /** Replies through persona webhooks; undefined follows PERSONA_WEBHOOKS. */
  readonly personaWebhooks?: boolean;
  /** Whether the cast may hold scenes (`/masque scenes`); undefined: yes. */
  readonly scenes?: boolean;
  /** Whether a mention in a channel opens a thread for the reply (`/masque threads`); undefined: no. */
  readonly threadsOnMention?: boolean;
  /** Whether the note pass keeps people notes here (`/masque notes`); undefined: no. */
  readonly personNotes?: boolean;
}

export interface BlockedUser {
  readonly userId: string;
  readonly blockedBy: string;
  readonly reason: string | null;
  readonly blockedAt: number;
}

interface GuildModerationRow {
  rate_messages: number | null;
  rate_window_seconds: number | null;
  auto_gap_seconds: number | null;
  moderation: ModerationProvider | null;
  log_channel_id: string | null;
  persona_webhooks: number | null;
  scenes: number | null;
  threads_on_mention: number | null;
  person_notes: number | null;
}

const GUILD_COLUMNS = "rate_messages, rate_window_seconds, auto_gap_seconds, moderation, log_channel_id, persona_webhooks, scenes, threads_on_mention, person_notes";

/** A stored switch (0, 1 or NULL) as a setting. */
const asSwitch = (value: number | null): boolean | undefined => (value === null ? undefined : value === 1);

function toGuildModeration(row: GuildModerationRow | undefined): GuildModeration {
  if (!row) return {};
  return {
    rateMessages: row.rate_messages ?? undefined,
    rateWindowSeconds: row.rate_window_seconds ?? undefined,
    autoGapSeconds: row.auto_gap_seconds ?? undefined,
    moderation: row.moderation ?? undefined,
    logChannelId: row.log_channel_id ?? undefined,
    personaWebhooks: asSwitch(row.persona_webhooks),
    scenes: asSwitch(row.scenes),
    threadsOnMention: asSwitch(row.threads_on_mention),
    personNotes: asSwitch(row.person_notes),
  };
}

/** Stores channel modes, server moderation settings, blocked users, admin roles and blocked words. */
export class ServerSettingsStore {
  readonly #getMode;
  readonly #setMode;
  readonly #clearMode;
  readonly #modes;
  readonly #getGuild;
  readonly #putGuild;
  readonly #updateGuild;
  readonly #isBlocked;
  readonly #block;
  readonly #unblock;
  readonly #blocked;
  readonly #addRole;
  readonly #removeRole;
  readonly #roles;
  readonly #addWord;
  readonly #removeWord;
  readonly #words;

  constructor(db: Db) {
    this.#getMode = db.prepare<{ channelId: string }, { mode: ChannelMode }>("SELECT mode FROM channel_modes WHERE channel_id = @channelId");
    this.#setMode = db.prepare(
      `INSERT INTO channel_modes (channel_id, guild_id, mode, set_by, set_at) VALUES (@channelId, @guildId, @mode, @setBy, @now)
       ON CONFLICT (channel_id) DO UPDATE SET mode = excluded.mode, set_by = excluded.set_by, set_at = excluded.set_at`,
    );
    this.#clearMode = db.prepare("DELETE FROM channel_modes WHERE channel_id = @channelId");
    this.#modes = db.prepare<{ guildId: string }, { channel_id: string; mode: ChannelMode }>(
      "SELECT channel_id, mode FROM channel_modes WHERE guild_id = @guildId ORDER BY channel_id",
    );
    this.#getGuild = db.prepare<{ guildId: string }, GuildModerationRow>(`SELECT ${GUILD_COLUMNS} FROM guild_moderation WHERE guild_id = @guildId`);
    this.#putGuild = db.prepare(
      `INSERT INTO guild_moderation (guild_id, ${GUILD_COLUMNS}, updated_by, updated_at)
       VALUES (@guildId, @rateMessages, @rateWindowSeconds, @autoGapSeconds, @moderation, @logChannelId, @personaWebhooks, @scenes, @threadsOnMention, @personNotes, @updatedBy, @now)
       ON CONFLICT (guild_id) DO UPDATE SET
         rate_messages = excluded.rate_messages, rate_window_seconds = excluded.rate_window_seconds,
         auto_gap_seconds = excluded.auto_gap_seconds, moderation = excluded.moderation,
         log_channel_id = excluded.log_channel_id, persona_webhooks = excluded.persona_webhooks, scenes = excluded.scenes, threads_on_mention = excluded.threads_on_mention, person_notes = excluded.person_notes, updated_by = excluded.updated_by, updated_at = excluded.updated_at`,
    );
    this.#updateGuild = db.transaction((guildId: string, patch: Partial<GuildModeration>, updatedBy: string) => {
      const merged = { ...this.guildSettings(guildId), ...patch };
      this.#putGuild.run({
        guildId,
        rateMessages: merged.rateMessages ?? null,
        rateWindowSeconds: merged.rateWindowSeconds ?? null,
        autoGapSeconds: merged.autoGapSeconds ?? null,
        moderation: merged.moderation ?? null,
        logChannelId: merged.logChannelId ?? null,
        personaWebhooks: merged.personaWebhooks === undefined ? null : Number(merged.personaWebhooks),
        scenes: merged.scenes === undefined ? null : Number(merged.scenes),
        threadsOnMention: merged.threadsOnMention === undefined ? null : Number(merged.threadsOnMention),
        personNotes: merged.personNotes === undefined ? null : Number(merged.personNotes),
        updatedBy,
        now: Date.now(),
      });
    });
    this.#isBlocked = db.prepare<{ guildId: string; userId: string }, { n: number }>(
      "SELECT 1 AS n FROM blocked_users WHERE guild_id = @guildId AND user_id = @userId",
    );
    this.#block = db.prepare(
      `INSERT INTO blocked_users (guild_id, user_id, blocked_by, reason, blocked_at) VALUES (@guildId, @userId, @blockedBy, @reason, @now)
       ON CONFLICT (guild_id, user_id) DO NOTHING`,
    );
    this.#unblock = db.prepare("DELETE FROM blocked_users WHERE guild_id = @guildId AND user_id = @userId");
    this.#blocked = db.prepare<{ guildId: string }, { user_id: string; blocked_by: string; reason: string | null; blocked_at: number }>(
      "SELECT user_id, blocked_by, reason, blocked_at FROM blocked_users WHERE guild_id = @guildId ORDER BY blocked_at, user_id",
    );
    this.#addRole = db.prepare(
      `INSERT INTO admin_roles (guild_id, role_id, added_by, added_at) VALUES (@guildId, @roleId, @addedBy, @now)
       ON CONFLICT (guild_id, role_id) DO NOTHING`,
    );
    this.#removeRole = db.prepare("DELETE FROM admin_roles WHERE guild_id = @guildId AND role_id = @roleId");
    this.#roles = db.prepare<{ guildId: string }, { role_id: string }>("SELECT role_id FROM admin_roles WHERE guild_id = @guildId ORDER BY added_at, role_id");
    this.#addWord = db.prepare(
      `INSERT INTO blocked_words (guild_id, entry, added_by, added_at) VALUES (@guildId, @entry, @addedBy, @now)
       ON CONFLICT (guild_id, entry) DO NOTHING`,
    );
    this.#removeWord = db.prepare("DELETE FROM blocked_words WHERE guild_id = @guildId AND entry = @entry");
    this.#words = db.prepare<{ guildId: string }, { entry: string }>("SELECT entry FROM blocked_words WHERE guild_id = @guildId ORDER BY added_at, entry");
  }

  /** The mode set for exactly this channel or thread (no inheritance). */
  channelMode(channelId: string): ChannelMode | undefined {
    return this.#getMode.get({ channelId })?.mode;
  }

  setChannelMode(guildId: string, channelId: string, mode: ChannelMode, setBy: string): void {
    this.#setMode.run({ guildId, channelId, mode, setBy, now: Date.now() });
  }

  /** Returns whether a setting was removed. */
  clearChannelMode(channelId: string): boolean {
    return this.#clearMode.run({ channelId }).changes > 0;
  }

  /** Every channel and thread of a server with a mode of its own. */
  channelModes(guildId: string): Array<{ channelId: string; mode: ChannelMode }> {
    return this.#modes.all({ guildId }).map((row) => ({ channelId: row.channel_id, mode: row.mode }));
  }

  guildSettings(guildId: string): GuildModeration {
    return toGuildModeration(this.#getGuild.get({ guildId }));
  }

  /** Changes the given settings; a key present with `undefined` goes back to the default. */
  updateGuildSettings(guildId: string, patch: Partial<GuildModeration>, updatedBy: string): void {
    this.#updateGuild(guildId, patch, updatedBy);
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

  blockedUsers(guildId: string): BlockedUser[] {
    return this.#blocked.all({ guildId }).map((row) => ({ userId: row.user_id, blockedBy: row.blocked_by, reason: row.reason, blockedAt: row.blocked_at }));
  }

  /** Returns false when the role was already an admin role. */
  addAdminRole(guildId: string, roleId: string, addedBy: string): boolean {
    return this.#addRole.run({ guildId, roleId, addedBy, now: Date.now() }).changes > 0;
  }

  /** Returns false when the role was not an admin role. */
  removeAdminRole(guildId: string, roleId: string): boolean {
    return this.#removeRole.run({ guildId, roleId }).changes > 0;
  }

  adminRoles(guildId: string): string[] {
    return this.#roles.all({ guildId }).map((row) => row.role_id);
  }

  /** Returns false when the entry was already listed. */
  addBlockedWord(guildId: string, entry: string, addedBy: string): boolean {
    return this.#addWord.run({ guildId, entry, addedBy, now: Date.now() }).changes > 0;
  }

  /** Returns false when the entry was not listed. */
  removeBlockedWord(guildId: string, entry: string): boolean {
    return this.#removeWord.run({ guildId, entry }).changes > 0;
  }

  blockedWords(guildId: string): string[] {
    return this.#words.all({ guildId }).map((row) => row.entry);
  }
}
