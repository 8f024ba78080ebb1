/** REST routes for the gateway URL, users, guilds, channels and messages. */

import {
  ApiError,
  ChannelType,
  DEFAULT_MESSAGE_FETCH_LIMIT,
  HttpStatus,
  MAX_MESSAGE_FETCH_LIMIT,
  Permission,
} from "./constants.js";
import { apiError, invalidField, json, noContent, type RestRequest, type RestResponse, type Router } from "./http.js";
import {
  botAuthor,
  echoCreate,
  echoDelete,
  echoUpdate,
  invalidMessageBody,
  type RouteContext,
  restMessage,
  sendPermissionError,
  uploadedAttachments,
} from "./messages.js";
import {
  type ChannelRecord,
  channelPayload,
  guildPayload,
  isThread,
  memberPayload,
  rolePayload,
  userPayload,
} from "./payloads.js";
import { isJson, type StoredMessage } from "./state.js";
import type { Json } from "./types.js";

const SESSION_START_LIMIT = { total: 1000, remaining: 1000, reset_after: 0, max_concurrency: 1 };
const MAX_NICKNAME_LENGTH = 32;

export function registerChannelRoutes(router: Router, context: RouteContext): void {
  const { state } = context;

  router.add("GET", "/gateway", () => json({ url: context.gatewayUrl() }), { auth: false });
  router.add("GET", "/gateway/bot", () =>
    json({ url: context.gatewayUrl(), shards: context.shardCount, session_start_limit: SESSION_START_LIMIT }),
  );

  router.add("GET", "/users/@me", () => json({ ...userPayload(state.botUser), verified: true, flags: 0 }));
  router.add("GET", "/users/:userId", ({ params }) => {
    const user = state.users.get(params.userId ?? "");
    return user ? json(userPayload(user)) : apiError(HttpStatus.NotFound, ApiError.UnknownUser);
  });
  router.add("POST", "/users/@me/channels", ({ body }) => {
    const user = state.users.get(String(body?.recipient_id));
    if (!user) return apiError(HttpStatus.NotFound, ApiError.UnknownUser);
    return json(channelPayload(state.dmChannelFor(user)));
  });

  registerGuildRoutes(router, context);
  registerMessageRoutes(router, context);

  router.add("GET", "/channels/:channelId", ({ params }) => {
    const channel = state.channels.get(params.channelId ?? "");
    return channel ? json(channelPayload(channel)) : apiError(HttpStatus.NotFound, ApiError.UnknownChannel);
  });
  router.add("POST", "/channels/:channelId/typing", ({ params }) =>
    state.channels.has(params.channelId ?? "") ? noContent() : apiError(HttpStatus.NotFound, ApiError.UnknownChannel),
  );
}

