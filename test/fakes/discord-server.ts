/**
 * A fake Discord for tests: a real REST server and WebSocket gateway on 127.0.0.1 that the real
 * discord.js client talks to (`rest: { api: fake.apiUrl }`, `client.login(fake.token)`).
 * Tests script guilds and users, dispatch messages and interactions, read every REST call the bot
 * made, and inject rate limits, errors and disconnects. Protocol facts: /work/shared/discord-fake-notes.md.
 */

import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { performance } from "node:perf_hooks";
import {
  API_VERSION_PREFIX,
  ApiError,
  DEFAULT_HEARTBEAT_INTERVAL_MS,
  DEFAULT_WAIT_TIMEOUT_MS,
  GATEWAY_PATH,
  HttpStatus,
  LOCALHOST,
  Permission,
  RECENT_CALLS_IN_ERRORS,
  WAIT_POLL_INTERVAL_MS,
} from "./discord/constants.js";
import { FakeGateway } from "./discord/gateway.js";
import {
  apiError,
  decodePath,
  InvalidBodyError,
  type ParsedBody,
  queryRecord,
  type RestResponse,
  Router,
  notFoundRoute,
  readBody,
  writeResponse,
} from "./discord/http.js";
import { createComponentInteraction } from "./discord/components.js";
import { createInteraction, registerInteractionRoutes } from "./discord/interactions.js";
import { gatewayMessage, type RouteContext, webhookAuthor } from "./discord/messages.js";
import { channelPayload, isThread, userPayload } from "./discord/payloads.js";
import { RateLimiter } from "./discord/rate-limits.js";
import { registerChannelRoutes } from "./discord/routes-channels.js";
import { registerCommandRoutes } from "./discord/routes-commands.js";
import { registerThreadRoutes } from "./discord/routes-threads.js";
import { registerWebhookRoutes } from "./discord/routes-webhooks.js";
import { SnowflakeGenerator } from "./discord/snowflake.js";
import { DiscordState, randomToken, toFakeMessage } from "./discord/state.js";
import type {
  ClickOptions,
  DisconnectOptions,
  FakeGuildHandle,
  FakeGuildSpec,
  FakeMessage,
  FakeOverwriteSpec,
  FakeThread,
  FakeUser,
  InjectErrorOptions,
  InteractOptions,
  InteractionResponse,
  InvalidateSessionOptions,
  Json,
  PostMessageOptions,
  RateLimitOptions,
  RestCall,
  StartFakeDiscordOptions,
} from "./discord/types.js";

export type {
  ClickOptions,
  DisconnectOptions,
  FakeChannelSpec,
  FakeGuildHandle,
  FakeGuildSpec,
  FakeMemberSpec,
  FakeMessage,
  FakeOverwriteSpec,
  FakeRoleSpec,
  FakeThread,
  FakeUser,
  InjectErrorOptions,
  InteractOptions,
  InteractionResponse,
  InvalidateSessionOptions,
  PostMessageOptions,
  RateLimitBucketSpec,
  RateLimitOptions,
  RestCall,
  RestFile,
  StartFakeDiscordOptions,
} from "./discord/types.js";

const DEFAULT_BOT_USERNAME = "Masque";
/** How much of a call's body a timeout message shows. */
const BRIEF_BODY_LENGTH = 80;
/** Unauthenticated routes (interaction callbacks, token webhooks) sit outside the bot's global limit. */
const OUTSIDE_GLOBAL_LIMIT = /^\/interactions\/|^\/webhooks\/\d+\/[^/]+/;
const UNAUTHORIZED = { code: 0, message: "401: Unauthorized" };

