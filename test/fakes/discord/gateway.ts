/** The fake gateway: HELLO/IDENTIFY/READY, heartbeats, dispatches with sequence numbers, RESUME replay. */

import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { type RawData, WebSocket, WebSocketServer } from "ws";
import { GatewayCloseCode, GatewayOp, Intent, MAX_REPLAY_EVENTS } from "./constants.js";
import { hasIntent, shapeForIntents } from "./intents.js";
import { channelPayload, type GuildRecord, guildPayload, isThread, memberPayload, userPayload } from "./payloads.js";
import { type DiscordState, randomToken } from "./state.js";
import type { DisconnectOptions, InvalidateSessionOptions, Json } from "./types.js";

interface SentDispatch {
  s: number;
  t: string;
  d: Json;
}

interface Session {
  id: string;
  intents: number;
  /** [shard id, shard count] from IDENTIFY; [0, 1] without sharding. */
  shard: [number, number];
  seq: number;
  socket: WebSocket | null;
  /** Dispatches kept for RESUME, oldest first. */
  replay: SentDispatch[];
}

export interface GatewayOptions {
  state: DiscordState;
  token: string;
  applicationId: string;
  heartbeatIntervalMs: number;
  /** Whether the app may ask for the privileged MessageContent intent. */
  messageContentAllowed: boolean;
  /** The ws:// URL clients connect and resume to. */
  url: () => string;
}

/** Session ends on the client's own normal close, as on Discord; other closes keep it resumable. */
const SESSION_ENDING_CLOSE_CODES: ReadonlySet<number> = new Set([GatewayCloseCode.Normal, GatewayCloseCode.GoingAway]);

export class FakeGateway {
  readonly #wss = new WebSocketServer({ noServer: true });
  readonly #sessions = new Map<string, Session>();
  readonly #sockets = new Set<WebSocket>();
  readonly #options: GatewayOptions;
  #handshakes = 0;
  #heartbeats = 0;

  constructor(options: GatewayOptions) {
    this.#options = options;
    this.#wss.on("connection", (socket) => this.#onConnection(socket));
  }

  /** IDENTIFY and RESUME handshakes that succeeded so far. */
  get handshakes(): number {
    return this.#handshakes;
  }

  /** Heartbeats received (and acknowledged) so far, from every connection. */
  get heartbeats(): number {
    return this.#heartbeats;
  }

  /** Whether any session currently has an open socket. */
  get connected(): boolean {
    return [...this.#sessions.values()].some((session) => session.socket !== null);
  }

  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    this.#wss.handleUpgrade(request, socket, head, (ws) => this.#wss.emit("connection", ws, request));
  }

