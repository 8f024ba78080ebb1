/** Public types of the fake Discord, shared by its parts and by tests. */

/** A JSON object as Discord sends it; fields are read by name, so values stay unknown. */
export type Json = Record<string, unknown>;

/** A Discord user as tests describe one. */
export interface FakeUser {
  id: string;
  username: string;
  globalName?: string;
  bot?: boolean;
}

export interface FakeChannelSpec {
  id?: string;
  name: string;
  /** 0 text channel (default), 11 public thread. */
  type?: number;
  /** For threads: the id (or, for convenience, the name) of the parent text channel. */
  parentId?: string;
  /** The channel's permission overwrites (not for threads: a thread uses its parent's). */
  overwrites?: FakeOverwriteSpec[];
}

/**
 * A permission overwrite (docs: resources/channel, "Overwrite Object"). `id` is a role id,
 * a role name ("@everyone" for the guild's), or for a member overwrite a user id.
 */
export interface FakeOverwriteSpec {
  id: string;
  /** 0 role (default), 1 member. */
  type?: 0 | 1;
  /** Bitfields as decimal strings, as Discord sends them. */
  allow?: string;
  deny?: string;
}

export interface FakeRoleSpec {
  id?: string;
  /** The name "@everyone" sets the permissions of the guild's @everyone role. */
  name: string;
  permissions?: string;
}

export interface FakeMemberSpec {
  user: FakeUser;
  nick?: string;
  /** Role ids or role names of this guild. */
  roles?: string[];
}

export interface FakeGuildSpec {
  id?: string;
  name?: string;
  /** The guild's preferred locale (Discord's `preferred_locale`, sent as an interaction's `guild_locale`); default en-US. */
  preferredLocale?: string;
  /** Defaults to one text channel named "general". */
  channels?: FakeChannelSpec[];
  roles?: FakeRoleSpec[];
  members?: FakeMemberSpec[];
  /**
   * Bitfield (decimal string) of the bot's role. Default: ViewChannel, SendMessages,
   * SendMessagesInThreads, ReadMessageHistory, EmbedLinks, AttachFiles, AddReactions,
   * ChangeNickname, ManageWebhooks, UseApplicationCommands; no Administrator.
   */
  botPermissions?: string;
  /** The owner gets every permission in interactions. Default: a generated user who is not a member. */
  ownerId?: string;
}

/** What addGuild returns: the ids a test needs to address the guild. */
export interface FakeGuildHandle {
  id: string;
  name: string;
  channels: Array<{ id: string; name: string; type: number; parentId?: string }>;
  roles: Array<{ id: string; name: string; permissions: string }>;
  botRoleId: string;
  /** The id of the channel or thread with this name; throws if there is none. */
  channelId(name: string): string;
}

export interface RestFile {
  field: string;
  filename: string;
  size: number;
  contentType: string;
}

export interface RestCall {
  method: string;
  /**
   * Path after /api/v10 exactly as sent, e.g. /channels/123/messages. @discordjs/rest percent-encodes
   * "@": /guilds/1/members/%40me, /webhooks/app/token/messages/%40original.
   */
  path: string;
  /** The path with each segment percent-decoded: /guilds/1/members/@me. */
  decodedPath: string;
  query: Record<string, string>;
  /** Parsed JSON body (or multipart payload_json); undefined when empty. `any` so tests can read fields without casts. */
  // biome-ignore lint/suspicious/noExplicitAny: arbitrary request JSON, read freely by tests.
  body: any;
  /** Files of a multipart request. */
  files: RestFile[];
  headers: Record<string, string | string[] | undefined>;
  status: number;
  /** performance.now() when the request arrived. */
  at: number;
}

/** A stored message: the raw Discord message object plus how often it was edited. */
export interface FakeMessage {
  id: string;
  channel_id: string;
  guild_id?: string;
  author: Json;
  content: string;
  webhook_id?: string;
  message_reference?: Json;
  edits: number;
  [field: string]: unknown;
}

