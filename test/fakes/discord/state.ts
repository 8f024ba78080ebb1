/** The fake Discord's world: users, guilds, channels, messages, webhooks, commands, interactions. */

import { randomBytes } from "node:crypto";
import {
  ALL_PERMISSIONS,
  CDN_BASE_URL,
  ChannelType,
  DEFAULT_BOT_PERMISSIONS,
  DEFAULT_LOCALE,
  MessageType,
  Permission,
} from "./constants.js";
import {
  type ChannelRecord,
  type GuildRecord,
  isThread,
  type MemberRecord,
  type OverwriteRecord,
  type RoleRecord,
  userPayload,
} from "./payloads.js";
import { SnowflakeGenerator } from "./snowflake.js";
import type {
  FakeChannelSpec,
  FakeGuildSpec,
  FakeMessage,
  FakeOverwriteSpec,
  FakeUser,
  InteractionResponse,
  Json,
} from "./types.js";

const EVERYONE_ROLE_NAME = "@everyone";
const DEFAULT_GUILD_NAME = "Test Guild";
const DEFAULT_CHANNELS: FakeChannelSpec[] = [{ name: "general" }];
const TOKEN_BYTES = 24;
const USER_MENTION = /<@!?(\d+)>/g;
const ROLE_MENTION = /<@&(\d+)>/g;
const EVERYONE_MENTION = /@(everyone|here)\b/;
const SNOWFLAKE = /^\d{17,20}$/;

export interface StoredMessage {
  raw: Json;
  edits: number;
}

export interface WebhookRecord {
  id: string;
  token: string;
  channelId: string;
  guildId: string;
  name: string;
  avatar: string | null;
}

export interface InteractionRecord {
  id: string;
  token: string;
  user: FakeUser;
  channelId: string;
  guildId?: string;
  createdAtMs: number;
  acknowledged: boolean;
  /** The message the callback (or deferral) created; null until then or for autocomplete. */
  original: StoredMessage | null;
  ephemeralOriginal: boolean;
  /** Follow-up messages by id, including ephemeral ones that are not in the channel. */
  followups: Map<string, StoredMessage>;
  responses: InteractionResponse[];
  /** For a button click: the message holding the button, which an UPDATE_MESSAGE callback edits. */
  componentMessage?: StoredMessage;
}

/** Fields of a message being created, before ids, mentions and timestamps are filled in. */
export interface NewMessage {
  channel: ChannelRecord;
  author: Json;
  content: string;
  referenceId?: string;
  /** Who a reply pings; defaults to true. */
  mentionRepliedUser?: boolean;
  allowedMentions?: Json;
  attachments?: Json[];
  embeds?: unknown[];
  components?: unknown[];
  flags?: number;
  type?: number;
  webhookId?: string;
  nonce?: unknown;
  /** Interaction replies live outside the channel when ephemeral. */
  storeInChannel?: boolean;
  extra?: Json;
}

export function randomToken(): string {
  return randomBytes(TOKEN_BYTES).toString("base64url");
}

export class DiscordState {
  readonly ids = new SnowflakeGenerator();
  readonly users = new Map<string, FakeUser>();
  readonly guilds = new Map<string, GuildRecord>();
  readonly channels = new Map<string, ChannelRecord>();
  readonly messages = new Map<string, StoredMessage[]>();
  readonly webhooks = new Map<string, WebhookRecord>();
  /** Registered application commands by scope: "global" or a guild id. */
  readonly commands = new Map<string, Json[]>();
  readonly interactions = new Map<string, InteractionRecord>();
  readonly dmChannelByUser = new Map<string, string>();

  constructor(readonly botUser: FakeUser) {
    this.rememberUser(botUser);
  }

  rememberUser(user: FakeUser): void {
    this.users.set(user.id, user);
  }

  // ----- guilds -----

  addGuild(spec: FakeGuildSpec): GuildRecord {
    const id = spec.id ?? this.ids.next();
    if (this.guilds.has(id)) throw new Error(`fake Discord: guild ${id} already exists`);
    const joinedAt = new Date().toISOString();
    const { roles, botRoleId } = this.#buildRoles(id, spec);
    const members = this.#buildMembers(spec, roles, botRoleId, joinedAt);
    // A default owner outside the member list, so no test user silently gets every permission.
    const ownerId = spec.ownerId ?? this.ids.next();
    const guild: GuildRecord = {
      id,
      name: spec.name ?? DEFAULT_GUILD_NAME,
      ownerId,
      roles,
      members,
      channelIds: [],
      botRoleId,
      joinedAt,
      preferredLocale: spec.preferredLocale ?? DEFAULT_LOCALE,
    };
    this.guilds.set(id, guild);
    this.#addGuildChannels(guild, spec.channels ?? DEFAULT_CHANNELS);
    return guild;
  }

