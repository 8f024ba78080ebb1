import { Client, Events, GatewayIntentBits, Options, Partials, Status, type User, type GuildMember } from "discord.js";
import { commands } from "../commands/index.js";
import type { BotConfig } from "../config.js";
import type { Core } from "../core.js";
import { isWritable } from "../memory/db.js";
import { BatchingQueue } from "../traffic/batching.js";
import { SceneRegistry } from "../chat/scene.js";
import { createModeration } from "../moderation/index.js";
import { createTraffic } from "../traffic/index.js";
import { startObservabilityServer } from "../observability/server.js";
import { answerWaiting } from "./answer.js";
import { listen } from "./events/index.js";
import { takenIn } from "./events/messageCreate.js";
import { ShutdownTracker } from "./shutdown-tracker.js";
import { InOrder } from "./intake.js";
import type { BotContext, PendingMessage } from "./context.js";
import { postToChannel } from "./notices.js";
import { shardId } from "./shards.js";
import { EditBudget } from "./edit-budget.js";
import { WebhookPool } from "./webhooks.js";
import { recoverCutReplies } from "./recover.js";

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
  /** Resolves once no message is being taken in and no reply or command work is in flight. */
  idle(): Promise<void>;
  /** Stops taking messages, finishes or interrupts replies in flight, disconnects. Idempotent. */
  stop(): Promise<void>;
}

/** Registers the slash commands globally, or to one server when `guildId` is given. */
export async function deployCommands(client: Client<true>, guildId?: string): Promise<number> {
  const body = commands.map((c) => c.data);
  const registered = guildId
    ? await client.application.commands.set(body, guildId)
    : await client.application.commands.set(body);
  return registered.size;
}

export interface BotOptions {
  /** The clock of rate limits and reply gaps; tests pass one they can move. */
  readonly now?: () => number;
}

/** The discord.js client with the intents the bot needs and caches bounded for a long run. */
function createClient(config: BotConfig): Client {
  return new Client({
    intents: [
      GatewayIntentBits.Guilds,
      GatewayIntentBits.GuildMessages,
      GatewayIntentBits.MessageContent,
      GatewayIntentBits.DirectMessages,
    ],
    partials: [Partials.Channel],
    rest: config.discordApiUrl ? { api: config.discordApiUrl } : {},
    makeCache: Options.cacheWithLimits({
      ...Options.DefaultMakeCacheSettings,
      MessageManager: CACHED_MESSAGES_PER_CHANNEL,
      UserManager: { maxSize: CACHED_PEOPLE, keepOverLimit: isBotItself },
      GuildMemberManager: { maxSize: CACHED_PEOPLE, keepOverLimit: isBotItself },
    }),
  });
}

/** Creates the bot; nothing connects until `start()`. */
export function createBot(core: Core, config: BotConfig, options: BotOptions = {}): Bot {
  const client = createClient(config);
  const tracked = new ShutdownTracker();
  const state = {
    stopping: false,
    stopped: undefined as Promise<void> | undefined,
    observability: undefined as { close(): Promise<void> } | undefined,
  };
  const moderation = createModeration(core, config, (channelId, content) => postToChannel(client, channelId, content));
  const traffic = createTraffic(core.slots, options.now);
  const conversations = new BatchingQueue<PendingMessage>({
    maxPending: MAX_WAITING_MESSAGES,
    run: (key, waiting) => context.track((signal) => answerWaiting(key, waiting, context, signal)),
    onError: (error, key) => core.log.error({ err: error, conversation: key }, "answering a conversation failed"),
  });
  // Queue depth: messages queued in conversations, and replies waiting for a model slot.
  core.metrics.setQueueDepth(() => conversations.totalWaiting + traffic.slots.waiting);
  const context: BotContext = {
    client,
    core,
    config,
    webhooks: new WebhookPool(core.log, config.personasDir),
    editBudget: new EditBudget(),
    moderation,
    traffic,
    conversations,
    scenes: new SceneRegistry(),
    intake: new InOrder(),
    threadWarnings: new Set<string>(),
    get stopping() {
      return state.stopping;
    },
    track: (work) => tracked.track(work),
  };
  listen(context);

  return {
    client,
    context,
    async start() {
      state.observability = await start(context);
    },
    async idle() {
      // A message taken in may queue a reply, and a reply's echo is a message to take in: until neither is left.
      await takenIn(context);
      while (tracked.size > 0 || conversations.activeKeys > 0) {
        await Promise.allSettled([tracked.settled(), conversations.idle()]);
        await takenIn(context);
      }
    },
    stop() {
      state.stopping = true;
      state.stopped ??= stop(context, tracked, state.observability);
      return state.stopped;
    },
  };
}

/** Logs in, starts the background jobs and the metrics server, and registers commands when asked to. */
async function start(ctx: BotContext): Promise<{ close(): Promise<void> } | undefined> {
  const { client, core, config } = ctx;
  const ready = new Promise<Client<true>>((resolve) => client.once(Events.ClientReady, resolve));
  await client.login(config.discordToken);
  const readyClient = await ready;
  // Before the first new reply: what the last stop cut short is stored as interrupted, and marked on Discord.
  await recoverCutReplies(ctx).catch((error: unknown) =>
    core.log.error({ err: error }, "could not recover the replies the last stop cut short"),
  );
  core.library.watch();
  const observability =
    config.metricsPort === undefined
      ? undefined
      : await startObservabilityServer({
          // Each shard process serves on its own port: METRICS_PORT + shard id.
          port: config.metricsPort + (client.shard ? shardId() : 0),
          host: config.metricsHost,
          metrics: core.metrics,
          log: core.log,
          health: {
            discordConnected: () =>
              client.ws.shards.size > 0 && client.ws.shards.every((shard) => shard.status === Status.Ready),
            databaseWritable: () => isWritable(core.memory.db),
          },
        });
  core.retention.start();
  if (config.autoDeployCommands) {
    const count = await deployCommands(readyClient, config.devGuildId);
    core.log.info(
      { count, scope: config.devGuildId ? `server ${config.devGuildId}` : "global" },
      "slash commands registered",
    );
  }
  const { tag } = readyClient.user;
  const servers = readyClient.guilds.cache.size;
  core.log.info(
    { tag, servers, personas: core.personas().size, modelSlots: ctx.traffic.slots.maxActive },
    `ready as ${tag} in ${servers} server(s) with ${core.personas().size} persona(s)`,
  );
  return observability;
}

/** Finishes or interrupts the replies in flight, then disconnects and closes the database. */
async function stop(
  ctx: BotContext,
  tracked: ShutdownTracker,
  observability: { close(): Promise<void> } | undefined,
): Promise<void> {
  // A scene would go on for many lines: it ends now, its line in progress cut like any reply.
  ctx.scenes.stopAll();
  if (tracked.size > 0) {
    ctx.core.log.info({ replies: tracked.size }, "waiting for replies in flight");
    await tracked.finish(SHUTDOWN_GRACE_MS);
  }
  await observability?.close();
  await ctx.client.destroy();
  ctx.core.close();
  ctx.core.log.info("stopped");
}