  /**
   * Sends an event to every session its intents admit and whose shard owns it (Discord's
   * rule: guild events go to shard (guild_id >> 22) % count, DMs to shard 0); sessions
   * without a socket keep it for replay.
   */
  dispatch(event: string, data: Json): void {
    const guildId = typeof data.guild_id === "string" ? data.guild_id : undefined;
    for (const session of this.#sessions.values()) {
      if (!ownsGuild(session, guildId)) continue;
      const shaped = shapeForIntents(event, data, session.intents, this.#options.state.botUser.id);
      if (shaped) this.#sendDispatch(session, event, shaped);
    }
  }

  /** Sends GUILD_CREATE for one guild to every session (after addGuild while connected). */
  dispatchGuildCreate(guild: GuildRecord): void {
    for (const session of this.#sessions.values()) {
      if (hasIntent(session.intents, Intent.Guilds) && ownsGuild(session, guild.id)) {
        this.#sendDispatch(session, "GUILD_CREATE", this.#guildCreatePayload(guild, session.intents));
      }
    }
  }

  /** Closes (or drops) every session's socket; resolves once the sockets are closed. */
  async disconnect(options: DisconnectOptions): Promise<void> {
    const closing: Array<Promise<void>> = [];
    for (const session of this.#sessions.values()) {
      const socket = session.socket;
      if (!socket) continue;
      session.socket = null;
      // Discord ends the session when it closes normally; the client then identifies afresh.
      if (SESSION_ENDING_CLOSE_CODES.has(options.code ?? 0)) this.#sessions.delete(session.id);
      closing.push(socketClosed(socket));
      if (options.drop) socket.terminate();
      else socket.close(options.code ?? GatewayCloseCode.UnknownError, "fake Discord disconnect");
    }
    await Promise.all(closing);
  }

  /**
   * Sends INVALID_SESSION (op 9) on every open socket. A resumable session keeps its replay, so the
   * client's RESUME succeeds; a non-resumable one is forgotten at once, as on Discord.
   */
  invalidateSession(options: InvalidateSessionOptions): void {
    const resumable = options.resumable ?? false;
    for (const session of [...this.#sessions.values()]) {
      const socket = session.socket;
      if (!socket) continue;
      if (!resumable) this.#sessions.delete(session.id);
      this.#send(socket, { op: GatewayOp.InvalidSession, d: resumable });
    }
  }

  async close(): Promise<void> {
    for (const socket of this.#sockets) socket.terminate();
    this.#sessions.clear();
    await new Promise<void>((resolve) => this.#wss.close(() => resolve()));
  }

  // ----- connection lifecycle -----

  #onConnection(socket: WebSocket): void {
    this.#sockets.add(socket);
    let session: Session | null = null;
    socket.on("message", (raw) => {
      const payload = parseFrame(raw);
      if (payload) session = this.#onPayload(socket, session, payload) ?? session;
    });
    socket.on("close", (code) => {
      this.#sockets.delete(socket);
      if (!session || session.socket !== socket) return;
      session.socket = null;
      if (SESSION_ENDING_CLOSE_CODES.has(code)) this.#sessions.delete(session.id);
    });
    socket.on("error", () => {
      // A dropped client surfaces as a socket error; the close handler does the cleanup.
    });
    this.#send(socket, { op: GatewayOp.Hello, d: { heartbeat_interval: this.#options.heartbeatIntervalMs } });
  }

  /** Handles one client payload; returns the session the socket now belongs to, if it changed. */
  #onPayload(socket: WebSocket, session: Session | null, payload: Json): Session | undefined {
    const data = (payload.d ?? {}) as Json;
    switch (payload.op) {
      case GatewayOp.Heartbeat:
        this.#heartbeats += 1;
        this.#send(socket, { op: GatewayOp.HeartbeatAck });
        return undefined;
      case GatewayOp.Identify:
        return this.#identify(socket, data);
      case GatewayOp.Resume:
        return this.#resume(socket, data);
      case GatewayOp.RequestGuildMembers:
        if (session) this.#sendMembersChunk(session, data);
        return undefined;
      default:
        // Presence and voice updates change nothing in this fake.
        return undefined;
    }
  }

  #identify(socket: WebSocket, data: Json): Session | undefined {
    if (!this.#tokenMatches(data.token)) {
      socket.close(GatewayCloseCode.AuthenticationFailed, "Authentication failed.");
      return undefined;
    }
    const intents = Number(data.intents ?? 0);
    if (hasIntent(intents, Intent.MessageContent) && !this.#options.messageContentAllowed) {
      socket.close(GatewayCloseCode.DisallowedIntents, "Disallowed intent(s).");
      return undefined;
    }
    const session: Session = { id: randomToken(), intents, shard: shardOf(data.shard), seq: 0, socket, replay: [] };
    this.#sessions.set(session.id, session);
    this.#handshakes += 1;
    this.#sendReady(session);
    for (const guild of this.#options.state.guilds.values()) {
      if (ownsGuild(session, guild.id))
        this.#sendDispatch(session, "GUILD_CREATE", this.#guildCreatePayload(guild, intents));
    }
    return session;
  }

  #resume(socket: WebSocket, data: Json): Session | undefined {
    const session = this.#sessions.get(String(data.session_id));
    const lastSeq = Number(data.seq ?? 0);
    const oldestKept = session?.replay[0]?.s ?? Number.POSITIVE_INFINITY;
    const replayComplete = session !== undefined && (lastSeq >= session.seq || lastSeq + 1 >= oldestKept);
    if (!session || !this.#tokenMatches(data.token) || !replayComplete) {
      this.#send(socket, { op: GatewayOp.InvalidSession, d: false });
      return undefined;
    }
    if (session.socket && session.socket !== socket) session.socket.terminate();
    session.socket = socket;
    this.#handshakes += 1;
    for (const event of session.replay) {
      if (event.s > lastSeq) this.#send(socket, { op: GatewayOp.Dispatch, ...event });
    }
    // No sequence number, so discord.js's shardResume count is exactly the replayed events.
    this.#send(socket, { op: GatewayOp.Dispatch, t: "RESUMED", s: null, d: {} });
    return session;
  }

