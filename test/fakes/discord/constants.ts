/** Discord protocol numbers the fake Discord uses, named once. */

export const API_VERSION_PREFIX = /^\/api\/v\d+/;
export const GATEWAY_PATH = "/gateway";
export const LOCALHOST = "127.0.0.1";

/** Discord's default heartbeat interval; long enough that short tests never see a heartbeat. */
export const DEFAULT_HEARTBEAT_INTERVAL_MS = 41_250;
/** Events kept per gateway session for RESUME replay. */
export const MAX_REPLAY_EVENTS = 1_000;
/** Discord refuses an interaction callback sent later than this after the interaction. */
export const INTERACTION_CALLBACK_DEADLINE_MS = 3_000;

export const DEFAULT_WAIT_TIMEOUT_MS = 2_000;
export const WAIT_POLL_INTERVAL_MS = 10;
/** How many recent REST calls a waitForCall timeout message lists. */
export const RECENT_CALLS_IN_ERRORS = 15;

export const MAX_MESSAGE_CONTENT_LENGTH = 2_000;
export const MAX_WEBHOOKS_PER_CHANNEL = 15;
export const MAX_WEBHOOK_NAME_LENGTH = 80;
export const DEFAULT_MESSAGE_FETCH_LIMIT = 50;
export const MAX_MESSAGE_FETCH_LIMIT = 100;
export const ATTACHMENT_SIZE_LIMIT_BYTES = 10 * 1024 * 1024;
export const DEFAULT_LOCALE = "en-US";
export const CDN_BASE_URL = "https://cdn.fake-discord.test";

export const GatewayOp = {
  Dispatch: 0,
  Heartbeat: 1,
  Identify: 2,
  PresenceUpdate: 3,
  Resume: 6,
  Reconnect: 7,
  RequestGuildMembers: 8,
  InvalidSession: 9,
  Hello: 10,
  HeartbeatAck: 11,
} as const;

export const GatewayCloseCode = {
  Normal: 1000,
  GoingAway: 1001,
  UnknownError: 4000,
  AuthenticationFailed: 4004,
  DisallowedIntents: 4014,
} as const;

export const Intent = {
  Guilds: 1 << 0,
  GuildMembers: 1 << 1,
  GuildMessages: 1 << 9,
  DirectMessages: 1 << 12,
  MessageContent: 1 << 15,
} as const;

/** A thread's auto_archive_duration may only be one of these (minutes); Discord's default is a day. */
export const THREAD_ARCHIVE_DURATIONS = [60, 1440, 4320, 10080] as const;
export const DEFAULT_THREAD_ARCHIVE_MINUTES = 1440;
export const MAX_THREAD_NAME_LENGTH = 100;

export const ChannelType = {
  GuildText: 0,
  DM: 1,
  PublicThread: 11,
  PrivateThread: 12,
} as const;

export const MessageType = {
  Default: 0,
  Reply: 19,
  ChatInputCommand: 20,
} as const;

export const MessageFlag = {
  Ephemeral: 1 << 6,
  Loading: 1 << 7,
} as const;

export const InteractionType = {
  ApplicationCommand: 2,
  MessageComponent: 3,
  ApplicationCommandAutocomplete: 4,
} as const;

export const ComponentType = {
  ActionRow: 1,
  Button: 2,
} as const;

export const InteractionCallbackType = {
  Pong: 1,
  ChannelMessageWithSource: 4,
  DeferredChannelMessageWithSource: 5,
  DeferredUpdateMessage: 6,
  UpdateMessage: 7,
  ApplicationCommandAutocompleteResult: 8,
  Modal: 9,
} as const;

export const InteractionContext = {
  Guild: 0,
  BotDM: 1,
} as const;

/** Application command option types whose values are ids the interaction resolves. */
export const OptionType = {
  User: 6,
  Channel: 7,
  Role: 8,
  Mentionable: 9,
} as const;

export const Permission = {
  Administrator: 1n << 3n,
  AddReactions: 1n << 6n,
  ViewChannel: 1n << 10n,
  SendMessages: 1n << 11n,
  ManageMessages: 1n << 13n,
  EmbedLinks: 1n << 14n,
  AttachFiles: 1n << 15n,
  ReadMessageHistory: 1n << 16n,
  ChangeNickname: 1n << 26n,
  ManageWebhooks: 1n << 29n,
  UseApplicationCommands: 1n << 31n,
  ManageThreads: 1n << 34n,
  CreatePublicThreads: 1n << 35n,
  CreatePrivateThreads: 1n << 36n,
  SendMessagesInThreads: 1n << 38n,
} as const;

/** Every permission bit Discord defines today (bits 0–50). */
export const ALL_PERMISSIONS = (1n << 51n) - 1n;

/** The bot's role when a guild spec gives no botPermissions: a typical invite, no Administrator. */
export const DEFAULT_BOT_PERMISSIONS =
  Permission.ViewChannel |
  Permission.SendMessages |
  Permission.SendMessagesInThreads |
  Permission.ReadMessageHistory |
  Permission.EmbedLinks |
  Permission.AttachFiles |
  Permission.AddReactions |
  Permission.ChangeNickname |
  Permission.ManageWebhooks |
  Permission.UseApplicationCommands;

/** JSON error codes Discord returns, with its wording. */
export const ApiError = {
  General: { code: 0, message: "" },
  UnknownChannel: { code: 10003, message: "Unknown Channel" },
  UnknownGuild: { code: 10004, message: "Unknown Guild" },
  UnknownMember: { code: 10007, message: "Unknown Member" },
  UnknownMessage: { code: 10008, message: "Unknown Message" },
  UnknownUser: { code: 10013, message: "Unknown User" },
  UnknownWebhook: { code: 10015, message: "Unknown Webhook" },
  UnknownApplicationCommand: { code: 10063, message: "Unknown application command" },
  UnknownInteraction: { code: 10062, message: "Unknown interaction" },
  MissingAccess: { code: 50001, message: "Missing Access" },
  CannotEditOthersMessage: { code: 50005, message: "Cannot edit a message authored by another user" },
  EmptyMessage: { code: 50006, message: "Cannot send an empty message" },
  MissingPermissions: { code: 50013, message: "Missing Permissions" },
  InvalidChannelType: { code: 50024, message: "Cannot execute action on this channel type" },
  ThreadAlreadyCreated: { code: 160004, message: "A thread has already been created for this message" },
  InvalidFormBody: { code: 50035, message: "Invalid Form Body" },
  MaxWebhooks: { code: 30007, message: "Maximum number of webhooks reached (15)" },
  AlreadyAcknowledged: { code: 40060, message: "Interaction has already been acknowledged." },
} as const;

export const HttpStatus = {
  Ok: 200,
  Created: 201,
  NoContent: 204,
  BadRequest: 400,
  Unauthorized: 401,
  Forbidden: 403,
  NotFound: 404,
  TooManyRequests: 429,
  InternalServerError: 500,
} as const;
