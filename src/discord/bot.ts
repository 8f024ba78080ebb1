import { Client, Events, GatewayIntentBits, Partials } from "discord.js";
import { commands } from "../commands/index.js";
import type { BotConfig } from "../config.js";
import type { Core } from "../core.js";
import type { BotContext } from "./context.js";
import { onInteractionCreate } from "./events/interactionCreate.js";
import { onMessageCreate } from "./events/messageCreate.js";

/** How long shutdown waits for replies in flight before cutting them off. */
export const SHUTDOWN_GRACE_MS = 5000;

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

/** Registers the slash commands globally, or to one server when `guildId` is given. */
export async function deployCommands(client: Client<true>, guildId?: string): Promise<number> {
  const body = commands.map((c) => c.data);
  const registered = guildId ? await client.application.commands.set(body, guildId) : await client.application.commands.set(body);
  return registered.size;
}

/** Creates the bot; nothing connects until `start()`. */
export function createBot(core: Core, config: BotConfig): Bot {
  const client = new Client({
    intents: [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages, GatewayIntentBits.MessageContent, GatewayIntentBits.DirectMessages],
    partials: [Partials.Channel],
    rest: config.discordApiUrl ? { api: config.discordApiUrl } : {},
  });
  const log = core.log;
  const inFlight = new Map<Promise<unknown>, AbortController>();
  const queues = new Map<string, Promise<unknown>>();
  let stopping = false;
  let stopped: Promise<void> | undefined;

  const context: BotContext = {
    client,
    core,
    config,
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
    serialize(key, work) {
      const previous = queues.get(key) ?? Promise.resolve();
      const next = previous.then(work, work);
      const settled = next.catch(() => {});
      queues.set(key, settled);
      void settled.then(() => {
        if (queues.get(key) === settled) queues.delete(key);
      });
      return next;
    },
  };

  // A thrown or rejected handler is logged; it never takes the process down.
  const guard =
    <A extends unknown[]>(name: string, handler: (...args: A) => Promise<void>) =>
    (...args: A) => {
      handler(...args).catch((error: unknown) => log.error({ err: error, event: name }, "event handler failed"));
    };

  client.on(Events.MessageCreate, guard(Events.MessageCreate, (message) => onMessageCreate(message, context)));
  client.on(Events.InteractionCreate, guard(Events.InteractionCreate, (interaction) => onInteractionCreate(interaction, context)));
  client.on(Events.Error, (error) => log.error({ err: error }, "discord client error"));
  client.on(Events.Warn, (message) => log.warn(message));
  client.on(Events.ShardDisconnect, (event, shard) => log.warn({ shard, code: event.code }, "gateway disconnected"));
  client.on(Events.ShardResume, (shard, replayed) => log.info({ shard, replayed }, "gateway resumed"));
  client.rest.on("rateLimited", (info) => log.debug({ route: info.route, retryAfter: info.retryAfter, global: info.global }, "rate limited by Discord"));

  return {
    client,
    context,
    async start() {
      const ready = new Promise<Client<true>>((resolve) => client.once(Events.ClientReady, resolve));
      await client.login(config.discordToken);
      const readyClient = await ready;
      core.retention.start();
      if (config.autoDeployCommands) {
        const count = await deployCommands(readyClient, config.devGuildId);
        log.info({ count, scope: config.devGuildId ? `server ${config.devGuildId}` : "global" }, "slash commands registered");
      }
      log.info(
        { tag: readyClient.user.tag, servers: readyClient.guilds.cache.size, personas: core.personas().size },
        `ready as ${readyClient.user.tag} in ${readyClient.guilds.cache.size} server(s) with ${core.personas().size} persona(s)`,
      );
    },
    async idle() {
      while (inFlight.size > 0) await Promise.allSettled([...inFlight.keys()]);
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
        await client.destroy();
        core.close();
        log.info("stopped");
      })();
      return stopped;
    },
  };
}
