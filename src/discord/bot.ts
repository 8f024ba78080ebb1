import { Client, Events, GatewayIntentBits, Options, Partials, Status, type User, type GuildMember } from "discord.js";
import { commands } from "../commands/index.js";
import type { BotConfig } from "../config.js";
import type { Core } from "../core.js";
import { BatchingQueue } from "../moderation/batching.js";
import { createModeration } from "../moderation/index.js";
import { answerWaiting, type PendingMessage } from "./answer.js";
import type { BotContext } from "./context.js";
import { onInteractionCreate } from "./events/interactionCreate.js";
import { onMessageCreate } from "./events/messageCreate.js";
import { BUSY_TIMEOUT_MS } from "../memory/db.js";
import { startObservabilityServer } from "../observability/server.js";
import { shardId } from "./shards.js";
import { EditBudget } from "./streaming.js";
import { WebhookPool } from "./webhooks.js";
import { postToChannel } from "./notices.js";
import { answerForgetRequests } from "./forget.js";

/** How long shutdown waits for replies in flight before cutting them off. */
export const SHUTDOWN_GRACE_MS = 5000;
/** Messages that may wait per conversation while a reply is written; more are told the bot is busy. */
export const MAX_WAITING_MESSAGES = 10;
/**
 * Messages discord.js keeps per channel (its default is 200, in every channel the bot can
 * read). The cache only spares a fetch when someone quotes a message; what the bot took
 * part in is found in memory first, so a few recent ones are enough.
 */
export const CACHED_MESSAGES_PER_CHANNEL = 20;
/**
 * Users and server members discord.js keeps (its default: everyone who ever wrote, without
 * bound). Each message carries its author and member, so only the recently active are
 * worth keeping; the bot's own user and member always stay.
 */
export const CACHED_PEOPLE = 1_000;

const isBotItself = (person: User | GuildMember) => person.id === person.client.user.id;

/** A running bot: the discord.js client wired to the engine. */
export interface Bot {
  readonly client: Client;
  readonly context: BotContext;
  /** Logs in and resolves once the gateway is ready. */
  start(): Promise<void>;
  /** Resolves once no reply or command work is in flight. */
  idle(): Promise<void>;
  /** Stops taking messages, finishes or interrupts replies in flight, disconnects. Idempotent. */
  stop(): Promise<void>;
}

/** Whether a write transaction can be started (the file is writable and not locked by another writer). */
function databaseWritable(core: Core): boolean {
  const { db } = core.memory;
  // Do not wait out another writer's lock here: the check must answer at once.
  db.pragma("busy_timeout = 0");
  try {
    db.exec("BEGIN IMMEDIATE");
    db.exec("ROLLBACK");
    return true;
  } catch {
    return false;
  } finally {
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  }
}

/** Registers the slash commands globally, or to one server when `guildId` is given. */
export async function deployCommands(client: Client<true>, guildId?: string): Promise<number> {
  const body = commands.map((c) => c.data);
  const registered = guildId ? await client.application.commands.set(body, guildId) : await client.application.commands.set(body);
  return registered.size;
}

export interface BotOptions {
  /** The clock of rate limits and reply gaps; tests pass one they can move. */
  readonly now?: () => number;
}

