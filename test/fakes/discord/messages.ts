/** Message rules shared by REST routes and the test-facing API: validation, gateway shape, echoes. */

import { ApiError, ChannelType, HttpStatus, MAX_MESSAGE_CONTENT_LENGTH, Permission } from "./constants.js";
import type { FakeGateway } from "./gateway.js";
import { apiError, invalidField, type RestResponse } from "./http.js";
import { blankContent, canReadContent } from "./intents.js";
import { type ChannelRecord, isThread, memberPayload, userPayload } from "./payloads.js";
import { type DiscordState, isJson, type StoredMessage } from "./state.js";
import type { Json, RestFile } from "./types.js";

/** What the routes share: the world, the gateway, and the app's settings. */
export interface RouteContext {
  state: DiscordState;
  gateway: FakeGateway;
  applicationId: string;
  /** Whether the app has the privileged MessageContent intent (REST reads are blanked without it). */
  messageContentAllowed: boolean;
  /** The shard count GET /gateway/bot recommends. */
  shardCount: number;
  gatewayUrl(): string;
}

/** A 400 for content that is too long or a message with nothing in it; undefined when fine. */
export function invalidMessageBody(
  body: Json,
  files: RestFile[],
  options: { isEdit: boolean },
): RestResponse | undefined {
  const content = body.content;
  if (content !== undefined && content !== null && typeof content !== "string") {
    return invalidField("content", "BASE_TYPE_STRING", "Must be a string.");
  }
  if (typeof content === "string" && content.length > MAX_MESSAGE_CONTENT_LENGTH) {
    return invalidField("content", "BASE_TYPE_MAX_LENGTH", `Must be ${MAX_MESSAGE_CONTENT_LENGTH} or fewer in length.`);
  }
  if (options.isEdit) return undefined;
  const hasText = typeof content === "string" && content.trim() !== "";
  const hasOther = [body.embeds, body.components, body.sticker_ids].some(
    (list) => Array.isArray(list) && list.length > 0,
  );
  if (!hasText && !hasOther && !body.poll && files.length === 0) {
    return apiError(HttpStatus.BadRequest, ApiError.EmptyMessage);
  }
  return undefined;
}

/** Attachment objects for a multipart upload: the files, described by payload_json's attachments. */
export function uploadedAttachments(body: Json, files: RestFile[]): Json[] {
  const described = Array.isArray(body.attachments) ? body.attachments.filter(isJson) : [];
  return files.map((file, index) => ({
    ...described[index],
    id: undefined,
    filename: file.filename,
    size: file.size,
    content_type: file.contentType,
  }));
}

/** A 403 when the bot may not post in this channel; undefined when it may. */
export function sendPermissionError(state: DiscordState, channel: ChannelRecord): RestResponse | undefined {
  if (channel.type === ChannelType.DM) return undefined;
  if (!state.botCanIn(channel, Permission.ViewChannel)) {
    return apiError(HttpStatus.Forbidden, ApiError.MissingAccess);
  }
  const sendPermission = isThread(channel) ? Permission.SendMessagesInThreads : Permission.SendMessages;
  return state.botCanIn(channel, sendPermission)
    ? undefined
    : apiError(HttpStatus.Forbidden, ApiError.MissingPermissions);
}

/** The message as MESSAGE_CREATE/UPDATE carries it: with the author's member in guilds, channel_type in DMs. */
export function gatewayMessage(state: DiscordState, stored: StoredMessage): Json {
  const raw = stored.raw;
  const channel = state.channels.get(String(raw.channel_id));
  if (!channel?.guildId) return { ...raw, channel_type: ChannelType.DM };
  const guild = state.guilds.get(channel.guildId);
  const author = raw.author as Json;
  const member = raw.webhook_id === undefined ? guild?.members.get(String(author.id)) : undefined;
  const mentions = Array.isArray(raw.mentions) ? (raw.mentions as Json[]) : [];
  return {
    ...raw,
    ...(member && { member: memberPayload(member, { withUser: false }) }),
    mentions: mentions.map((user) => {
      const mentioned = guild?.members.get(String(user.id));
      return mentioned ? { ...user, member: memberPayload(mentioned, { withUser: false }) } : user;
    }),
  };
}

/** The message as a REST read returns it, blanked when the app lacks the MessageContent intent. */
export function restMessage(context: RouteContext, stored: StoredMessage): Json {
  const { raw } = stored;
  if (context.messageContentAllowed || canReadContent(raw, context.state.botUser.id)) return raw;
  return blankContent(raw);
}

export function echoCreate(context: RouteContext, stored: StoredMessage): () => void {
  return () => context.gateway.dispatch("MESSAGE_CREATE", gatewayMessage(context.state, stored));
}

export function echoUpdate(context: RouteContext, stored: StoredMessage): () => void {
  return () => context.gateway.dispatch("MESSAGE_UPDATE", gatewayMessage(context.state, stored));
}

export function echoDelete(context: RouteContext, channel: ChannelRecord, messageId: string): () => void {
  return () =>
    context.gateway.dispatch("MESSAGE_DELETE", {
      id: messageId,
      channel_id: channel.id,
      ...(channel.guildId !== undefined && { guild_id: channel.guildId }),
    });
}

export function botAuthor(state: DiscordState): Json {
  return userPayload(state.botUser);
}

/** Webhook messages carry the webhook id as author id and the chosen display name. */
export function webhookAuthor(webhookId: string, username: string): Json {
  return { id: webhookId, username, avatar: null, discriminator: "0000", bot: true, global_name: null };
}