  /** @everyone (id = guild id), the spec's roles, then the bot's managed role. */
  #buildRoles(guildId: string, spec: FakeGuildSpec): { roles: Map<string, RoleRecord>; botRoleId: string } {
    const everyoneSpec = spec.roles?.find((role) => role.name === EVERYONE_ROLE_NAME);
    const roles = new Map<string, RoleRecord>();
    roles.set(guildId, {
      id: guildId,
      name: EVERYONE_ROLE_NAME,
      permissions: BigInt(everyoneSpec?.permissions ?? "0"),
      position: 0,
    });
    for (const roleSpec of spec.roles ?? []) {
      if (roleSpec.name === EVERYONE_ROLE_NAME) continue;
      const role: RoleRecord = {
        id: roleSpec.id ?? this.ids.next(),
        name: roleSpec.name,
        permissions: BigInt(roleSpec.permissions ?? "0"),
        position: roles.size,
      };
      roles.set(role.id, role);
    }
    const botRole: RoleRecord = {
      id: this.ids.next(),
      name: this.botUser.username,
      permissions: spec.botPermissions === undefined ? DEFAULT_BOT_PERMISSIONS : BigInt(spec.botPermissions),
      position: roles.size,
      botId: this.botUser.id,
    };
    roles.set(botRole.id, botRole);
    return { roles, botRoleId: botRole.id };
  }

  #buildMembers(
    spec: FakeGuildSpec,
    roles: Map<string, RoleRecord>,
    botRoleId: string,
    joinedAt: string,
  ): Map<string, MemberRecord> {
    const members = new Map<string, MemberRecord>();
    for (const memberSpec of spec.members ?? []) {
      this.rememberUser(memberSpec.user);
      members.set(memberSpec.user.id, {
        user: memberSpec.user,
        nick: memberSpec.nick ?? null,
        roles: (memberSpec.roles ?? []).map((idOrName) => resolveRoleId(roles, idOrName)),
        joinedAt,
      });
    }
    members.set(this.botUser.id, { user: this.botUser, nick: null, roles: [botRoleId], joinedAt });
    return members;
  }

  #addGuildChannels(guild: GuildRecord, specs: FakeChannelSpec[]): void {
    const isThreadSpec = (spec: FakeChannelSpec) =>
      spec.type === ChannelType.PublicThread || spec.type === ChannelType.PrivateThread;
    // Parents first, so threads can name a parent listed after them.
    const ordered = [...specs.filter((spec) => !isThreadSpec(spec)), ...specs.filter(isThreadSpec)];
    for (const spec of ordered) {
      const channel: ChannelRecord = {
        id: spec.id ?? this.ids.next(),
        type: spec.type ?? ChannelType.GuildText,
        name: spec.name,
        guildId: guild.id,
        lastMessageId: null,
        position: guild.channelIds.length,
        createdAt: new Date().toISOString(),
      };
      if (isThreadSpec(spec)) channel.parentId = this.#resolveParent(guild, spec);
      else if (spec.overwrites) channel.overwrites = this.resolveOverwrites(guild, spec.overwrites);
      this.channels.set(channel.id, channel);
      this.messages.set(channel.id, []);
      guild.channelIds.push(channel.id);
    }
  }

  #resolveParent(guild: GuildRecord, spec: FakeChannelSpec): string {
    const parent = this.guildChannels(guild).find(
      (channel) => !isThread(channel) && (channel.id === spec.parentId || channel.name === spec.parentId),
    );
    if (!parent) {
      throw new Error(`fake Discord: thread "${spec.name}" needs parentId naming a text channel of its guild`);
    }
    return parent.id;
  }

  guildChannels(guild: GuildRecord): ChannelRecord[] {
    return guild.channelIds.map((id) => this.channels.get(id)).filter((channel) => channel !== undefined);
  }

  /** Overwrites with role names resolved to ids ("@everyone" is the guild's id). */
  resolveOverwrites(guild: GuildRecord, specs: readonly FakeOverwriteSpec[]): OverwriteRecord[] {
    return specs.map((spec) => ({
      id: spec.type === 1 ? spec.id : resolveRoleId(guild.roles, spec.id),
      type: spec.type ?? 0,
      allow: BigInt(spec.allow ?? "0"),
      deny: BigInt(spec.deny ?? "0"),
    }));
  }

  /**
   * A member's permissions in a channel, as Discord computes them (docs: topics/permissions,
   * "Permission Overwrites"): the guild-level permissions, then the @everyone overwrite, the
   * member's role overwrites together (denies, then allows), the member's own overwrite.
   * Administrator and the owner skip overwrites; no View Channel means no permission at all;
   * a thread uses its parent's overwrites, and a private thread is seen only by its members
   * and by Manage Threads.
   */
  channelPermissions(guild: GuildRecord, member: MemberRecord, channel: ChannelRecord): bigint {
    const base = this.memberPermissions(guild, member);
    if (base === ALL_PERMISSIONS) return ALL_PERMISSIONS;
    const source = isThread(channel) && channel.parentId ? (this.channels.get(channel.parentId) ?? channel) : channel;
    const overwrites = source.overwrites ?? [];
    const apply = (permissions: bigint, overwrite: { allow: bigint; deny: bigint } | undefined) =>
      overwrite ? (permissions & ~overwrite.deny) | overwrite.allow : permissions;
    let permissions = apply(
      base,
      overwrites.find((o) => o.type === 0 && o.id === guild.id),
    );
    const roles = overwrites.filter((o) => o.type === 0 && o.id !== guild.id && member.roles.includes(o.id));
    permissions = apply(permissions, {
      allow: roles.reduce((all, o) => all | o.allow, 0n),
      deny: roles.reduce((all, o) => all | o.deny, 0n),
    });
    permissions = apply(
      permissions,
      overwrites.find((o) => o.type === 1 && o.id === member.user.id),
    );
    if ((permissions & Permission.ViewChannel) === 0n) return 0n;
    const outsidePrivateThread =
      channel.type === ChannelType.PrivateThread &&
      !channel.threadMembers?.has(member.user.id) &&
      (permissions & Permission.ManageThreads) === 0n;
    return outsidePrivateThread ? 0n : permissions;
  }

  /** Whether the bot holds `permission` in this channel (guild-level only outside guilds' channels). */
  botCanIn(channel: ChannelRecord, permission: bigint): boolean {
    const guild = channel.guildId === undefined ? undefined : this.guilds.get(channel.guildId);
    if (!guild) return channel.type === ChannelType.DM;
    const me = guild.members.get(this.botUser.id);
    return me !== undefined && (this.channelPermissions(guild, me, channel) & permission) !== 0n;
  }

  /** Effective guild-level permissions of a member, before any channel's overwrites. */
  memberPermissions(guild: GuildRecord, member: MemberRecord): bigint {
    if (member.user.id === guild.ownerId) return ALL_PERMISSIONS;
    let permissions = guild.roles.get(guild.id)?.permissions ?? 0n;
    for (const roleId of member.roles) permissions |= guild.roles.get(roleId)?.permissions ?? 0n;
    return (permissions & Permission.Administrator) !== 0n ? ALL_PERMISSIONS : permissions;
  }

  botPermissions(guild: GuildRecord): bigint {
    const me = guild.members.get(this.botUser.id);
    return me ? this.memberPermissions(guild, me) : 0n;
  }

  botCan(guildId: string | undefined, permission: bigint): boolean {
    if (guildId === undefined) return true;
    const guild = this.guilds.get(guildId);
    return guild !== undefined && (this.botPermissions(guild) & permission) !== 0n;
  }

  // ----- channels -----

  dmChannelFor(user: FakeUser): ChannelRecord {
    this.rememberUser(user);
    const existing = this.dmChannelByUser.get(user.id);
    const existingChannel = existing === undefined ? undefined : this.channels.get(existing);
    if (existingChannel) return existingChannel;
    const channel: ChannelRecord = {
      id: this.ids.next(),
      type: ChannelType.DM,
      name: "",
      recipient: user,
      lastMessageId: null,
      position: 0,
      createdAt: new Date().toISOString(),
    };
    this.channels.set(channel.id, channel);
    this.messages.set(channel.id, []);
    this.dmChannelByUser.set(user.id, channel.id);
    return channel;
  }

  /** A thread in a guild text channel, started by `ownerId`, who is its first member. */
  addThread(
    parent: ChannelRecord,
    thread: {
      id?: string;
      name: string;
      type: number;
      ownerId: string;
      invitable?: boolean;
      autoArchiveMinutes?: number;
    },
  ): ChannelRecord {
    const guild = parent.guildId === undefined ? undefined : this.guilds.get(parent.guildId);
    if (!guild) throw new Error(`fake Discord: threads live in guild channels, not ${parent.id}`);
    const channel: ChannelRecord = {
      id: thread.id ?? this.ids.next(),
      type: thread.type,
      name: thread.name,
      guildId: guild.id,
      parentId: parent.id,
      ownerId: thread.ownerId,
      threadMembers: new Set([thread.ownerId]),
      ...(thread.invitable !== undefined && { invitable: thread.invitable }),
      ...(thread.autoArchiveMinutes !== undefined && { autoArchiveMinutes: thread.autoArchiveMinutes }),
      lastMessageId: null,
      position: guild.channelIds.length,
      createdAt: new Date().toISOString(),
    };
    this.channels.set(channel.id, channel);
    this.messages.set(channel.id, []);
    guild.channelIds.push(channel.id);
    return channel;
  }

  requireChannel(channelId: string): ChannelRecord {
    const channel = this.channels.get(channelId);
    if (!channel) throw new Error(`fake Discord: no channel ${channelId} (add it with addGuild or dmChannel)`);
    return channel;
  }

  // ----- messages -----

  channelMessages(channelId: string): StoredMessage[] {
    return this.messages.get(channelId) ?? [];
  }

  findMessage(channelId: string, messageId: string): StoredMessage | undefined {
    return this.channelMessages(channelId).find((message) => message.raw.id === messageId);
  }

  createMessage(input: NewMessage): StoredMessage {
    const { channel } = input;
    const id = this.ids.next();
    const referenced = input.referenceId === undefined ? undefined : this.findMessage(channel.id, input.referenceId);
    const raw: Json = {
      id,
      channel_id: channel.id,
      ...(channel.guildId !== undefined && { guild_id: channel.guildId }),
      author: input.author,
      content: input.content,
      timestamp: new Date().toISOString(),
      edited_timestamp: null,
      tts: false,
      pinned: false,
      type: input.type ?? (input.referenceId === undefined ? MessageType.Default : MessageType.Reply),
      flags: input.flags ?? 0,
      attachments: (input.attachments ?? []).map((attachment) => this.completeAttachment(attachment)),
      embeds: input.embeds ?? [],
      components: input.components ?? [],
      ...(input.webhookId !== undefined && { webhook_id: input.webhookId }),
      ...(input.nonce !== undefined && { nonce: input.nonce }),
      ...input.extra,
    };
    if (input.referenceId !== undefined) {
      raw.message_reference = {
        type: 0,
        message_id: input.referenceId,
        channel_id: channel.id,
        ...(channel.guildId !== undefined && { guild_id: channel.guildId }),
      };
      raw.referenced_message = referenced ? withoutNestedReference(referenced.raw) : null;
    }
    const pingedReplyAuthor = input.mentionRepliedUser !== false && referenced ? referenced.raw.author : undefined;
    Object.assign(raw, this.resolveMentions(input.content, input.allowedMentions, pingedReplyAuthor));
    const stored: StoredMessage = { raw, edits: 0 };
    if (input.storeInChannel !== false) {
      this.messages.get(channel.id)?.push(stored);
      channel.lastMessageId = id;
    }
    return stored;
  }

  /** Applies an edit body (content, embeds, components, flags, attachments) in place. */
  editMessage(stored: StoredMessage, body: Json): void {
    const { raw } = stored;
    if (typeof body.content === "string") raw.content = body.content;
    if (Array.isArray(body.embeds)) raw.embeds = body.embeds;
    if (Array.isArray(body.components)) raw.components = body.components;
    if (typeof body.flags === "number") raw.flags = body.flags;
    if (Array.isArray(body.attachments)) raw.attachments = this.#keptAttachments(raw, body.attachments);
    const allowed = isJson(body.allowed_mentions) ? body.allowed_mentions : undefined;
    Object.assign(raw, this.resolveMentions(String(raw.content ?? ""), allowed, undefined));
    raw.edited_timestamp = new Date().toISOString();
    stored.edits += 1;
  }

  deleteMessage(channelId: string, messageId: string): boolean {
    const list = this.channelMessages(channelId);
    const index = list.findIndex((message) => message.raw.id === messageId);
    if (index === -1) return false;
    list.splice(index, 1);
    return true;
  }

  /** An edit lists the attachments to keep by id; new ones (no snowflake id) are added. */
  #keptAttachments(raw: Json, requested: unknown[]): Json[] {
    const existing = Array.isArray(raw.attachments) ? (raw.attachments as Json[]) : [];
    return requested.filter(isJson).map((attachment) => {
      const kept = existing.find((old) => old.id === attachment.id);
      return kept ?? this.completeAttachment(attachment);
    });
  }

  /** Fills in id, url, size and type of a partial attachment object. */
  completeAttachment(partial: Json): Json {
    const id = typeof partial.id === "string" && SNOWFLAKE.test(partial.id) ? partial.id : this.ids.next();
    const filename = typeof partial.filename === "string" ? partial.filename : "file.bin";
    const url = `${CDN_BASE_URL}/attachments/${id}/${filename}`;
    return { size: 0, content_type: "application/octet-stream", url, proxy_url: url, ...partial, id, filename };
  }

  /**
   * Discord's mention fields from the text. Without allowed_mentions everything in the text pings;
   * with it, only what it allows (parse: ["users"] or users: [...]).
   */
  resolveMentions(content: string, allowed: Json | undefined, repliedAuthor: unknown): Json {
    const parse = Array.isArray(allowed?.parse) ? (allowed.parse as string[]) : undefined;
    const allowedUserIds = Array.isArray(allowed?.users) ? (allowed.users as string[]) : [];
    const userAllowed = (id: string) => !allowed || parse?.includes("users") || allowedUserIds.includes(id);
    const mentionedIds = new Set([...content.matchAll(USER_MENTION)].map((match) => match[1] ?? ""));
    const mentions = [...mentionedIds]
      .filter(userAllowed)
      .map((id) => this.users.get(id))
      .filter((user) => user !== undefined)
      .map(userPayload);
    const repliedPingAllowed = !allowed || allowed.replied_user === true;
    if (isJson(repliedAuthor) && repliedPingAllowed && !mentions.some((user) => user.id === repliedAuthor.id)) {
      mentions.push(repliedAuthor);
    }
    const rolesAllowed = !allowed || parse?.includes("roles") || Array.isArray(allowed.roles);
    const everyoneAllowed = !allowed || parse?.includes("everyone");
    return {
      mentions,
      mention_roles: rolesAllowed ? [...content.matchAll(ROLE_MENTION)].map((match) => match[1]) : [],
      mention_everyone: Boolean(everyoneAllowed) && EVERYONE_MENTION.test(content),
    };
  }

  // ----- webhooks -----

  channelWebhooks(channelId: string): WebhookRecord[] {
    return [...this.webhooks.values()].filter((webhook) => webhook.channelId === channelId);
  }

  // ----- commands -----

  commandScope(guildId: string | undefined): string {
    return guildId ?? "global";
  }

  findCommandId(name: string, guildId: string | undefined): string | undefined {
    const scoped = guildId === undefined ? [] : (this.commands.get(guildId) ?? []);
    const all = [...scoped, ...(this.commands.get("global") ?? [])];
    const found = all.find((command) => command.name === name);
    return typeof found?.id === "string" ? found.id : undefined;
  }
}

export function isJson(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function resolveRoleId(roles: Map<string, RoleRecord>, idOrName: string): string {
  if (roles.has(idOrName)) return idOrName;
  const byName = [...roles.values()].find((role) => role.name === idOrName);
  if (!byName) throw new Error(`fake Discord: member role "${idOrName}" is neither a role id nor a role name`);
  return byName.id;
}

function withoutNestedReference(raw: Json): Json {
  const { referenced_message: _nested, ...rest } = raw;
  return rest;
}

/** The public view of a stored message: a copy of the raw object plus its edit count. */
export function toFakeMessage(stored: StoredMessage): FakeMessage {
  return { ...structuredClone(stored.raw), edits: stored.edits } as FakeMessage;
}