function registerGuildRoutes(router: Router, context: RouteContext): void {
  const { state } = context;
  const withGuild = (handler: (guildId: string, request: RestRequest) => RestResponse) => (request: RestRequest) => {
    const guildId = request.params.guildId ?? "";
    return state.guilds.has(guildId) ? handler(guildId, request) : apiError(HttpStatus.NotFound, ApiError.UnknownGuild);
  };
  const guildOf = (guildId: string) => {
    const guild = state.guilds.get(guildId);
    if (!guild) throw new Error(`guild ${guildId} vanished`);
    return guild;
  };

  router.add(
    "GET",
    "/guilds/:guildId",
    withGuild((guildId) => {
      const guild = guildOf(guildId);
      return json({ ...guildPayload(guild), approximate_member_count: guild.members.size });
    }),
  );
  router.add(
    "GET",
    "/guilds/:guildId/channels",
    withGuild((guildId) => {
      const channels = state.guildChannels(guildOf(guildId)).filter((channel) => !isThread(channel));
      return json(channels.map(channelPayload));
    }),
  );
  router.add(
    "GET",
    "/guilds/:guildId/roles",
    withGuild((guildId) => json([...guildOf(guildId).roles.values()].map(rolePayload))),
  );
  router.add(
    "GET",
    "/guilds/:guildId/members",
    withGuild((guildId, { query }) => {
      const limit = Number(query.limit ?? 1);
      const members = [...guildOf(guildId).members.values()].slice(0, limit);
      return json(members.map((member) => memberPayload(member, { withUser: true })));
    }),
  );
  router.add(
    "GET",
    "/guilds/:guildId/members/:userId",
    withGuild((guildId, { params }) => {
      const userId = params.userId === "@me" ? state.botUser.id : (params.userId ?? "");
      const member = guildOf(guildId).members.get(userId);
      return member
        ? json(memberPayload(member, { withUser: true }))
        : apiError(HttpStatus.NotFound, ApiError.UnknownMember);
    }),
  );
  router.add(
    "PATCH",
    "/guilds/:guildId/members/@me",
    withGuild((guildId, { body }) => {
      const guild = guildOf(guildId);
      const me = guild.members.get(state.botUser.id);
      if (!me) return apiError(HttpStatus.NotFound, ApiError.UnknownMember);
      if (isJson(body) && "nick" in body) {
        if (!state.botCan(guildId, Permission.ChangeNickname)) {
          return apiError(HttpStatus.Forbidden, ApiError.MissingPermissions);
        }
        const nick = typeof body.nick === "string" && body.nick !== "" ? body.nick : null;
        if (nick !== null && nick.length > MAX_NICKNAME_LENGTH) {
          return invalidField("nick", "BASE_TYPE_MAX_LENGTH", `Must be ${MAX_NICKNAME_LENGTH} or fewer in length.`);
        }
        me.nick = nick;
      }
      const payload = memberPayload(me, { withUser: true });
      return {
        ...json(payload),
        after: () => context.gateway.dispatch("GUILD_MEMBER_UPDATE", { guild_id: guildId, ...payload }),
      };
    }),
  );
}