/** A thread as tests read it back. */
export interface FakeThread {
  id: string;
  name: string;
  /** 11 public, 12 private. */
  type: number;
  parentId: string;
  /** Who started it; null for threads listed in a guild spec. */
  ownerId: string | null;
  /** User ids of its members (private threads show only to them). */
  members: string[];
  invitable?: boolean;
  autoArchiveMinutes?: number;
}

export interface PostMessageOptions {
  channelId: string;
  author: FakeUser;
  content: string;
  /** Puts `<@bot>` in front of the content (unless already there) and the bot in `mentions`. */
  mentionBot?: boolean;
  replyToId?: string;
  /** Replies mention the replied-to author, as Discord's client does by default. */
  pingRepliedUser?: boolean;
  /** Partial attachment objects; id, url, size and the like are filled in. */
  attachments?: Json[];
  /** Makes it a webhook message: author id becomes the webhook id, author.bot true. */
  webhookId?: string;
  type?: number;
}

export interface InteractOptions {
  /** Defaults to the channel's guild; omit for a DM channel. */
  guildId?: string;
  channelId: string;
  user: FakeUser;
  /** The member's permissions bitfield; defaults to what its roles grant (everything for the owner). */
  permissions?: string;
  roles?: string[];
  name: string;
  options?: Json[];
  /** 2 slash command (default), 4 autocomplete. */
  type?: 2 | 4;
}

/** Who acts in an interaction, and where. */
export type InteractionActor = Pick<InteractOptions, "guildId" | "channelId" | "user" | "permissions" | "roles">;

export interface ClickOptions {
  /** The message holding the button: the reply to an earlier interaction (ephemeral ones too)... */
  interactionId?: string;
  /** ...or a message in `channelId`. */
  messageId?: string;
  /** Defaults to the channel of the earlier interaction. */
  channelId?: string;
  user: FakeUser;
  /** The member's permissions bitfield; defaults to what its roles grant. */
  permissions?: string;
  roles?: string[];
  /** The custom_id of a button on that message; clicking one that is not there (or disabled) throws. */
  customId: string;
}

export type InteractionResponseKind = "callback" | "edit" | "followup" | "delete";

export interface InteractionResponse {
  kind: InteractionResponseKind;
  // biome-ignore lint/suspicious/noExplicitAny: the bot's reply JSON, read freely by tests.
  body: any;
}

export interface RateLimitBucketSpec {
  method?: string;
  route: RegExp;
  limit: number;
  windowMs: number;
}

export interface RateLimitOptions {
  buckets?: RateLimitBucketSpec[];
  globalPerSecond?: number;
}

export interface InjectErrorOptions {
  method?: string;
  route: RegExp;
  status: number;
  /** How many matching calls fail; default 1. */
  count?: number;
  /** For 429s; default 1. */
  retryAfterSeconds?: number;
  global?: boolean;
  /** Replaces the default JSON error body. */
  body?: Json;
}

export interface DisconnectOptions {
  /** Close code sent to the client; default 4000 (unknown error, the client resumes). */
  code?: number;
  /** Drop the TCP connection without a close frame (the client sees 1006). */
  drop?: boolean;
}

export interface InvalidateSessionOptions {
  /**
   * Whether the client may resume (op 9 with d: true). Default false: the session is forgotten, events
   * dispatched until the client identifies again are lost, and the client must send a fresh IDENTIFY.
   */
  resumable?: boolean;
}

export interface StartFakeDiscordOptions {
  botUser?: Partial<FakeUser>;
  /**
   * Whether the application has the privileged MessageContent intent enabled (default true).
   * When false, IDENTIFY asking for it is closed with 4014 and REST reads of messages are blanked.
   */
  messageContentIntent?: boolean;
  heartbeatIntervalMs?: number;
  /** The shard count GET /gateway/bot recommends (default 1). Events are routed by Discord's shard formula. */
  shards?: number;
}
