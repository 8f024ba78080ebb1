import type { ChannelMode } from "../memory/channel-modes.js";
import type { ModerationProvider } from "../memory/guild-settings.js";
import type { ServerSettings } from "../memory/server-settings.js";
import type { RateLimit } from "../traffic/rate-limit.js";

/** A channel with no mode of its own (and no parent with one) answers mentions and replies. */
export const DEFAULT_CHANNEL_MODE: ChannelMode = "mention";
/** Default per-person allowance: this many messages... */
export const DEFAULT_RATE_MESSAGES = 5;
/** ...per this many seconds, refilled evenly. */
export const DEFAULT_RATE_WINDOW_SECONDS = 60;
/** Default least time between the bot's replies in an `auto` channel. */
export const DEFAULT_AUTO_GAP_SECONDS = 10;

/** Bounds an admin may set with `/masque limits`. */
export const MAX_RATE_MESSAGES = 100;
export const MAX_RATE_WINDOW_SECONDS = 3600;
export const MAX_AUTO_GAP_SECONDS = 600;

const MS_PER_SECOND = 1000;

/** Where a channel's mode comes from. */
export type ModeSource = "channel" | "parent" | "default";

/** A server's limits with the defaults filled in. */
export interface Limits {
  readonly rateMessages: number;
  readonly rateWindowSeconds: number;
  readonly autoGapSeconds: number;
}

/** The checks that apply to content in a place. */
export interface ContentRules {
  readonly blockedWords: readonly string[];
  readonly provider: ModerationProvider;
}

/** A server's stored choices with the built-in and configured defaults filled in. */
export class ModerationPolicy {
  constructor(
    private readonly store: ServerSettings,
    /** MODERATION: the provider for servers (and DMs) that did not choose. */
    private readonly defaultProvider: ModerationProvider,
    /** PERSONA_WEBHOOKS: for servers that did not choose (DMs have no webhooks). */
    private readonly defaultPersonaWebhooks: boolean = false,
  ) {}

  /** Whether replies go through persona webhooks here: the server's choice, else PERSONA_WEBHOOKS; never in DMs. */
  personaWebhooks(guildId: string | null): boolean {
    if (!guildId) return false;
    return this.store.guild.get(guildId).personaWebhooks ?? this.defaultPersonaWebhooks;
  }

  /** Whether the cast may hold scenes in a server: its admins' choice, else yes; never in DMs (a DM has one persona). */
  scenesAllowed(guildId: string | null): boolean {
    if (!guildId) return false;
    return this.store.guild.get(guildId).scenes ?? true;
  }

  /** Whether a mention in a channel of this server opens a thread for the reply: its admins' choice, else no. */
  threadsOnMention(guildId: string | null): boolean {
    if (!guildId) return false;
    return this.store.guild.get(guildId).threadsOnMention ?? false;
  }

  /** A channel's mode: its own, else its parent's (for a thread), else the default. */
  channelMode(channelId: string, parentId?: string | null): { mode: ChannelMode; source: ModeSource } {
    const own = this.store.channelModes.get(channelId);
    if (own) return { mode: own, source: "channel" };
    const inherited = parentId ? this.store.channelModes.get(parentId) : undefined;
    if (inherited) return { mode: inherited, source: "parent" };
    return { mode: DEFAULT_CHANNEL_MODE, source: "default" };
  }

  /** DMs (no server) get the defaults. */
  limits(guildId: string | null): Limits {
    const settings = guildId ? this.store.guild.get(guildId) : {};
    return {
      rateMessages: settings.rateMessages ?? DEFAULT_RATE_MESSAGES,
      rateWindowSeconds: settings.rateWindowSeconds ?? DEFAULT_RATE_WINDOW_SECONDS,
      autoGapSeconds: settings.autoGapSeconds ?? DEFAULT_AUTO_GAP_SECONDS,
    };
  }

  rateLimit(guildId: string | null): RateLimit {
    const limits = this.limits(guildId);
    return { messages: limits.rateMessages, windowMs: limits.rateWindowSeconds * MS_PER_SECOND };
  }

  autoGapMs(guildId: string | null): number {
    return this.limits(guildId).autoGapSeconds * MS_PER_SECOND;
  }

  /** The server's choice, else MODERATION. */
  provider(guildId: string | null): { provider: ModerationProvider; isServerChoice: boolean } {
    const chosen = guildId ? this.store.guild.get(guildId).moderation : undefined;
    return { provider: chosen ?? this.defaultProvider, isServerChoice: chosen !== undefined };
  }

  /** Blocked words apply in servers; DMs have no server list. */
  contentRules(guildId: string | null): ContentRules {
    return {
      blockedWords: guildId ? this.store.blockedWords.list(guildId) : [],
      provider: this.provider(guildId).provider,
    };
  }

  isBlocked(guildId: string | null, userId: string): boolean {
    return guildId !== null && this.store.blockedUsers.isBlocked(guildId, userId);
  }
}
