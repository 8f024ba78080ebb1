/** `.env.example` is what the README tells people to copy: it must start a bot as shipped. */
import { readFileSync } from "node:fs";
import path from "node:path";
import { Client } from "discord.js";
import { parse } from "dotenv";
import { afterEach, describe, expect, it } from "vitest";
import { ConfigError, KNOWN_VARIABLES, loadBotConfig } from "../src/config.js";
import { dropEmptyVariables } from "../src/load-env.js";

const EXAMPLE = readFileSync(path.resolve(import.meta.dirname, "..", ".env.example"), "utf8");
/** `NAME=` lines, set or commented out (`# NAME=`). */
const EXAMPLE_NAMES = [...EXAMPLE.matchAll(/^(?:# )?([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1]!);
const FILLED_IN = { DISCORD_TOKEN: "discord-test-token", OPENAI_API_KEY: "sk-test-key" };

/** The example as the bot sees it after loading: dotenv's parse, then empty values dropped. */
function exampleEnv(): Record<string, string | undefined> {
  const env: NodeJS.ProcessEnv = parse(EXAMPLE);
  dropEmptyVariables(env);
  return env;
}

describe(".env.example", () => {
  it("names only variables the config knows, and documents every one of them", () => {
    expect(EXAMPLE_NAMES.filter((name) => !KNOWN_VARIABLES.includes(name))).toEqual([]);
    expect(KNOWN_VARIABLES.filter((name) => !EXAMPLE_NAMES.includes(name))).toEqual([]);
  });

  it("as shipped lacks only the two values it marks REQUIRED", () => {
    let problems: string[] = [];
    try {
      loadBotConfig(exampleEnv());
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      problems = error.problems.map((p) => p.variable);
    }
    expect(problems.sort()).toEqual(["DISCORD_TOKEN", "OPENAI_API_KEY"]);
    expect(EXAMPLE).toMatch(/REQUIRED.*\n(# .*\n)*DISCORD_TOKEN=/);
    expect(EXAMPLE).toMatch(/REQUIRED.*\n(# .*\n)*OPENAI_API_KEY=/);
  });

  it("with the required values filled in gives exactly the defaults it documents", () => {
    expect(loadBotConfig({ ...exampleEnv(), ...FILLED_IN })).toEqual(loadBotConfig(FILLED_IN));
  });
});

describe("dropEmptyVariables", () => {
  const saved = process.env.SHARDS;
  afterEach(() => {
    if (saved === undefined) delete process.env.SHARDS;
    else process.env.SHARDS = saved;
  });

  it("removes empty and blank values and keeps the rest", () => {
    const env: NodeJS.ProcessEnv = { SHARDS: "", SHARD_LIST: "  ", LOG_LEVEL: "debug" };
    dropEmptyVariables(env);
    expect(env).toEqual({ LOG_LEVEL: "debug" });
  });

  it("lets discord.js build its client where .env had an empty SHARDS line", () => {
    // discord.js reads SHARDS from the environment as JSON when a Client is built (Client constructor).
    process.env.SHARDS = "";
    expect(() => new Client({ intents: [] })).toThrow(/JSON/);
    dropEmptyVariables(process.env);
    expect(() => new Client({ intents: [] }).destroy()).not.toThrow();
  });
});