/** The fake Discord as tests drive it. */
export interface FakeDiscord {
  /** "http://127.0.0.1:PORT/api": pass as `rest: { api }` to the discord.js Client. */
  readonly apiUrl: string;
  /** The bot token the fake accepts; REST with another token gets 401, IDENTIFY gets close 4004. */
  readonly token: string;
  readonly botUser: FakeUser;
  readonly applicationId: string;
  /** Every REST call, in the order they were answered. */
  readonly calls: RestCall[];
  /** IDENTIFY and RESUME handshakes so far. */
  readonly gatewayConnections: number;
  /** Gateway heartbeats received so far (each one acknowledged, as Discord does). */
  readonly heartbeats: number;
  /** Adds a guild (the bot is a member); dispatches GUILD_CREATE if a client is connected. */
  addGuild(spec: FakeGuildSpec): FakeGuildHandle;
  /** A user posts in a channel (guild text channel, thread or DM); dispatches MESSAGE_CREATE. */
  postMessage(options: PostMessageOptions): FakeMessage;
  /** An admin replaces a channel's permission overwrites; dispatches CHANNEL_UPDATE. */
  setOverwrites(channelId: string, overwrites: FakeOverwriteSpec[]): void;
  /** A user edits their message; dispatches MESSAGE_UPDATE. */
  editMessage(channelId: string, messageId: string, content: string): FakeMessage;
  /** A user (or a moderator) deletes a message; dispatches MESSAGE_DELETE. */
  deleteMessage(channelId: string, messageId: string): void;
  /** Opens (or reuses) the DM channel between the bot and a user; returns its id. */
  dmChannel(user: FakeUser): string;
  /** Dispatches a slash command (type 2) or autocomplete (type 4) interaction. */
  interact(options: InteractOptions): { id: string; token: string };
  /** A person clicks a button on a message (type 3); answer it with `interactionResponses`. */
  click(options: ClickOptions): { id: string; token: string };
  /** Messages now in a channel (after edits and deletes), oldest first. */
  channelMessages(channelId: string): FakeMessage[];
  /** The threads started in a channel (by the bot or listed in the guild spec), oldest first. */
  threads(parentId: string): FakeThread[];
  /** The bot's answers to an interaction: callback, then webhook edits, follow-ups, deletes. */
  interactionResponses(interactionId: string): InteractionResponse[];
  /** Sends any gateway event as is, for cases this API does not cover. */
  dispatch(event: string, data: Json): void;
  /** Resolves with the first existing or future call matching `predicate`; rejects listing recent calls. */
  waitForCall(predicate: (call: RestCall) => boolean, timeoutMs?: number): Promise<RestCall>;
  /** Calls `listener` with every REST call as it is recorded (benchmarks); returns an unsubscribe function. */
  onCall(listener: (call: RestCall) => void): () => void;
  /** Polls until `check` returns something other than undefined, null or false. */
  waitFor<T>(check: () => T | undefined | null | false, timeoutMs?: number): Promise<T>;
  /** Enforces per-route buckets (per major parameter, like Discord) and an optional global limit. */
  setRateLimits(options: RateLimitOptions): void;
  /** The next `count` calls matching method and route get `status` instead of an answer. */
  injectError(options: InjectErrorOptions): void;
  /**
   * Closes the bot's gateway socket with a close code (default 4000) or drops it; the client should
   * resume. Resolves once the socket is closed, so events dispatched after it wait for the replay.
   */
  disconnect(options?: DisconnectOptions): Promise<void>;
  /**
   * Sends INVALID_SESSION (op 9) to the connected client. Resumable: the client resumes on the same
   * socket. Not (the default): the session ends and the client identifies afresh.
   */
  invalidateSession(options?: InvalidateSessionOptions): void;
  /** Closes the servers and every connection, including keep-alive sockets and gateway clients. */
  close(): Promise<void>;
}

/** Starts a fake Discord on a random port of 127.0.0.1. */
export async function startFakeDiscord(options: StartFakeDiscordOptions = {}): Promise<FakeDiscord> {
  const fake = new FakeDiscordServer(options);
  await fake.listen();
  return fake;
}

interface CallWaiter {
  predicate: (call: RestCall) => boolean;
  resolve: (call: RestCall) => void;
  timer: NodeJS.Timeout;
}

class FakeDiscordServer implements FakeDiscord {
  readonly token: string;
  readonly botUser: FakeUser;
  readonly applicationId: string;
  readonly calls: RestCall[] = [];
  readonly #listeners = new Set<(call: RestCall) => void>();

  readonly #state: DiscordState;
  readonly #gateway: FakeGateway;
  readonly #context: RouteContext;
  readonly #router = new Router();
  readonly #limiter = new RateLimiter();
  readonly #server: Server;
  readonly #waiters = new Set<CallWaiter>();
  #port = 0;
  #closed = false;

