import { describe, expect, it } from "vitest";
import { ConfigError, loadDiscordConfig } from "../src/config.js";

const BASE = { DISCORD_TOKEN: "token" };

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadDiscordConfig({ ...BASE, ...env });
    return [];
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return error.problems.map((p) => `${p.variable}: ${p.message}`);
  }
}

describe("moderation and load settings", () => {
  it("defaults to 4 model calls at once, 20 waiting, and no provider moderation", () => {
    expect(loadDiscordConfig(BASE)).toMatchObject({
      llmMaxConcurrency: 4,
      llmQueueLimit: 20,
      moderation: "off",
      moderationModel: "omni-moderation-latest",
    });
  });

  it("reads the values, accepting 0 waiting and any case for MODERATION", () => {
    expect(
      loadDiscordConfig({
        ...BASE,
        LLM_MAX_CONCURRENCY: "2",
        LLM_QUEUE_LIMIT: "0",
        MODERATION: " OpenAI ",
        MODERATION_MODEL: "text-moderation-latest",
      }),
    ).toMatchObject({
      llmMaxConcurrency: 2,
      llmQueueLimit: 0,
      moderation: "openai",
      moderationModel: "text-moderation-latest",
    });
  });

  it("names each bad variable and the fix", () => {
    expect(problemsOf({ LLM_MAX_CONCURRENCY: "0", LLM_QUEUE_LIMIT: "-1", MODERATION: "aws" })).toEqual([
      "LLM_MAX_CONCURRENCY: must be a whole number of at least 1; e.g. 4; it is how many replies are written at the same time",
      "LLM_QUEUE_LIMIT: must be a whole number of at least 0; e.g. 20; beyond it people are told the bot is busy (0: nobody waits)",
      "MODERATION: must be one of off, openai",
    ]);
  });
});
