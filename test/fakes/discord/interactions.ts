/** Interactions: building INTERACTION_CREATE, the callback route, and the interaction webhook. */

import {
  ApiError,
  ATTACHMENT_SIZE_LIMIT_BYTES,
  DEFAULT_BOT_PERMISSIONS,
  DEFAULT_LOCALE,
  HttpStatus,
  INTERACTION_CALLBACK_DEADLINE_MS,
  InteractionCallbackType,
  InteractionContext,
  InteractionType,
  MessageFlag,
  MessageType,
  OptionType,
} from "./constants.js";
import { apiError, invalidField, json, noContent, type RestRequest, type RestResponse, type Router } from "./http.js";
import {
  botAuthor,
  echoCreate,
  echoDelete,
  echoUpdate,
  invalidMessageBody,
  type RouteContext,
  uploadedAttachments,
} from "./messages.js";
import {
  type ChannelRecord,
  channelPayload,
  type GuildRecord,
  type MemberRecord,
  memberPayload,
  rolePayload,
  userPayload,
} from "./payloads.js";
import { type InteractionRecord, isJson, randomToken, type StoredMessage } from "./state.js";
import type { InteractionActor, InteractOptions, Json } from "./types.js";

const MAX_AUTOCOMPLETE_CHOICES = 25;
const ORIGINAL_MESSAGE_ID = "@original";

// ----- INTERACTION_CREATE -----

/** Records a slash command or autocomplete interaction and returns its INTERACTION_CREATE payload. */
export function createInteraction(
  context: RouteContext,
  options: InteractOptions,
): { record: InteractionRecord; payload: Json } {
  return recordInteraction(context, options, {
    type: options.type ?? InteractionType.ApplicationCommand,
    data: (guild) => commandData(context, options, guild),
  });
}

/** What kind of interaction to record: its type, its `data`, and fields particular to it. */
export interface InteractionKind {
  type: number;
  data: (guild: GuildRecord | undefined) => Json;
  /** Extra payload fields, such as the clicked `message`. */
  payload?: Json;
  componentMessage?: StoredMessage;
}

/** Records an interaction by the person in `options` and returns the INTERACTION_CREATE payload for it. */
export function recordInteraction(
  context: RouteContext,
  options: InteractionActor,
  kind: InteractionKind,
): { record: InteractionRecord; payload: Json } {
  const { state } = context;
  const channel = state.requireChannel(options.channelId);
  const guildId = options.guildId ?? channel.guildId;
  const guild = guildId === undefined ? undefined : state.guilds.get(guildId);
  if (guildId !== undefined && !guild) throw new Error(`fake Discord: interact names unknown guild ${guildId}`);
  state.rememberUser(options.user);
  const record: InteractionRecord = {
    id: state.ids.next(),
    token: randomToken(),
    user: options.user,
    channelId: channel.id,
    ...(guildId !== undefined && { guildId }),
    createdAtMs: Date.now(),
    acknowledged: false,
    original: null,
    ephemeralOriginal: false,
    followups: new Map(),
    responses: [],
    ...(kind.componentMessage && { componentMessage: kind.componentMessage }),
  };
  state.interactions.set(record.id, record);
  const payload: Json = {
    id: record.id,
    application_id: context.applicationId,
    type: kind.type,
    token: record.token,
    version: 1,
    data: kind.data(guild),
    ...kind.payload,
    channel: channelPayload(channel),
    channel_id: channel.id,
    app_permissions: (guild ? state.botPermissions(guild) : DEFAULT_BOT_PERMISSIONS).toString(),
    locale: DEFAULT_LOCALE,
    entitlements: [],
    authorizing_integration_owners: {},
    context: guild ? InteractionContext.Guild : InteractionContext.BotDM,
    attachment_size_limit: ATTACHMENT_SIZE_LIMIT_BYTES,
    ...(guild ? guildFields(context, guild, options) : { user: userPayload(options.user) }),
  };
  return { record, payload };
}

