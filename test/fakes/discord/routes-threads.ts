/**
 * REST routes for threads, as Discord's docs describe them (Channel resource):
 * - Start Thread from Message, `POST /channels/{channel.id}/messages/{message.id}/threads`
 *   https://discord.com/developers/docs/resources/channel#start-thread-from-message
 *   A public thread whose id is the message's id (so one thread per message); needs
 *   CREATE_PUBLIC_THREADS; fires THREAD_CREATE and MESSAGE_UPDATE.
 * - Start Thread without Message, `POST /channels/{channel.id}/threads`
 *   https://discord.com/developers/docs/resources/channel#start-thread-without-message
 *   `type` 11 (public) or 12 (private; the default in API v9/v10), `invitable` for private
 *   threads; needs CREATE_PUBLIC_THREADS or CREATE_PRIVATE_THREADS; fires THREAD_CREATE.
 * - Add Thread Member, `PUT /channels/{thread.id}/thread-members/{user.id}`
 *   https://discord.com/developers/docs/resources/channel#add-thread-member
 *   Needs the ability to send messages in the thread; 204; fires THREAD_MEMBERS_UPDATE.
 * THREAD_CREATE carries the channel with `newly_created: true` when the thread was just made
 * (https://discord.com/developers/docs/topics/gateway-events#thread-create).
 * Missing permissions answer 403 with code 50013, as Discord does.
 */

import {
  ApiError,
  ChannelType,
  DEFAULT_THREAD_ARCHIVE_MINUTES,
  HttpStatus,
  MAX_THREAD_NAME_LENGTH,
  Permission,
  THREAD_ARCHIVE_DURATIONS,
} from "./constants.js";
import { apiError, invalidField, json, noContent, type RestRequest, type RestResponse, type Router } from "./http.js";
import { gatewayMessage, type RouteContext } from "./messages.js";
import { type ChannelRecord, channelPayload, isThread } from "./payloads.js";
import { isJson } from "./state.js";
import type { Json } from "./types.js";

/** What both ways of starting a thread check in the body: a 1–100 character name, a known archive duration. */
function invalidThreadBody(body: Json): RestResponse | undefined {
  const name = body.name;
  if (typeof name !== "string" || name.trim() === "" || name.length > MAX_THREAD_NAME_LENGTH) {
    return invalidField("name", "BASE_TYPE_BAD_LENGTH", `Must be between 1 and ${MAX_THREAD_NAME_LENGTH} in length.`);
  }
  const duration = body.auto_archive_duration;
  if (duration !== undefined && !(THREAD_ARCHIVE_DURATIONS as readonly unknown[]).includes(duration)) {
    return invalidField(
      "auto_archive_duration",
      "BASE_TYPE_CHOICES",
      `Value must be one of ${THREAD_ARCHIVE_DURATIONS.join(", ")}.`,
    );
  }
  return undefined;
}

/** Threads start only in guild text channels; a thread in a thread or a DM is refused. */
function wrongChannelType(channel: ChannelRecord): RestResponse | undefined {
  return channel.type === ChannelType.GuildText
    ? undefined
    : apiError(HttpStatus.BadRequest, ApiError.InvalidChannelType);
}

export function registerThreadRoutes(router: Router, context: RouteContext): void {
  const { state } = context;
  const bot = state.botUser.id;
  const missing = (channel: ChannelRecord, permission: bigint) =>
    state.botCan(channel.guildId, Permission.ViewChannel) && state.botCan(channel.guildId, permission)
      ? undefined
      : apiError(HttpStatus.Forbidden, ApiError.MissingPermissions);
  const created = (thread: ChannelRecord, extra?: () => void): RestResponse => ({
    ...json(channelPayload(thread), HttpStatus.Created),
    after: () => {
      context.gateway.dispatch("THREAD_CREATE", { ...channelPayload(thread), newly_created: true });
      extra?.();
    },
  });
  const withChannel =
    (handler: (request: RestRequest, channel: ChannelRecord, body: Json) => RestResponse) => (request: RestRequest) => {
      const channel = state.channels.get(request.params.channelId ?? "");
      if (!channel) return apiError(HttpStatus.NotFound, ApiError.UnknownChannel);
      return handler(request, channel, isJson(request.body) ? request.body : {});
    };

  router.add(
    "POST",
    "/channels/:channelId/threads",
    withChannel((_request, channel, body) => {
      const type = body.type ?? ChannelType.PrivateThread;
      if (type !== ChannelType.PublicThread && type !== ChannelType.PrivateThread) {
        return invalidField("type", "BASE_TYPE_CHOICES", "Value must be one of (11, 12).");
      }
      const permission =
        type === ChannelType.PrivateThread ? Permission.CreatePrivateThreads : Permission.CreatePublicThreads;
      const refused = wrongChannelType(channel) ?? missing(channel, permission) ?? invalidThreadBody(body);
      if (refused) return refused;
      const thread = state.addThread(channel, {
        name: String(body.name),
        type,
        ownerId: bot,
        autoArchiveMinutes:
          typeof body.auto_archive_duration === "number" ? body.auto_archive_duration : DEFAULT_THREAD_ARCHIVE_MINUTES,
        ...(type === ChannelType.PrivateThread && { invitable: body.invitable !== false }),
      });
      return created(thread);
    }),
  );

  router.add(
    "POST",
    "/channels/:channelId/messages/:messageId/threads",
    withChannel((request, channel, body) => {
      const stored = state.findMessage(channel.id, request.params.messageId ?? "");
      if (!stored) return apiError(HttpStatus.NotFound, ApiError.UnknownMessage);
      const refused =
        wrongChannelType(channel) ?? missing(channel, Permission.CreatePublicThreads) ?? invalidThreadBody(body);
      if (refused) return refused;
      if (state.channels.has(String(stored.raw.id)))
        return apiError(HttpStatus.BadRequest, ApiError.ThreadAlreadyCreated);
      const thread = state.addThread(channel, {
        id: String(stored.raw.id),
        name: String(body.name),
        type: ChannelType.PublicThread,
        ownerId: bot,
        autoArchiveMinutes:
          typeof body.auto_archive_duration === "number" ? body.auto_archive_duration : DEFAULT_THREAD_ARCHIVE_MINUTES,
      });
      stored.raw.thread = channelPayload(thread);
      return created(thread, () => context.gateway.dispatch("MESSAGE_UPDATE", gatewayMessage(state, stored)));
    }),
  );

  router.add(
    "PUT",
    "/channels/:channelId/thread-members/:userId",
    withChannel((request, thread) => {
      if (!isThread(thread) || !thread.threadMembers)
        return apiError(HttpStatus.BadRequest, ApiError.InvalidChannelType);
      const userId = request.params.userId === "@me" ? bot : (request.params.userId ?? "");
      const guild = state.guilds.get(thread.guildId ?? "");
      if (!guild?.members.has(userId)) return apiError(HttpStatus.NotFound, ApiError.UnknownMember);
      const refused = missing(thread, Permission.SendMessagesInThreads);
      if (refused) return refused;
      thread.threadMembers.add(userId);
      const added = { id: thread.id, user_id: userId, join_timestamp: new Date().toISOString(), flags: 0 };
      return {
        ...noContent(),
        after: () =>
          context.gateway.dispatch("THREAD_MEMBERS_UPDATE", {
            id: thread.id,
            guild_id: thread.guildId,
            member_count: thread.threadMembers?.size ?? 1,
            added_members: [added],
          }),
      };
    }),
  );
}
