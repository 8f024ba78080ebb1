import { loadBotConfig } from "../../src/config.js";
import { type Core, createCore } from "../../src/core.js";
import { createBot } from "../../src/discord/bot.js";
import type { BotContext } from "../../src/discord/context.js";
import { silentLogger } from "../../src/log.js";

/**
 * The bot's own context over a real database in `dir`, never started: nothing connects to
 * Discord, and nothing here may call the model (its URL is a closed port). For unit tests
 * of the Discord side's steps.
 */
export function unstartedBot(dir: string, options: { now?: () => number } = {}): { core: Core; ctx: BotContext } {
  const config = loadBotConfig({
    DISCORD_TOKEN: "fake-token-for-unit-tests",
    OPENAI_BASE_URL: "http://127.0.0.1:9/v1",
    OPENAI_API_KEY: "sk-unit",
    DEFAULT_MODEL: "fake-model",
    DATABASE_PATH: `${dir}/masque.db`,
    PERSONAS_DIR: "personas",
  });
  const core = createCore(config, silentLogger);
  return { core, ctx: createBot(core, config, { now: options.now }).context };
}