function registerMessageRoutes(router: Router, context: RouteContext): void {
  const { state } = context;
  /** Looks up the channel (and message) a route names, or answers 404. */
  const withChannel =
    (handler: (request: RestRequest, channel: ChannelRecord) => RestResponse) => (request: RestRequest) => {
      const channel = state.channels.get(request.params.channelId ?? "");
      return channel ? handler(request, channel) : apiError(HttpStatus.NotFound, ApiError.UnknownChannel);
    };
  const findMessage = (request: RestRequest): StoredMessage | undefined =>
    state.findMessage(request.params.channelId ?? "", request.params.messageId ?? "");

  router.add(
    "POST",
    "/channels/:channelId/messages",
    withChannel((request, channel) => {
      const body: Json = isJson(request.body) ? request.body : {};
      const refused = sendPermissionError(state, channel) ?? invalidMessageBody(body, request.files, { isEdit: false });
      if (refused) return refused;
      const reference = isJson(body.message_reference) ? body.message_reference : undefined;
      const referenceId = reference?.message_id === undefined ? undefined : String(reference.message_id);
      const referenceExists = referenceId !== undefined && state.findMessage(channel.id, referenceId) !== undefined;
      if (referenceId !== undefined && !referenceExists && reference?.fail_if_not_exists !== false) {
        return invalidField("message_reference", "REPLIES_UNKNOWN_MESSAGE", "Unknown message");
      }
      const stored = state.createMessage({
        channel,
        author: botAuthor(state),
        content: typeof body.content === "string" ? body.content : "",
        ...(referenceExists && { referenceId }),
        allowedMentions: isJson(body.allowed_mentions) ? body.allowed_mentions : undefined,
        attachments: uploadedAttachments(body, request.files),
        embeds: Array.isArray(body.embeds) ? body.embeds : [],
        components: Array.isArray(body.components) ? body.components : [],
        flags: typeof body.flags === "number" ? body.flags : 0,
        nonce: body.nonce,
      });
      return { ...json(stored.raw), after: echoCreate(context, stored) };
    }),
  );

  router.add(
    "GET",
    "/channels/:channelId/messages",
    withChannel(({ query }, channel) => {
      const limit = Math.min(Number(query.limit ?? DEFAULT_MESSAGE_FETCH_LIMIT), MAX_MESSAGE_FETCH_LIMIT);
      const page = pageOfMessages(state.channelMessages(channel.id), query, limit);
      // Discord lists newest first.
      return json(page.reverse().map((stored) => restMessage(context, stored)));
    }),
  );

  router.add(
    "GET",
    "/channels/:channelId/messages/:messageId",
    withChannel((request) => {
      const stored = findMessage(request);
      return stored ? json(restMessage(context, stored)) : apiError(HttpStatus.NotFound, ApiError.UnknownMessage);
    }),
  );

  router.add(
    "PATCH",
    "/channels/:channelId/messages/:messageId",
    withChannel((request) => {
      const stored = findMessage(request);
      if (!stored) return apiError(HttpStatus.NotFound, ApiError.UnknownMessage);
      if ((stored.raw.author as Json).id !== state.botUser.id) {
        return apiError(HttpStatus.Forbidden, ApiError.CannotEditOthersMessage);
      }
      const body: Json = isJson(request.body) ? request.body : {};
      const refused = invalidMessageBody(body, request.files, { isEdit: true });
      if (refused) return refused;
      state.editMessage(stored, body);
      return { ...json(stored.raw), after: echoUpdate(context, stored) };
    }),
  );

  router.add(
    "DELETE",
    "/channels/:channelId/messages/:messageId",
    withChannel((request, channel) => {
      const stored = findMessage(request);
      if (!stored) return apiError(HttpStatus.NotFound, ApiError.UnknownMessage);
      const isOwn = (stored.raw.author as Json).id === state.botUser.id;
      const mayModerate = channel.type !== ChannelType.DM && state.botCan(channel.guildId, Permission.ManageMessages);
      if (!isOwn && !mayModerate) return apiError(HttpStatus.Forbidden, ApiError.MissingPermissions);
      state.deleteMessage(channel.id, String(stored.raw.id));
      return { ...noContent(), after: echoDelete(context, channel, String(stored.raw.id)) };
    }),
  );

  const react = (add: boolean) =>
    withChannel((request) => {
      const stored = findMessage(request);
      if (!stored) return apiError(HttpStatus.NotFound, ApiError.UnknownMessage);
      setOwnReaction(stored, request.params.emoji ?? "", add);
      return noContent();
    });
  router.add("PUT", "/channels/:channelId/messages/:messageId/reactions/:emoji/@me", react(true));
  router.add("DELETE", "/channels/:channelId/messages/:messageId/reactions/:emoji/@me", react(false));
}

/** The slice of a channel's history (oldest first) that before/after/around and limit select. */
function pageOfMessages(messages: StoredMessage[], query: Record<string, string>, limit: number): StoredMessage[] {
  const idOf = (stored: StoredMessage) => BigInt(String(stored.raw.id));
  if (query.before) {
    const before = BigInt(query.before);
    return messages.filter((stored) => idOf(stored) < before).slice(-limit);
  }
  if (query.after) {
    const after = BigInt(query.after);
    return messages.filter((stored) => idOf(stored) > after).slice(0, limit);
  }
  if (query.around) {
    const index = messages.findIndex((stored) => stored.raw.id === query.around);
    if (index === -1) return [];
    const start = Math.max(0, index - Math.floor(limit / 2));
    return messages.slice(start, start + limit);
  }
  return messages.slice(-limit);
}

/** Records the bot's own reaction on a message (Discord's `reactions` array with `me`). */
function setOwnReaction(stored: StoredMessage, emoji: string, add: boolean): void {
  const reactions = Array.isArray(stored.raw.reactions) ? (stored.raw.reactions as Json[]) : [];
  const others = reactions.filter((reaction) => (reaction.emoji as Json).name !== emoji);
  stored.raw.reactions = add ? [...others, { emoji: { id: null, name: emoji }, count: 1, me: true }] : others;
}
