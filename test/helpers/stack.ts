import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Writable } from "node:stream";
import { type BotConfig, loadBotConfig } from "../../src/config.js";
import { type Core, createCore } from "../../src/core.js";
import { type Bot, createBot } from "../../src/discord/bot.js";
import { createLogger } from "../../src/log.js";
import { type FakeDiscord, type FakeGuildHandle, type FakeUser, startFakeDiscord } from "../fakes/discord-server.js";
import type { ProviderSettings } from "../fakes/model-providers.js";
import { type FakeModelServer, startFakeModelServer } from "../fakes/openai-server.js";

export const ALICE: FakeUser = { id: "310000000000000001", username: "alice", globalName: "Alice" };
export const BOB: FakeUser = { id: "310000000000000002", username: "bob", globalName: "Bob" };
/** Manage Server (1 << 5). */
export const MANAGE_GUILD = String(1n << 5n);
/** View Channel (1 << 10). */
export const VIEW_CHANNEL = String(1n << 10n);

/** The bot wired to a fake Discord and a fake model, with a database in a temp folder. */
export interface Stack {
  readonly discord: FakeDiscord;
  readonly model: FakeModelServer;
  readonly guild: FakeGuildHandle;
  readonly general: string;
  readonly dir: string;
  readonly env: Record<string, string>;
  readonly logLines: string[];
  bot: Bot;
  core: Core;
  config: BotConfig;
  /** Stops the bot (as on SIGTERM) and starts a new one on the same database. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export interface StackOptions {
  readonly env?: Record<string, string>;
  readonly botPermissions?: string;
  /** A personas folder to use instead of the shipped one. */
  readonly personasDir?: string;
  /** The test guild's preferred locale (default en-US). */
  readonly guildLocale?: string;
  readonly roles?: Array<{ id: string; name: string }>;
  /** Roles (ids or names) of Alice and Bob, by user id. */
  readonly memberRoles?: Readonly<Record<string, string[]>>;
  /** The bot's clock for rate limits and reply gaps (default: the real one). */
  readonly now?: () => number;
  /** The provider the fake model plays (default: a plain server that refuses nothing). */
  readonly provider?: ProviderSettings;
}

async function startBot(
  env: Record<string, string>,
  logLines: string[],
  now?: () => number,
): Promise<{ bot: Bot; core: Core; config: BotConfig }> {
  const config = loadBotConfig(env);
  const sink = new Writable({
    write(chunk, _encoding, done) {
      logLines.push(...String(chunk).split("\n").filter(Boolean));
      done();
    },
  });
  const core = createCore(config, createLogger(config.logLevel, { stream: sink }), {
    metrics: config.metricsPort !== undefined,
    modelSlots: { maxActive: config.llmMaxConcurrency, maxWaiting: config.llmQueueLimit },
  });
  const bot = createBot(core, config, { now });
  await bot.start();
  return { bot, core, config };
}

/** The API key the stack's bot sends; a provider given to startStack may require it. */
export const STACK_API_KEY = "sk-test-secret-key-0123456789";

/** Starts both fakes and the bot; a guild "Test Server" with #general, #random and a thread in #general. */
export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const discord = await startFakeDiscord();
  const model = await startFakeModelServer(options.provider);
  const guild = discord.addGuild({
    name: "Test Server",
    preferredLocale: options.guildLocale,
    channels: [{ name: "general" }, { name: "random" }, { name: "ideas", type: 11, parentId: "general" }],
    members: [
      { user: ALICE, nick: "Ali", roles: options.memberRoles?.[ALICE.id] ?? [] },
      { user: BOB, roles: options.memberRoles?.[BOB.id] ?? [] },
    ],
    botPermissions: options.botPermissions,
    // As in a real server, @everyone can view the channels (so what is said there is public).
    roles: [{ name: "@everyone", permissions: VIEW_CHANNEL }, ...(options.roles ?? [])],
  });
  const dir = mkdtempSync(path.join(tmpdir(), "masque-e2e-"));
  const env: Record<string, string> = {
    DISCORD_TOKEN: discord.token,
    DISCORD_API_URL: discord.apiUrl,
    OPENAI_BASE_URL: model.baseURL,
    OPENAI_API_KEY: STACK_API_KEY,
    DEFAULT_MODEL: "fake-model",
    DATABASE_PATH: path.join(dir, "masque.db"),
    PERSONAS_DIR: options.personasDir ?? "personas",
    MODEL_TIMEOUT_MS: "3000",
    MODEL_MAX_RETRIES: "0",
    LOG_LEVEL: "debug",
    ...options.env,
  };
  const logLines: string[] = [];
  const started = await startBot(env, logLines, options.now);
  let stopped = false;
  const stack: Stack = {
    discord,
    model,
    guild,
    general: guild.channelId("general"),
    dir,
    env,
    logLines,
    ...started,
    async restart() {
      await stack.bot.stop();
      Object.assign(stack, await startBot(env, logLines, options.now));
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await stack.bot.stop();
      await discord.close();
      await model.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return stack;
}
