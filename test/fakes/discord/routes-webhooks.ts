/** REST routes for channel webhooks and for /webhooks/:id/:token (regular or interaction). */

import {
  ApiError,
  ChannelType,
  HttpStatus,
  MAX_WEBHOOK_NAME_LENGTH,
  MAX_WEBHOOKS_PER_CHANNEL,
  Permission,
} from "./constants.js";
import { apiError, invalidField, json, noContent, type RestRequest, type RestResponse, type Router } from "./http.js";
import { interactionFollowup, interactionForWebhook, interactionMessageRoute } from "./interactions.js";
import {
  echoCreate,
  echoDelete,
  echoUpdate,
  invalidMessageBody,
  type RouteContext,
  uploadedAttachments,
  webhookAuthor,
} from "./messages.js";
import { type ChannelRecord, userPayload } from "./payloads.js";
import { isJson, randomToken, type StoredMessage, type WebhookRecord } from "./state.js";
import type { Json } from "./types.js";

const INCOMING_WEBHOOK = 1;
/** Discord refuses webhook and display names containing these words. */
const FORBIDDEN_NAME_WORDS = ["clyde", "discord"];

export function registerWebhookRoutes(router: Router, context: RouteContext): void {
  const { state } = context;

  router.add("GET", "/channels/:channelId/webhooks", ({ params }) => {
    const channel = state.channels.get(params.channelId ?? "");
    if (!channel) return apiError(HttpStatus.NotFound, ApiError.UnknownChannel);
    return (
      manageWebhooksError(context, channel) ??
      json(state.channelWebhooks(channel.id).map((webhook) => webhookPayload(context, webhook)))
    );
  });
  router.add("POST", "/channels/:channelId/webhooks", (request) => createWebhook(context, request));
  router.add("GET", "/guilds/:guildId/webhooks", ({ params }) => {
    const webhooks = [...state.webhooks.values()].filter((webhook) => webhook.guildId === params.guildId);
    return json(webhooks.map((webhook) => webhookPayload(context, webhook)));
  });
  router.add("GET", "/webhooks/:webhookId", ({ params }) => {
    const webhook = state.webhooks.get(params.webhookId ?? "");
    return webhook ? json(webhookPayload(context, webhook)) : apiError(HttpStatus.NotFound, ApiError.UnknownWebhook);
  });
  router.add("PATCH", "/webhooks/:webhookId", (request) => modifyWebhook(context, request));
  router.add("DELETE", "/webhooks/:webhookId", ({ params }) =>
    state.webhooks.delete(params.webhookId ?? "")
      ? noContent()
      : apiError(HttpStatus.NotFound, ApiError.UnknownWebhook),
  );

  const tokenRoute = { auth: false };
  router.add(
    "GET",
    "/webhooks/:webhookId/:token",
    withWebhook(context, (webhook) => json(webhookPayload(context, webhook))),
    tokenRoute,
  );
  router.add(
    "PATCH",
    "/webhooks/:webhookId/:token",
    (request) => withWebhook(context, () => modifyWebhook(context, request))(request),
    tokenRoute,
  );
  router.add(
    "DELETE",
    "/webhooks/:webhookId/:token",
    withWebhook(context, (webhook) => {
      state.webhooks.delete(webhook.id);
      return noContent();
    }),
    tokenRoute,
  );
  router.add(
    "POST",
    "/webhooks/:webhookId/:token",
    (request) => {
      const interaction = interactionForWebhook(context, request.params.webhookId ?? "", request.params.token ?? "");
      if (interaction) return interactionFollowup(context, interaction, request);
      return withWebhook(context, (webhook) => executeWebhook(context, webhook, request))(request);
    },
    tokenRoute,
  );
  for (const method of ["GET", "PATCH", "DELETE"]) {
    router.add(
      method,
      "/webhooks/:webhookId/:token/messages/:messageId",
      (request) => {
        const interaction = interactionForWebhook(context, request.params.webhookId ?? "", request.params.token ?? "");
        if (interaction) return interactionMessageRoute(context, interaction, request);
        return withWebhook(context, (webhook) => webhookMessageRoute(context, webhook, request))(request);
      },
      tokenRoute,
    );
  }
}

/** Runs the handler on the webhook that :webhookId and :token name, or answers 404 Unknown Webhook. */
function withWebhook(context: RouteContext, handler: (webhook: WebhookRecord) => RestResponse) {
  return (request: RestRequest): RestResponse => {
    const webhook = context.state.webhooks.get(request.params.webhookId ?? "");
    if (!webhook || webhook.token !== request.params.token)
      return apiError(HttpStatus.NotFound, ApiError.UnknownWebhook);
    return handler(webhook);
  };
}

function manageWebhooksError(context: RouteContext, channel: ChannelRecord): RestResponse | undefined {
  if (channel.type === ChannelType.DM) return apiError(HttpStatus.Forbidden, ApiError.MissingAccess);
  return context.state.botCan(channel.guildId, Permission.ManageWebhooks)
    ? undefined
    : apiError(HttpStatus.Forbidden, ApiError.MissingPermissions);
}