function guildFields(context: RouteContext, guild: GuildRecord, options: InteractionActor): Json {
  const known = guild.members.get(options.user.id);
  const member: MemberRecord = {
    user: options.user,
    nick: known?.nick ?? null,
    roles: options.roles ?? known?.roles ?? [],
    joinedAt: known?.joinedAt ?? guild.joinedAt,
  };
  const permissions = options.permissions ?? context.state.memberPermissions(guild, member).toString();
  return {
    guild_id: guild.id,
    // Interaction object: `guild_locale` is the guild's preferred locale, if invoked in a guild (discord.com/developers/docs/interactions/receiving-and-responding).
    guild: { id: guild.id, locale: guild.preferredLocale, features: [] },
    guild_locale: guild.preferredLocale,
    member: { ...memberPayload(member, { withUser: true }), permissions },
  };
}

function commandData(context: RouteContext, options: InteractOptions, guild: GuildRecord | undefined): Json {
  const { state } = context;
  const commandOptions = options.options ?? [];
  const resolved = resolvedOptions(context, commandOptions, guild);
  return {
    id: state.findCommandId(options.name, guild?.id) ?? state.ids.next(),
    name: options.name,
    type: 1,
    options: commandOptions,
    ...(guild && { guild_id: guild.id }),
    ...(resolved && { resolved }),
  };
}

/** `data.resolved` for user, channel, role and mentionable options the fake knows. */
function resolvedOptions(context: RouteContext, options: Json[], guild: GuildRecord | undefined): Json | undefined {
  const { state } = context;
  const users: Json = {};
  const members: Json = {};
  const channels: Json = {};
  const roles: Json = {};
  const visit = (option: Json): void => {
    if (Array.isArray(option.options)) option.options.filter(isJson).forEach(visit);
    const id = String(option.value);
    const isUserLike = option.type === OptionType.User || option.type === OptionType.Mentionable;
    const isRoleLike = option.type === OptionType.Role || option.type === OptionType.Mentionable;
    const user = isUserLike ? state.users.get(id) : undefined;
    if (user) users[id] = userPayload(user);
    const member = user ? guild?.members.get(id) : undefined;
    if (member) members[id] = { ...memberPayload(member, { withUser: false }), permissions: "0" };
    const role = isRoleLike ? guild?.roles.get(id) : undefined;
    if (role) roles[id] = rolePayload(role);
    const channel = option.type === OptionType.Channel ? state.channels.get(id) : undefined;
    if (channel) channels[id] = { ...channelPayload(channel), permissions: "0" };
  };
  options.forEach(visit);
  const parts = { users, members, channels, roles };
  const present = Object.entries(parts).filter(([, value]) => Object.keys(value).length > 0);
  return present.length > 0 ? Object.fromEntries(present) : undefined;
}

// ----- POST /interactions/:id/:token/callback -----

export function registerInteractionRoutes(router: Router, context: RouteContext): void {
  router.add(
    "POST",
    "/interactions/:interactionId/:token/callback",
    (request) => interactionCallback(context, request),
    {
      auth: false,
    },
  );
}

function interactionCallback(context: RouteContext, request: RestRequest): RestResponse {
  const interaction = context.state.interactions.get(request.params.interactionId ?? "");
  const isLate = interaction !== undefined && Date.now() - interaction.createdAtMs > INTERACTION_CALLBACK_DEADLINE_MS;
  if (!interaction || interaction.token !== request.params.token || isLate) {
    return apiError(HttpStatus.NotFound, ApiError.UnknownInteraction);
  }
  if (interaction.acknowledged) return apiError(HttpStatus.BadRequest, ApiError.AlreadyAcknowledged);
  const body: Json = isJson(request.body) ? request.body : {};
  const data: Json = isJson(body.data) ? body.data : {};
  const callbackType = Number(body.type);
  const refused = invalidCallback(callbackType, data, request, interaction);
  if (refused) return refused;

  interaction.acknowledged = true;
  interaction.responses.push({ kind: "callback", body: request.body });
  let echo: (() => void) | undefined;
  if (callbackType === InteractionCallbackType.ChannelMessageWithSource) {
    echo = createOriginal(context, interaction, data, request, { loading: false });
  } else if (callbackType === InteractionCallbackType.DeferredChannelMessageWithSource) {
    echo = createOriginal(context, interaction, data, request, { loading: true });
  } else if (
    callbackType === InteractionCallbackType.UpdateMessage ||
    callbackType === InteractionCallbackType.DeferredUpdateMessage
  ) {
    echo = updateComponentMessage(
      context,
      interaction,
      callbackType === InteractionCallbackType.UpdateMessage ? data : undefined,
    );
  }
  const response =
    request.query.with_response === "true" ? json(callbackResponse(interaction, callbackType)) : noContent();
  return { ...response, ...(echo && { after: echo }) };
}