/** Creates the bot; nothing connects until `start()`. */
export function createBot(core: Core, config: BotConfig, options: BotOptions = {}): Bot {
  const client = new Client({
    intents: [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages, GatewayIntentBits.MessageContent, GatewayIntentBits.DirectMessages],
    partials: [Partials.Channel],
    rest: config.discordApiUrl ? { api: config.discordApiUrl } : {},
    makeCache: Options.cacheWithLimits({
      ...Options.DefaultMakeCacheSettings,
      MessageManager: CACHED_MESSAGES_PER_CHANNEL,
      UserManager: { maxSize: CACHED_PEOPLE, keepOverLimit: isBotItself },
      GuildMemberManager: { maxSize: CACHED_PEOPLE, keepOverLimit: isBotItself },
    }),
  });
  const log = core.log;
  const inFlight = new Map<Promise<unknown>, AbortController>();
  let stopping = false;
  let stopped: Promise<void> | undefined;
  let observability: { close(): Promise<void> } | undefined;
  const { metrics } = core;

  const webhooks = new WebhookPool(log, config.personasDir);
  const moderation = createModeration(core, config, { now: options.now, post: (channelId, content) => postToChannel(client, channelId, content) });
  const conversations = new BatchingQueue<PendingMessage>({
    maxPending: MAX_WAITING_MESSAGES,
    run: (key, waiting) => context.track((signal) => answerWaiting(key, waiting, context, signal)),
    onError: (error, key) => log.error({ err: error, conversation: key }, "answering a conversation failed"),
  });

  // Queue depth: messages queued in conversations, and replies waiting for a model slot.
  metrics.setQueueDepth(() => conversations.totalWaiting + moderation.slots.waiting);
  const context: BotContext = {
    client,
    core,
    config,
    webhooks,
    editBudget: new EditBudget(),
    moderation,
    conversations,
    get stopping() {
      return stopping;
    },
    track(work) {
      const controller = new AbortController();
      const promise = work(controller.signal);
      inFlight.set(promise, controller);
      const forget = () => inFlight.delete(promise);
      promise.then(forget, forget);
      return promise;
    },
  };

  answerForgetRequests(context);

  // A thrown or rejected handler is logged; it never takes the process down.
  const guard =
    <A extends unknown[]>(name: string, handler: (...args: A) => Promise<void>) =>
    (...args: A) => {
      handler(...args).catch((error: unknown) => {
        metrics.error("handler");
        log.error({ err: error, event: name }, "event handler failed");
      });
    };

  core.library.onChange(({ removed }) => {
    webhooks.clearAvatars();
    if (removed.length === 0) return;
    log.warn({ removed }, "personas removed; channels that used them fall back to the server's default persona");
    for (const personaId of removed) {
      const guilds = core.memory.settings.guildsUsing(personaId);
      for (const guildId of guilds.length > 0 ? guilds : [null]) {
        moderation.audit.record({ guildId, channelId: null, actorId: client.user?.id ?? "masque", action: "persona.removed", targetId: null, details: { persona: personaId } });
      }
    }
  });

  client.on(Events.MessageCreate, (message) => metrics.messageSeen(message.inGuild() ? "guild" : "dm"));
  client.on(Events.MessageCreate, guard(Events.MessageCreate, (message) => onMessageCreate(message, context)));
  client.on(Events.InteractionCreate, guard(Events.InteractionCreate, (interaction) => onInteractionCreate(interaction, context)));
  client.on(Events.Error, (error) => log.error({ err: error }, "discord client error"));
  client.on(Events.Warn, (message) => log.warn(message));
  client.on(Events.ShardDisconnect, (event, shard) => log.warn({ shard, code: event.code }, "gateway disconnected"));
  client.on(Events.ShardResume, (shard, replayed) => log.info({ shard, replayed }, "gateway resumed"));
  // Waiting out an empty bucket is good citizenship; a 429 means the bot got it wrong.
  client.rest.on("rateLimited", (info) => {
    metrics.rateLimit(info.global ? "global_wait" : "wait");
    log.debug({ route: info.route, retryAfter: info.retryAfter, global: info.global }, "waiting for a Discord rate limit");
  });
  client.rest.on("response", (request, response) => {
    if (response.status !== 429) return;
    metrics.rateLimit("429");
    log.warn({ route: request.route, method: request.method }, "Discord answered 429 Too Many Requests");
  });

  return {
    client,
    context,
    async start() {
      const ready = new Promise<Client<true>>((resolve) => client.once(Events.ClientReady, resolve));
      await client.login(config.discordToken);
      const readyClient = await ready;
      core.library.watch();
      if (config.metricsPort !== undefined) {
        observability = await startObservabilityServer({
          // Each shard process serves on its own port: METRICS_PORT + shard id.
          port: config.metricsPort + (client.shard ? shardId() : 0),
          host: config.metricsHost,
          metrics,
          log,
          health: {
            discordConnected: () => client.ws.shards.size > 0 && client.ws.shards.every((shard) => shard.status === Status.Ready),
            databaseWritable: () => databaseWritable(core),
          },
        });
      }
      core.retention.start();
      if (config.autoDeployCommands) {
        const count = await deployCommands(readyClient, config.devGuildId);
        log.info({ count, scope: config.devGuildId ? `server ${config.devGuildId}` : "global" }, "slash commands registered");
      }
      log.info(
        { tag: readyClient.user.tag, servers: readyClient.guilds.cache.size, personas: core.personas().size, modelSlots: moderation.slots.maxActive },
        `ready as ${readyClient.user.tag} in ${readyClient.guilds.cache.size} server(s) with ${core.personas().size} persona(s)`,
      );
    },
    async idle() {
      while (inFlight.size > 0 || conversations.activeKeys > 0) await Promise.allSettled([...inFlight.keys(), conversations.idle()]);
    },
    stop() {
      stopped ??= (async () => {
        stopping = true;
        const pending = [...inFlight.keys()];
        if (pending.length > 0) {
          log.info({ replies: pending.length }, "waiting for replies in flight");
          const grace = new Promise((resolve) => setTimeout(resolve, SHUTDOWN_GRACE_MS).unref());
          await Promise.race([Promise.allSettled(pending), grace]);
          for (const controller of inFlight.values()) controller.abort();
          await Promise.allSettled([...inFlight.keys()]);
        }
        await observability?.close();
        await client.destroy();
        core.close();
        log.info("stopped");
      })();
      return stopped;
    },
  };
}