function createWebhook(context: RouteContext, request: RestRequest): RestResponse {
  const { state } = context;
  const channel = state.channels.get(request.params.channelId ?? "");
  if (!channel) return apiError(HttpStatus.NotFound, ApiError.UnknownChannel);
  const refused = manageWebhooksError(context, channel);
  if (refused) return refused;
  const body: Json = isJson(request.body) ? request.body : {};
  const name = typeof body.name === "string" ? body.name : "";
  const badName = invalidName("name", name);
  if (badName) return badName;
  if (state.channelWebhooks(channel.id).length >= MAX_WEBHOOKS_PER_CHANNEL) {
    return apiError(HttpStatus.BadRequest, ApiError.MaxWebhooks);
  }
  const webhook: WebhookRecord = {
    id: state.ids.next(),
    token: randomToken(),
    channelId: channel.id,
    guildId: channel.guildId ?? "",
    name,
    avatar: typeof body.avatar === "string" ? body.avatar : null,
  };
  state.webhooks.set(webhook.id, webhook);
  return json(webhookPayload(context, webhook));
}

/** PATCH /webhooks/:id (bot auth) or /webhooks/:id/:token — the bot renames the webhook or changes its avatar (a data URI). */
function modifyWebhook(context: RouteContext, request: RestRequest): RestResponse {
  const webhook = context.state.webhooks.get(request.params.webhookId ?? "");
  if (!webhook) return apiError(HttpStatus.NotFound, ApiError.UnknownWebhook);
  const body: Json = isJson(request.body) ? request.body : {};
  if (typeof body.name === "string") {
    const badName = invalidName("name", body.name);
    if (badName) return badName;
    webhook.name = body.name;
  }
  if (typeof body.avatar === "string" || body.avatar === null) webhook.avatar = body.avatar;
  return json(webhookPayload(context, webhook));
}

function invalidName(field: string, name: string): RestResponse | undefined {
  if (name.length < 1 || name.length > MAX_WEBHOOK_NAME_LENGTH) {
    return invalidField(field, "BASE_TYPE_BAD_LENGTH", `Must be between 1 and ${MAX_WEBHOOK_NAME_LENGTH} in length.`);
  }
  const word = FORBIDDEN_NAME_WORDS.find((forbidden) => name.toLowerCase().includes(forbidden));
  return word === undefined
    ? undefined
    : invalidField(field, "USERNAME_INVALID_CONTAINS", `Username cannot contain "${word}"`);
}

function webhookPayload(context: RouteContext, webhook: WebhookRecord): Json {
  return {
    id: webhook.id,
    type: INCOMING_WEBHOOK,
    guild_id: webhook.guildId,
    channel_id: webhook.channelId,
    name: webhook.name,
    avatar: webhook.avatar,
    token: webhook.token,
    application_id: context.applicationId,
    user: userPayload(context.state.botUser),
  };
}

/** The channel a webhook call targets: its own channel, or a thread of it named by ?thread_id. */
function targetChannel(context: RouteContext, webhook: WebhookRecord, request: RestRequest): ChannelRecord | undefined {
  const threadId = request.query.thread_id;
  const channel = context.state.channels.get(threadId ?? webhook.channelId);
  if (threadId !== undefined && channel?.parentId !== webhook.channelId) return undefined;
  return channel;
}

/** POST /webhooks/:id/:token — posts as the webhook, under the given username. */
function executeWebhook(context: RouteContext, webhook: WebhookRecord, request: RestRequest): RestResponse {
  const channel = targetChannel(context, webhook, request);
  if (!channel) return apiError(HttpStatus.BadRequest, ApiError.UnknownChannel);
  const body: Json = isJson(request.body) ? request.body : {};
  const username = typeof body.username === "string" ? body.username : webhook.name;
  const refused = invalidName("username", username) ?? invalidMessageBody(body, request.files, { isEdit: false });
  if (refused) return refused;
  const stored = context.state.createMessage({
    channel,
    author: webhookAuthor(webhook.id, username),
    content: typeof body.content === "string" ? body.content : "",
    allowedMentions: isJson(body.allowed_mentions) ? body.allowed_mentions : undefined,
    attachments: uploadedAttachments(body, request.files),
    embeds: Array.isArray(body.embeds) ? body.embeds : [],
    components: Array.isArray(body.components) ? body.components : [],
    flags: typeof body.flags === "number" ? body.flags : 0,
    webhookId: webhook.id,
    extra: { application_id: context.applicationId },
  });
  const response = request.query.wait === "true" ? json(stored.raw) : noContent();
  return { ...response, after: echoCreate(context, stored) };
}

/** GET, PATCH and DELETE /webhooks/:id/:token/messages/:messageId — only this webhook's messages. */
function webhookMessageRoute(context: RouteContext, webhook: WebhookRecord, request: RestRequest): RestResponse {
  const channel = targetChannel(context, webhook, request);
  const stored: StoredMessage | undefined = channel
    ? context.state.findMessage(channel.id, request.params.messageId ?? "")
    : undefined;
  if (!channel || !stored || stored.raw.webhook_id !== webhook.id) {
    return apiError(HttpStatus.NotFound, ApiError.UnknownMessage);
  }
  if (request.method === "GET") return json(stored.raw);
  if (request.method === "DELETE") {
    context.state.deleteMessage(channel.id, String(stored.raw.id));
    return { ...noContent(), after: echoDelete(context, channel, String(stored.raw.id)) };
  }
  const body: Json = isJson(request.body) ? request.body : {};
  const refused = invalidMessageBody(body, request.files, { isEdit: true });
  if (refused) return refused;
  context.state.editMessage(stored, body);
  return { ...json(stored.raw), after: echoUpdate(context, stored) };
}