function invalidCallback(
  callbackType: number,
  data: Json,
  request: RestRequest,
  interaction: InteractionRecord,
): RestResponse | undefined {
  if (callbackType === InteractionCallbackType.ChannelMessageWithSource) {
    return invalidMessageBody(data, request.files, { isEdit: false });
  }
  const isUpdate =
    callbackType === InteractionCallbackType.UpdateMessage ||
    callbackType === InteractionCallbackType.DeferredUpdateMessage;
  if (isUpdate && !interaction.componentMessage) {
    return invalidField("type", "INTERACTION_CALLBACK_TYPE", "Only component interactions can update their message.");
  }
  if (callbackType === InteractionCallbackType.UpdateMessage)
    return invalidMessageBody(data, request.files, { isEdit: true });
  const choices = data.choices;
  if (
    callbackType === InteractionCallbackType.ApplicationCommandAutocompleteResult &&
    Array.isArray(choices) &&
    choices.length > MAX_AUTOCOMPLETE_CHOICES
  ) {
    return invalidField(
      "data.choices",
      "BASE_TYPE_MAX_LENGTH",
      `Must be ${MAX_AUTOCOMPLETE_CHOICES} or fewer in length.`,
    );
  }
  return undefined;
}

/** The reply (or "thinking…" placeholder) message; ephemeral ones stay out of the channel. */
function createOriginal(
  context: RouteContext,
  interaction: InteractionRecord,
  data: Json,
  request: RestRequest,
  options: { loading: boolean },
): (() => void) | undefined {
  const flags = Number(data.flags ?? 0) | (options.loading ? MessageFlag.Loading : 0);
  const stored = createInteractionMessage(context, interaction, data, request, {
    flags,
    type: MessageType.ChatInputCommand,
  });
  interaction.original = stored;
  interaction.ephemeralOriginal = isEphemeral(stored);
  return interaction.ephemeralOriginal ? undefined : echoCreate(context, stored);
}

function createInteractionMessage(
  context: RouteContext,
  interaction: InteractionRecord,
  data: Json,
  request: RestRequest,
  options: { flags: number; type: number },
): StoredMessage {
  const { state } = context;
  const channel = state.requireChannel(interaction.channelId);
  const ephemeral = (options.flags & MessageFlag.Ephemeral) !== 0;
  return state.createMessage({
    channel,
    author: botAuthor(state),
    content: typeof data.content === "string" ? data.content : "",
    allowedMentions: isJson(data.allowed_mentions) ? data.allowed_mentions : undefined,
    attachments: uploadedAttachments(data, request.files),
    embeds: Array.isArray(data.embeds) ? data.embeds : [],
    components: Array.isArray(data.components) ? data.components : [],
    flags: options.flags,
    type: options.type,
    webhookId: context.applicationId,
    storeInChannel: !ephemeral,
    extra: {
      application_id: context.applicationId,
      interaction_metadata: {
        id: interaction.id,
        type: InteractionType.ApplicationCommand,
        user: userPayload(interaction.user),
        authorizing_integration_owners: {},
      },
    },
  });
}

/**
 * UPDATE_MESSAGE edits the message the button was on (DEFERRED_UPDATE_MESSAGE leaves it
 * for a later @original edit); either way that message becomes the interaction's original.
 */
function updateComponentMessage(
  context: RouteContext,
  interaction: InteractionRecord,
  data: Json | undefined,
): (() => void) | undefined {
  const stored = interaction.componentMessage!;
  interaction.original = stored;
  interaction.ephemeralOriginal = isEphemeral(stored);
  if (!data) return undefined;
  context.state.editMessage(stored, data);
  return interaction.ephemeralOriginal ? undefined : echoUpdate(context, stored);
}