  constructor(options: StartFakeDiscordOptions) {
    const botId = options.botUser?.id ?? new SnowflakeGenerator().next();
    this.botUser = { id: botId, username: DEFAULT_BOT_USERNAME, ...options.botUser, bot: true };
    this.applicationId = botId;
    this.token = `${Buffer.from(botId).toString("base64url")}.fake.${randomToken()}`;
    this.#state = new DiscordState(this.botUser);
    const messageContentAllowed = options.messageContentIntent ?? true;
    this.#gateway = new FakeGateway({
      state: this.#state,
      token: this.token,
      applicationId: this.applicationId,
      heartbeatIntervalMs: options.heartbeatIntervalMs ?? DEFAULT_HEARTBEAT_INTERVAL_MS,
      messageContentAllowed,
      url: () => this.#gatewayUrl(),
    });
    const context: RouteContext = {
      state: this.#state,
      gateway: this.#gateway,
      applicationId: this.applicationId,
      messageContentAllowed,
      shardCount: options.shards ?? 1,
      gatewayUrl: () => this.#gatewayUrl(),
    };
    registerChannelRoutes(this.#router, context);
    registerCommandRoutes(this.#router, context);
    registerInteractionRoutes(this.#router, context);
    registerWebhookRoutes(this.#router, context);
    registerThreadRoutes(this.#router, context);
    this.#context = context;
    this.#server = createServer((req, res) => void this.#handleRequest(req, res));
    this.#server.on("upgrade", (req, socket, head) => {
      const path = new URL(req.url ?? "/", "http://fake.invalid").pathname;
      if (path.replace(/\/$/, "") === GATEWAY_PATH) this.#gateway.handleUpgrade(req, socket, head);
      else socket.destroy();
    });
  }

  async listen(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.#server.once("error", reject);
      this.#server.listen(0, LOCALHOST, () => resolve());
    });
    this.#port = (this.#server.address() as AddressInfo).port;
  }

  get apiUrl(): string {
    return `http://${LOCALHOST}:${this.#port}/api`;
  }

  get gatewayConnections(): number {
    return this.#gateway.handshakes;
  }

  get heartbeats(): number {
    return this.#gateway.heartbeats;
  }

  #gatewayUrl(): string {
    return `ws://${LOCALHOST}:${this.#port}${GATEWAY_PATH}`;
  }

  // ----- scripting the world -----

  addGuild(spec: FakeGuildSpec): FakeGuildHandle {
    const guild = this.#state.addGuild(spec);
    if (this.#gateway.connected) this.#gateway.dispatchGuildCreate(guild);
    const channels = this.#state.guildChannels(guild).map((channel) => ({
      id: channel.id,
      name: channel.name,
      type: channel.type,
      ...(channel.parentId !== undefined && { parentId: channel.parentId }),
    }));
    return {
      id: guild.id,
      name: guild.name,
      channels,
      roles: [...guild.roles.values()].map((role) => ({
        id: role.id,
        name: role.name,
        permissions: role.permissions.toString(),
      })),
      botRoleId: guild.botRoleId,
      channelId: (name) => {
        const found = channels.find((channel) => channel.name === name);
        if (!found) throw new Error(`fake Discord: guild ${guild.name} has no channel "${name}"`);
        return found.id;
      },
    };
  }

  dmChannel(user: FakeUser): string {
    return this.#state.dmChannelFor(user).id;
  }

  postMessage(options: PostMessageOptions): FakeMessage {
    const state = this.#state;
    const channel = state.requireChannel(options.channelId);
    state.rememberUser(options.author);
    const guild = channel.guildId === undefined ? undefined : state.guilds.get(channel.guildId);
    if (guild && options.webhookId === undefined && !guild.members.has(options.author.id)) {
      // Only members can post in a guild; enrol the author quietly so `message.member` works.
      guild.members.set(options.author.id, { user: options.author, nick: null, roles: [], joinedAt: guild.joinedAt });
    }
    if (options.replyToId !== undefined && !state.findMessage(channel.id, options.replyToId)) {
      throw new Error(`fake Discord: postMessage replyToId ${options.replyToId} is not in channel ${channel.id}`);
    }
    const stored = state.createMessage({
      channel,
      author:
        options.webhookId === undefined
          ? userPayload(options.author)
          : webhookAuthor(options.webhookId, options.author.username),
      content: options.mentionBot ? this.#withBotMention(options.content) : options.content,
      ...(options.replyToId !== undefined && { referenceId: options.replyToId }),
      mentionRepliedUser: options.pingRepliedUser ?? true,
      attachments: options.attachments ?? [],
      ...(options.type !== undefined && { type: options.type }),
      ...(options.webhookId !== undefined && { webhookId: options.webhookId }),
    });
    // Discord sends a guild channel's messages only to bots that can view it (topics/permissions).
    if (state.botCanIn(channel, Permission.ViewChannel))
      this.#gateway.dispatch("MESSAGE_CREATE", gatewayMessage(state, stored));
    return toFakeMessage(stored);
  }

  /**
   * Replaces a channel's permission overwrites, as an admin editing the channel does; the
   * bot hears CHANNEL_UPDATE with the whole `permission_overwrites` (docs: topics/gateway-events).
   */
  setOverwrites(channelId: string, overwrites: FakeOverwriteSpec[]): void {
    const channel = this.#state.requireChannel(channelId);
    const guild = channel.guildId === undefined ? undefined : this.#state.guilds.get(channel.guildId);
    if (!guild || isThread(channel))
      throw new Error(`fake Discord: overwrites belong to guild channels, not ${channelId}`);
    channel.overwrites = this.#state.resolveOverwrites(guild, overwrites);
    this.#gateway.dispatch("CHANNEL_UPDATE", channelPayload(channel));
  }

  #withBotMention(content: string): string {
    const id = this.botUser.id;
    return content.includes(`<@${id}>`) || content.includes(`<@!${id}>`) ? content : `<@${id}> ${content}`;
  }

  editMessage(channelId: string, messageId: string, content: string): FakeMessage {
    const stored = this.#state.findMessage(channelId, messageId);
    if (!stored) throw new Error(`fake Discord: editMessage found no message ${messageId} in channel ${channelId}`);
    this.#state.editMessage(stored, { content });
    this.#gateway.dispatch("MESSAGE_UPDATE", gatewayMessage(this.#state, stored));
    return toFakeMessage(stored);
  }

  deleteMessage(channelId: string, messageId: string): void {
    const channel = this.#state.requireChannel(channelId);
    if (!this.#state.deleteMessage(channelId, messageId)) {
      throw new Error(`fake Discord: deleteMessage found no message ${messageId} in channel ${channelId}`);
    }
    this.#gateway.dispatch("MESSAGE_DELETE", {
      id: messageId,
      channel_id: channelId,
      ...(channel.guildId !== undefined && { guild_id: channel.guildId }),
    });
  }

  interact(options: InteractOptions): { id: string; token: string } {
    const { record, payload } = createInteraction(this.#context, options);
    this.#gateway.dispatch("INTERACTION_CREATE", payload);
    return { id: record.id, token: record.token };
  }

  click(options: ClickOptions): { id: string; token: string } {
    const { record, payload } = createComponentInteraction(this.#context, options);
    this.#gateway.dispatch("INTERACTION_CREATE", payload);
    return { id: record.id, token: record.token };
  }

  dispatch(event: string, data: Json): void {
    this.#gateway.dispatch(event, data);
  }

  // ----- reading what happened -----

  channelMessages(channelId: string): FakeMessage[] {
    return this.#state.channelMessages(channelId).map(toFakeMessage);
  }

  threads(parentId: string): FakeThread[] {
    return [...this.#state.channels.values()]
      .filter((channel) => channel.parentId === parentId)
      .map((channel) => ({
        id: channel.id,
        name: channel.name,
        type: channel.type,
        parentId,
        ownerId: channel.ownerId ?? null,
        members: [...(channel.threadMembers ?? [])],
        ...(channel.invitable !== undefined && { invitable: channel.invitable }),
        ...(channel.autoArchiveMinutes !== undefined && { autoArchiveMinutes: channel.autoArchiveMinutes }),
      }));
  }

  interactionResponses(interactionId: string): InteractionResponse[] {
    return [...(this.#state.interactions.get(interactionId)?.responses ?? [])];
  }

  waitForCall(predicate: (call: RestCall) => boolean, timeoutMs = DEFAULT_WAIT_TIMEOUT_MS): Promise<RestCall> {
    const existing = this.calls.find(predicate);
    if (existing) return Promise.resolve(existing);
    return new Promise((resolve, reject) => {
      const waiter: CallWaiter = {
        predicate,
        resolve,
        timer: setTimeout(() => {
          this.#waiters.delete(waiter);
          reject(
            new Error(`waitForCall: no matching REST call within ${timeoutMs} ms.\n${this.#describeRecentCalls()}`),
          );
        }, timeoutMs),
      };
      this.#waiters.add(waiter);
    });
  }

  async waitFor<T>(check: () => T | undefined | null | false, timeoutMs = DEFAULT_WAIT_TIMEOUT_MS): Promise<T> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const value = check();
      if (value !== undefined && value !== null && value !== false) return value;
      if (performance.now() >= deadline) {
        throw new Error(`waitFor: condition not met within ${timeoutMs} ms.\n${this.#describeRecentCalls()}`);
      }
      await new Promise((resolve) => setTimeout(resolve, WAIT_POLL_INTERVAL_MS));
    }
  }

  #describeRecentCalls(): string {
    const recent = this.calls.slice(-RECENT_CALLS_IN_ERRORS);
    if (recent.length === 0) return "The bot made no REST calls.";
    const lines = recent.map((call) => `  ${call.method} ${call.path} → ${call.status} ${briefBody(call.body)}`);
    return `Last ${recent.length} of ${this.calls.length} REST calls:\n${lines.join("\n")}`;
  }

  // ----- faults -----

  setRateLimits(options: RateLimitOptions): void {
    this.#limiter.setLimits(options);
  }

  injectError(options: InjectErrorOptions): void {
    this.#limiter.injectError(options);
  }

  disconnect(options: DisconnectOptions = {}): Promise<void> {
    return this.#gateway.disconnect(options);
  }

  invalidateSession(options: InvalidateSessionOptions = {}): void {
    this.#gateway.invalidateSession(options);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const waiter of this.#waiters) clearTimeout(waiter.timer);
    this.#waiters.clear();
    await this.#gateway.close();
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  // ----- REST plumbing -----

  async #handleRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const at = performance.now();
    const url = new URL(req.url ?? "/", "http://fake.invalid");
    const method = (req.method ?? "GET").toUpperCase();
    const versionPrefix = API_VERSION_PREFIX.exec(url.pathname);
    const path = versionPrefix ? url.pathname.slice(versionPrefix[0].length) : url.pathname;
    const query = queryRecord(url.searchParams);
    let parsed: ParsedBody = { body: undefined, files: [] };
    let response: RestResponse;
    try {
      parsed = await readBody(req);
      response = versionPrefix ? this.#respond(method, path, query, parsed, req) : notFoundRoute();
    } catch (error) {
      response = failure(error);
    }
    writeResponse(res, response);
    this.#record({
      method,
      path,
      decodedPath: decodePath(path),
      query,
      body: parsed.body,
      files: parsed.files,
      headers: req.headers,
      status: response.status,
      at,
    });
    try {
      response.after?.();
    } catch (error) {
      console.error("fake Discord: dispatch after a REST call failed", error);
    }
  }

  #respond(
    method: string,
    path: string,
    query: Record<string, string>,
    parsed: ParsedBody,
    req: IncomingMessage,
  ): RestResponse {
    const verdict = this.#limiter.check(method, path, OUTSIDE_GLOBAL_LIMIT.test(path));
    if (verdict.kind === "refuse") return verdict.response;
    const match = this.#router.match(method, path);
    if (!match) return notFoundRoute();
    if (match.route.auth && req.headers.authorization !== `Bot ${this.token}`) {
      return apiError(HttpStatus.Unauthorized, UNAUTHORIZED);
    }
    const response = match.route.handler({
      method,
      path,
      query,
      params: match.params,
      body: parsed.body,
      files: parsed.files,
    });
    return { ...response, headers: { ...verdict.headers, ...response.headers } };
  }

  onCall(listener: (call: RestCall) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #record(call: RestCall): void {
    this.calls.push(call);
    for (const listener of this.#listeners) listener(call);
    for (const waiter of this.#waiters) {
      if (!waiter.predicate(call)) continue;
      clearTimeout(waiter.timer);
      this.#waiters.delete(waiter);
      waiter.resolve(call);
    }
  }
}

/** A bad body is the client's fault (400); anything else is a bug in this fake (500, logged). */
function failure(error: unknown): RestResponse {
  if (error instanceof InvalidBodyError) {
    return apiError(HttpStatus.BadRequest, { code: ApiError.General.code, message: error.message });
  }
  console.error("fake Discord: route handler threw", error);
  const message = error instanceof Error ? error.message : String(error);
  return apiError(HttpStatus.InternalServerError, {
    code: ApiError.General.code,
    message: `fake Discord bug: ${message}`,
  });
}

function briefBody(body: unknown): string {
  if (body === undefined) return "";
  const text = JSON.stringify(body);
  return text.length > BRIEF_BODY_LENGTH ? `${text.slice(0, BRIEF_BODY_LENGTH)}…` : text;
}
