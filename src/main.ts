import "./load-env.js";
import { type BotConfig, ConfigError, loadBotConfig } from "./config.js";
import { type Core, createCore } from "./core.js";
import { createBot } from "./discord/bot.js";
import { isShardProcess, machineShare, shardCount, shardId, startShardManager } from "./discord/shards.js";
import { createLogger, type Logger } from "./log.js";
import { DatabaseError } from "./memory/db.js";
import { type Layout, LayoutError, layoutFile } from "./memory/layout.js";
import { ensureLayout } from "./memory/reshard.js";
import { PersonaError } from "./personas/persona.js";
import { loadStudioConfig, type StudioConfig } from "./studio/config.js";

/** Stops `stop` once on SIGINT/SIGTERM, then exits (0 when the stop was clean). */
function exitOnSignals(log: Logger, stop: () => Promise<void>): void {
  const shutdown = (signal: string) => {
    log.info({ signal }, "shutting down");
    stop().then(
      () => process.exit(0),
      (error: unknown) => {
        log.error({ err: error }, "unclean shutdown");
        process.exit(1);
      },
    );
  };
  process.once("SIGINT", () => shutdown("SIGINT"));
  process.once("SIGTERM", () => shutdown("SIGTERM"));
}

/** One bot process: all of Discord, or one shard of it (with its own database file); shard 0 (or the only process) serves the studio when STUDIO_PORT is set. */
async function runBot(config: BotConfig, log: Logger, layout: Layout, studio: StudioConfig): Promise<void> {
  const modelSlots = {
    maxActive: machineShare(config.llmMaxConcurrency, config.shardList),
    maxWaiting: machineShare(config.llmQueueLimit, config.shardList),
  };
  const core = createCore(config, log, { metrics: config.metricsPort !== undefined, modelSlots, layout });
  const bot = createBot(core, config);
  let closeStudio = async () => {};
  exitOnSignals(log, () => closeStudio().then(() => bot.stop()));
  try {
    await bot.start();
  } catch (error) {
    await bot.stop().catch(() => {});
    throw error;
  }
  if (studio.port !== undefined && layout.index === 0) closeStudio = await startBotStudio(core, studio, studio.port);
}

/** The studio inside the bot, its sign-in link printed; its modules load only here, so with STUDIO_PORT empty it adds nothing. */
async function startBotStudio(core: Core, config: StudioConfig, port: number): Promise<() => Promise<void>> {
  const { startStudio, studioHostOf } = await import("./studio/serve.js");
  const { LOCAL_OWNER } = await import("./studio/sessions.js");
  const { STUDIO_CONSOLE } = await import("./texts/studio.js");
  const studio = await startStudio(studioHostOf(core), config, port);
  console.log(STUDIO_CONSOLE.open(studio.loginLink(LOCAL_OWNER)));
  return () => studio.close();
}

/** Starts the Discord bot: `npm start`. With SHARDS set, a ShardingManager runs one process per shard. */
async function main(): Promise<void> {
  const loaded = loadBotConfig();
  const studio = loadStudioConfig();
  const inShard = isShardProcess();
  const layout: Layout = inShard ? { shards: shardCount(), index: shardId() } : { shards: 0, index: 0 };
  const config: BotConfig = { ...loaded, databasePath: layoutFile(loaded.databasePath, layout.shards, layout.index) };
  const root = createLogger(config.logLevel);
  const log = inShard ? root.child({ shard: shardId() }) : root;
  process.on("unhandledRejection", (reason) => log.error({ err: reason }, "unhandled promise rejection"));

  if (!inShard && config.shards !== undefined) {
    const manager = await startShardManager(config, log);
    exitOnSignals(log, () => manager.stop());
    return;
  }
  if (!inShard) ensureLayout(config.databasePath, 0, { reshardAuto: config.reshard === "auto", log });
  await runBot(config, log, layout, studio);
}

main().catch((error: unknown) => {
  if (
    error instanceof ConfigError ||
    error instanceof PersonaError ||
    error instanceof DatabaseError ||
    error instanceof LayoutError
  ) {
    console.error(error.message);
  } else if (error instanceof Error && /TokenInvalid|invalid token/i.test(`${error.name} ${error.message}`)) {
    console.error(
      "Discord rejected DISCORD_TOKEN. Copy a fresh token from the Developer Portal (README: Create the Discord application).",
    );
  } else {
    console.error("Masque could not start:", error instanceof Error ? error.message : error);
  }
  process.exit(1);
});