function callbackResponse(interaction: InteractionRecord, callbackType: number): Json {
  const original = interaction.original;
  return {
    interaction: {
      id: interaction.id,
      type: InteractionType.ApplicationCommand,
      response_message_id: original?.raw.id ?? null,
      response_message_loading: original ? (Number(original.raw.flags) & MessageFlag.Loading) !== 0 : null,
      response_message_ephemeral: original ? interaction.ephemeralOriginal : null,
    },
    resource: { type: callbackType, ...(original && { message: original.raw }) },
  };
}

function isEphemeral(stored: StoredMessage): boolean {
  return (Number(stored.raw.flags) & MessageFlag.Ephemeral) !== 0;
}

// ----- /webhooks/:applicationId/:token... for interactions -----

/** The interaction whose webhook this is (application id plus interaction token), if any. */
export function interactionForWebhook(
  context: RouteContext,
  webhookId: string,
  token: string,
): InteractionRecord | undefined {
  if (webhookId !== context.applicationId) return undefined;
  return [...context.state.interactions.values()].find((interaction) => interaction.token === token);
}

/** POST /webhooks/:app/:token — a follow-up message. */
export function interactionFollowup(
  context: RouteContext,
  interaction: InteractionRecord,
  request: RestRequest,
): RestResponse {
  if (!interaction.acknowledged) return apiError(HttpStatus.NotFound, ApiError.UnknownWebhook);
  const body: Json = isJson(request.body) ? request.body : {};
  const refused = invalidMessageBody(body, request.files, { isEdit: false });
  if (refused) return refused;
  const stored = createInteractionMessage(context, interaction, body, request, {
    flags: Number(body.flags ?? 0),
    type: MessageType.Default,
  });
  interaction.followups.set(String(stored.raw.id), stored);
  interaction.responses.push({ kind: "followup", body: request.body });
  const response = request.query.wait === "true" ? json(stored.raw) : noContent();
  return { ...response, ...(!isEphemeral(stored) && { after: echoCreate(context, stored) }) };
}

/** GET, PATCH and DELETE /webhooks/:app/:token/messages/:messageId (or @original). */
export function interactionMessageRoute(
  context: RouteContext,
  interaction: InteractionRecord,
  request: RestRequest,
): RestResponse {
  const messageId = request.params.messageId ?? "";
  const stored = messageId === ORIGINAL_MESSAGE_ID ? interaction.original : interaction.followups.get(messageId);
  if (!stored) return apiError(HttpStatus.NotFound, ApiError.UnknownMessage);
  const channel = context.state.requireChannel(interaction.channelId);
  const inChannel = !isEphemeral(stored);
  switch (request.method) {
    case "GET":
      return json(stored.raw);
    case "PATCH":
      return editInteractionMessage(context, interaction, stored, request, inChannel);
    default:
      return deleteInteractionMessage(context, interaction, stored, channel, inChannel);
  }
}

function editInteractionMessage(
  context: RouteContext,
  interaction: InteractionRecord,
  stored: StoredMessage,
  request: RestRequest,
  inChannel: boolean,
): RestResponse {
  const body: Json = isJson(request.body) ? request.body : {};
  const refused = invalidMessageBody(body, request.files, { isEdit: true });
  if (refused) return refused;
  context.state.editMessage(stored, body);
  // Editing the placeholder of a deferred reply turns it into the reply.
  stored.raw.flags = Number(stored.raw.flags) & ~MessageFlag.Loading;
  interaction.responses.push({ kind: "edit", body: request.body });
  return { ...json(stored.raw), ...(inChannel && { after: echoUpdate(context, stored) }) };
}

function deleteInteractionMessage(
  context: RouteContext,
  interaction: InteractionRecord,
  stored: StoredMessage,
  channel: ChannelRecord,
  inChannel: boolean,
): RestResponse {
  const messageId = String(stored.raw.id);
  if (interaction.original === stored) interaction.original = null;
  interaction.followups.delete(messageId);
  interaction.responses.push({ kind: "delete", body: undefined });
  if (!inChannel) return noContent();
  context.state.deleteMessage(channel.id, messageId);
  return { ...noContent(), after: echoDelete(context, channel, messageId) };
}
