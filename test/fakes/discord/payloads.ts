/** Turn the fake's records into the JSON objects Discord sends. */

import { ChannelType, DEFAULT_THREAD_ARCHIVE_MINUTES } from "./constants.js";
import type { FakeUser, Json } from "./types.js";

export interface RoleRecord {
  id: string;
  name: string;
  permissions: bigint;
  position: number;
  /** Set on the bot's own role, as Discord marks integration roles. */
  botId?: string;
}

export interface MemberRecord {
  user: FakeUser;
  nick: string | null;
  roles: string[];
  joinedAt: string;
}

export interface ChannelRecord {
  id: string;
  type: number;
  name: string;
  guildId?: string;
  parentId?: string;
  /** Threads: who started it, who is in it (user ids), and its settings. */
  ownerId?: string;
  threadMembers?: Set<string>;
  invitable?: boolean;
  autoArchiveMinutes?: number;
  /** The other side of a DM channel. */
  recipient?: FakeUser;
  /** Guild channels (not threads): permission overwrites, role ids resolved. */
  overwrites?: OverwriteRecord[];
  lastMessageId: string | null;
  position: number;
  createdAt: string;
}

export interface OverwriteRecord {
  id: string;
  /** 0 role, 1 member. */
  type: 0 | 1;
  allow: bigint;
  deny: bigint;
}

export interface GuildRecord {
  id: string;
  name: string;
  ownerId: string;
  roles: Map<string, RoleRecord>;
  members: Map<string, MemberRecord>;
  /** Channel and thread ids, in creation order. */
  channelIds: string[];
  botRoleId: string;
  joinedAt: string;
  preferredLocale: string;
}

export function userPayload(user: FakeUser): Json {
  return {
    id: user.id,
    username: user.username,
    global_name: user.globalName ?? null,
    discriminator: "0",
    avatar: null,
    bot: user.bot ?? false,
    public_flags: 0,
  };
}

/** A member object; gateway MESSAGE_CREATE omits the user, everything else includes it. */
export function memberPayload(member: MemberRecord, options: { withUser: boolean }): Json {
  const payload: Json = {
    nick: member.nick,
    roles: member.roles,
    joined_at: member.joinedAt,
    deaf: false,
    mute: false,
    flags: 0,
    pending: false,
    avatar: null,
    premium_since: null,
    communication_disabled_until: null,
  };
  if (options.withUser) payload.user = userPayload(member.user);
  return payload;
}

export function rolePayload(role: RoleRecord): Json {
  return {
    id: role.id,
    name: role.name,
    permissions: role.permissions.toString(),
    position: role.position,
    color: 0,
    hoist: false,
    managed: role.botId !== undefined,
    mentionable: false,
    icon: null,
    unicode_emoji: null,
    flags: 0,
    ...(role.botId !== undefined && { tags: { bot_id: role.botId } }),
  };
}

export function channelPayload(channel: ChannelRecord): Json {
  if (channel.type === ChannelType.DM) {
    return {
      id: channel.id,
      type: channel.type,
      last_message_id: channel.lastMessageId,
      recipients: channel.recipient ? [userPayload(channel.recipient)] : [],
      flags: 0,
    };
  }
  const base: Json = {
    id: channel.id,
    type: channel.type,
    guild_id: channel.guildId,
    name: channel.name,
    last_message_id: channel.lastMessageId,
    rate_limit_per_user: 0,
    flags: 0,
  };
  if (isThread(channel)) {
    return {
      ...base,
      parent_id: channel.parentId,
      owner_id: channel.ownerId ?? null,
      message_count: 0,
      member_count: channel.threadMembers?.size ?? 1,
      total_message_sent: 0,
      thread_metadata: {
        archived: false,
        auto_archive_duration: channel.autoArchiveMinutes ?? DEFAULT_THREAD_ARCHIVE_MINUTES,
        archive_timestamp: channel.createdAt,
        locked: false,
        create_timestamp: channel.createdAt,
        ...(channel.type === ChannelType.PrivateThread && { invitable: channel.invitable ?? true }),
      },
    };
  }
  const overwrites = (channel.overwrites ?? []).map((o) => ({
    id: o.id,
    type: o.type,
    allow: o.allow.toString(),
    deny: o.deny.toString(),
  }));
  return {
    ...base,
    position: channel.position,
    permission_overwrites: overwrites,
    parent_id: null,
    nsfw: false,
    topic: null,
  };
}

export function isThread(channel: ChannelRecord): boolean {
  return channel.type === ChannelType.PublicThread || channel.type === ChannelType.PrivateThread;
}

/** The guild object of GET /guilds/:id (no channels or members). */
export function guildPayload(guild: GuildRecord): Json {
  return {
    id: guild.id,
    name: guild.name,
    icon: null,
    splash: null,
    discovery_splash: null,
    owner_id: guild.ownerId,
    afk_channel_id: null,
    afk_timeout: 300,
    verification_level: 0,
    default_message_notifications: 0,
    explicit_content_filter: 0,
    roles: [...guild.roles.values()].map(rolePayload),
    emojis: [],
    stickers: [],
    features: [],
    mfa_level: 0,
    system_channel_id: null,
    system_channel_flags: 0,
    rules_channel_id: null,
    public_updates_channel_id: null,
    safety_alerts_channel_id: null,
    vanity_url_code: null,
    description: null,
    banner: null,
    premium_tier: 0,
    premium_progress_bar_enabled: false,
    preferred_locale: guild.preferredLocale,
    nsfw_level: 0,
    max_members: 500_000,
  };
}