  #tokenMatches(token: unknown): boolean {
    return typeof token === "string" && token.replace(/^Bot\s+/i, "") === this.#options.token;
  }

  #sendReady(session: Session): void {
    const { state, applicationId } = this.#options;
    session.seq += 1;
    const ready = {
      v: 10,
      user: { ...userPayload(state.botUser), verified: true, mfa_enabled: false, flags: 0 },
      guilds: [...state.guilds.keys()].filter((id) => ownsGuild(session, id)).map((id) => ({ id, unavailable: true })),
      session_id: session.id,
      session_type: "normal",
      resume_gateway_url: this.#options.url(),
      shard: session.shard,
      application: { id: applicationId, flags: 0 },
      private_channels: [],
      presences: [],
      relationships: [],
      guild_join_requests: [],
      geo_ordered_rtc_regions: [],
      user_settings: {},
    };
    this.#send(session.socket, { op: GatewayOp.Dispatch, t: "READY", s: session.seq, d: ready });
  }

  /** GUILD_CREATE as a session sees it: without GuildMembers only the bot's own member is listed. */
  #guildCreatePayload(guild: GuildRecord, intents: number): Json {
    const { state } = this.#options;
    const channels = state.guildChannels(guild);
    const members = [...guild.members.values()].filter(
      (member) => hasIntent(intents, Intent.GuildMembers) || member.user.id === state.botUser.id,
    );
    return {
      ...guildPayload(guild),
      joined_at: guild.joinedAt,
      large: false,
      unavailable: false,
      member_count: guild.members.size,
      members: members.map((member) => memberPayload(member, { withUser: true })),
      channels: channels.filter((channel) => !isThread(channel)).map(channelPayload),
      threads: channels.filter(isThread).map(channelPayload),
      presences: [],
      voice_states: [],
      stage_instances: [],
      guild_scheduled_events: [],
      soundboard_sounds: [],
    };
  }

  #sendMembersChunk(session: Session, data: Json): void {
    const guild = this.#options.state.guilds.get(String(data.guild_id));
    if (!guild) return;
    const wantedIds = Array.isArray(data.user_ids) ? (data.user_ids as string[]) : undefined;
    const prefix = typeof data.query === "string" ? data.query.toLowerCase() : "";
    const members = [...guild.members.values()].filter((member) =>
      wantedIds ? wantedIds.includes(member.user.id) : member.user.username.toLowerCase().startsWith(prefix),
    );
    this.#sendDispatch(session, "GUILD_MEMBERS_CHUNK", {
      guild_id: guild.id,
      members: members.map((member) => memberPayload(member, { withUser: true })),
      chunk_index: 0,
      chunk_count: 1,
      ...(data.nonce !== undefined && { nonce: data.nonce }),
    });
  }

  #sendDispatch(session: Session, event: string, data: Json): void {
    session.seq += 1;
    const dispatch: SentDispatch = { s: session.seq, t: event, d: data };
    session.replay.push(dispatch);
    if (session.replay.length > MAX_REPLAY_EVENTS) session.replay.shift();
    this.#send(session.socket, { op: GatewayOp.Dispatch, ...dispatch });
  }

  #send(socket: WebSocket | null, payload: Json): void {
    if (socket?.readyState === WebSocket.OPEN) socket.send(JSON.stringify(payload));
  }
}

/** The shard a guild's events go to, by Discord's formula. */
export function guildShard(guildId: string, shardCount: number): number {
  return Number((BigInt(guildId) >> 22n) % BigInt(shardCount));
}

function shardOf(value: unknown): [number, number] {
  if (Array.isArray(value) && value.length === 2 && value.every((n) => Number.isInteger(n)))
    return [value[0], value[1]];
  return [0, 1];
}

/** Whether a session's shard receives a guild's events (or, for no guild, DMs: shard 0). */
function ownsGuild(session: Session, guildId: string | undefined): boolean {
  const [id, count] = session.shard;
  return guildId === undefined ? id === 0 : guildShard(guildId, count) === id;
}

function parseFrame(raw: RawData): Json | null {
  try {
    const parsed: unknown = JSON.parse(raw.toString());
    return typeof parsed === "object" && parsed !== null ? (parsed as Json) : null;
  } catch {
    return null;
  }
}

function socketClosed(socket: WebSocket): Promise<void> {
  if (socket.readyState === WebSocket.CLOSED) return Promise.resolve();
  return new Promise((resolve) => socket.once("close", () => resolve()));
}
