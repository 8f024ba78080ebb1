import type { Db } from "./db.js";

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

const GUILD_COLUMNS =
  "rate_messages, rate_window_seconds, auto_gap_seconds, moderation, log_channel_id, persona_webhooks, scenes, threads_on_mention, person_notes";

/** A stored switch (0, 1 or NULL) as a setting. */
const asSwitch = (value: number | null): boolean | undefined => (value === null ? undefined : value === 1);

/** A switch setting as stored: 0, 1, or NULL for the default. */
const switchValue = (value: boolean | undefined): number | null => (value === undefined ? null : Number(value));

/** The statement parameters that store `settings` (NULL for each default). */
function toGuildModerationRow(settings: GuildModeration) {
  return {
    rateMessages: settings.rateMessages ?? null,
    rateWindowSeconds: settings.rateWindowSeconds ?? null,
    autoGapSeconds: settings.autoGapSeconds ?? null,
    moderation: settings.moderation ?? null,
    logChannelId: settings.logChannelId ?? null,
    personaWebhooks: switchValue(settings.personaWebhooks),
    scenes: switchValue(settings.scenes),
    threadsOnMention: switchValue(settings.threadsOnMention),
    personNotes: switchValue(settings.personNotes),
  };
}

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

/** A server's limits, content checks and switches (`/masque limits`, `webhooks`, `threads`...); table guild_moderation. */
export class GuildSettingsStore {
  readonly #get;
  readonly #put;
  readonly #update;

  constructor(db: Db) {
    this.#get = db.prepare<{ guildId: string }, GuildModerationRow>(
      `SELECT ${GUILD_COLUMNS} FROM guild_moderation WHERE guild_id = @guildId`,
    );
    this.#put = db.prepare(
      `INSERT INTO guild_moderation (guild_id, ${GUILD_COLUMNS}, updated_by, updated_at)
       VALUES (@guildId, @rateMessages, @rateWindowSeconds, @autoGapSeconds, @moderation, @logChannelId, @personaWebhooks, @scenes, @threadsOnMention, @personNotes, @updatedBy, @now)
       ON CONFLICT (guild_id) DO UPDATE SET
         rate_messages = excluded.rate_messages, rate_window_seconds = excluded.rate_window_seconds,
         auto_gap_seconds = excluded.auto_gap_seconds, moderation = excluded.moderation,
         log_channel_id = excluded.log_channel_id, persona_webhooks = excluded.persona_webhooks, scenes = excluded.scenes, threads_on_mention = excluded.threads_on_mention, person_notes = excluded.person_notes, updated_by = excluded.updated_by, updated_at = excluded.updated_at`,
    );
    this.#update = db.transaction((guildId: string, patch: Partial<GuildModeration>, updatedBy: string) => {
      this.#put.run({
        guildId,
        ...toGuildModerationRow({ ...this.get(guildId), ...patch }),
        updatedBy,
        now: Date.now(),
      });
    });
  }

  get(guildId: string): GuildModeration {
    return toGuildModeration(this.#get.get({ guildId }));
  }

  /** Changes the given settings; a key present with `undefined` goes back to the default. */
  update(guildId: string, patch: Partial<GuildModeration>, updatedBy: string): void {
    this.#update(guildId, patch, updatedBy);
  }
}
