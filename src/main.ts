import "dotenv/config";
import { ConfigError, loadBotConfig } from "./config.js";
import { createCore } from "./core.js";
import { createBot } from "./discord/bot.js";
import { createLogger } from "./log.js";
import { DatabaseError } from "./memory/db.js";
import { PersonaError } from "./personas/persona.js";

/** Starts the Discord bot: `npm start`. */
async function main(): Promise<void> {
  const config = loadBotConfig();
  const log = createLogger(config.logLevel);
  const core = createCore(config, log);
  const bot = createBot(core, config);

  const shutdown = (signal: string) => {
    log.info({ signal }, "shutting down");
    bot.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        log.error({ err: error }, "unclean shutdown");
        process.exit(1);
      },
    );
  };
  process.once("SIGINT", () => shutdown("SIGINT"));
  process.once("SIGTERM", () => shutdown("SIGTERM"));
  process.on("unhandledRejection", (reason) => log.error({ err: reason }, "unhandled promise rejection"));

  try {
    await bot.start();
  } catch (error) {
    await bot.stop().catch(() => {});
    throw error;
  }
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError || error instanceof PersonaError || error instanceof DatabaseError) {
    console.error(error.message);
  } else if (error instanceof Error && /TokenInvalid|invalid token/i.test(`${error.name} ${error.message}`)) {
    console.error("Discord rejected DISCORD_TOKEN. Copy a fresh token from the Developer Portal (README: Create the Discord application).");
  } else {
    console.error("Masque could not start:", error instanceof Error ? error.message : error);
  }
  process.exit(1);
});
