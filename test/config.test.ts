import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import {
  ConfigError,
  type ConfigProblem,
  DISCORD_SETUP_DOC,
  ensureDatabaseFolder,
  loadBotConfig,
  loadCoreConfig,
  loadDiscordConfig,
} from "../src/config.js";
import { tempDirForTest } from "./helpers/temp-dir.js";

const REPO_ROOT = path.resolve(import.meta.dirname, "..");
const API_KEY = "sk-test-key";
const DISCORD_TOKEN = "discord-test-token";
const ROLE_A = "111111111111111111";
const ROLE_B = "222222222222222222";

/** The problems a config loader reports, or fails the test when it does not throw. */
function problemsOf(load: () => unknown): readonly ConfigProblem[] {
  try {
    load();
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error("expected a ConfigError");
}

describe("loadCoreConfig", () => {
  it("uses the defaults when only the API key is set", () => {
    expect(loadCoreConfig({ OPENAI_API_KEY: API_KEY })).toEqual({
      openaiBaseUrl: "https://api.openai.com/v1",
      openaiApiKey: API_KEY,
      defaultModel: "gpt-4o-mini",
      defaultPersona: "assistant",
      personasDir: "personas",
      databasePath: "data/masque.db",
      contextTokens: 8000,
      modelTimeoutMs: 60_000,
      modelMaxRetries: 1,
      modelReplyDeadlineMs: 120_000,
      modelVision: false,
      logLevel: "info",
      maxCast: 5,
      personNotesMax: 12,
    });
  });

  it("treats empty and blank values as unset", () => {
    const config = loadCoreConfig({
      OPENAI_API_KEY: API_KEY,
      CONTEXT_TOKENS: "",
      LOG_LEVEL: "  ",
      DEFAULT_MODEL: "",
      PERSONAS_DIR: " ",
    });
    expect(config.contextTokens).toBe(8000);
    expect(config.logLevel).toBe("info");
    expect(config.defaultModel).toBe("gpt-4o-mini");
    expect(config.personasDir).toBe("personas");
  });

  it("reads every variable, trimming text and lower-casing the log level", () => {
    expect(
      loadCoreConfig({
        OPENAI_BASE_URL: "http://localhost:11434/v1",
        OPENAI_API_KEY: " key ",
        DEFAULT_MODEL: " llama3.1:8b ",
        DEFAULT_PERSONA: "quill",
        PERSONAS_DIR: "my-personas",
        DATABASE_PATH: "/var/lib/masque/bot.db",
        CONTEXT_TOKENS: "512",
        MODEL_TIMEOUT_MS: "1500",
        MODEL_MAX_RETRIES: "0",
        MODEL_REPLY_DEADLINE_MS: "30000",
        MODEL_VISION: "yes",
        MAX_CAST: "2",
        PERSON_NOTES_MAX: "4",
        LOG_LEVEL: " DEBUG ",
      }),
    ).toEqual({
      openaiBaseUrl: "http://localhost:11434/v1",
      openaiApiKey: "key",
      defaultModel: "llama3.1:8b",
      defaultPersona: "quill",
      personasDir: "my-personas",
      databasePath: "/var/lib/masque/bot.db",
      contextTokens: 512,
      modelTimeoutMs: 1500,
      modelMaxRetries: 0,
      modelReplyDeadlineMs: 30_000,
      modelVision: true,
      maxCast: 2,
      personNotesMax: 4,
      logLevel: "debug",
    });
  });

  it("reports every bad value at once, each naming its variable", () => {
    const env = { OPENAI_API_KEY: API_KEY, CONTEXT_TOKENS: "abc", LOG_LEVEL: "loud", OPENAI_BASE_URL: "notaurl" };

    expect(problemsOf(() => loadCoreConfig(env))).toEqual([
      { variable: "OPENAI_BASE_URL", message: "must be an http(s) URL such as http://localhost:11434/v1" },
      {
        variable: "CONTEXT_TOKENS",
        message: "must be a whole number of at least 512; it is the model's context window you want to use, e.g. 8000",
      },
      { variable: "LOG_LEVEL", message: "must be one of fatal, error, warn, info, debug, trace, silent" },
    ]);
  });

  it("puts every problem and the fix into the error message", () => {
    const env = { OPENAI_API_KEY: API_KEY, CONTEXT_TOKENS: "abc", LOG_LEVEL: "loud", OPENAI_BASE_URL: "notaurl" };

    expect(() => loadCoreConfig(env)).toThrow(
      "Invalid configuration:\n" +
        "  - OPENAI_BASE_URL: must be an http(s) URL such as http://localhost:11434/v1\n" +
        "  - CONTEXT_TOKENS: must be a whole number of at least 512; it is the model's context window you want to use, e.g. 8000\n" +
        "  - LOG_LEVEL: must be one of fatal, error, warn, info, debug, trace, silent\n" +
        "Fix the values in your .env file (see .env.example) or the environment, then start again.",
    );
  });

  it.each([
    ["CONTEXT_TOKENS", "511"],
    ["CONTEXT_TOKENS", "8000.5"],
    ["CONTEXT_TOKENS", "-9000"],
    ["MODEL_TIMEOUT_MS", "0"],
    ["MODEL_MAX_RETRIES", "one"],
    ["MODEL_REPLY_DEADLINE_MS", "0"],
    ["OPENAI_BASE_URL", "ftp://models.example.com/v1"],
    ["DEFAULT_PERSONA", "../secrets"],
  ])("rejects %s=%s", (variable, value) => {
    const problems = problemsOf(() => loadCoreConfig({ OPENAI_API_KEY: API_KEY, [variable]: value }));
    expect(problems.map((p) => p.variable)).toEqual([variable]);
  });

  it("rejects a DEFAULT_PERSONA that no persona file can have as its id", () => {
    expect(
      problemsOf(() => loadCoreConfig({ OPENAI_API_KEY: API_KEY, DEFAULT_PERSONA: "Quill" })).map((p) => p.variable),
    ).toEqual(["DEFAULT_PERSONA"]);
  });

  it.each([
    ["https://api.openai.com/v1", "api.openai.com"],
    ["https://openrouter.ai/api/v1", "openrouter.ai"],
    ["http://172.32.0.1:8000/v1", "172.32.0.1:8000"],
  ])("requires OPENAI_API_KEY for the remote server %s", (baseUrl, host) => {
    expect(problemsOf(() => loadCoreConfig({ OPENAI_BASE_URL: baseUrl }))).toEqual([
      {
        variable: "OPENAI_API_KEY",
        message: `is required for ${host}; set your provider's API key, or point OPENAI_BASE_URL at a local server such as http://localhost:11434/v1 (Ollama)`,
      },
    ]);
  });

  it("requires OPENAI_API_KEY when no base URL is set (OpenAI is the default)", () => {
    expect(problemsOf(() => loadCoreConfig({})).map((p) => p.variable)).toEqual(["OPENAI_API_KEY"]);
  });

  it.each([
    "http://localhost:11434/v1",
    "http://127.0.0.1:8080/v1",
    "http://[::1]:8080/v1",
    "http://192.168.1.20:11434/v1",
    "http://10.0.0.5/v1",
    "http://172.16.0.3:8000/v1",
    "http://ollama:11434/v1",
    "http://gpu-box.local:8000/v1",
  ])("does not need OPENAI_API_KEY for the local server %s", (baseUrl) => {
    const config = loadCoreConfig({ OPENAI_BASE_URL: baseUrl });
    expect(config.openaiBaseUrl).toBe(baseUrl);
    expect(config.openaiApiKey).toBeUndefined();
  });

  it("reports a missing API key together with the other problems", () => {
    expect(problemsOf(() => loadCoreConfig({ LOG_LEVEL: "loud" })).map((p) => p.variable)).toEqual([
      "LOG_LEVEL",
      "OPENAI_API_KEY",
    ]);
  });
});

describe("loadBotConfig", () => {
  it("requires DISCORD_TOKEN and points to the README section that explains it", () => {
    expect(problemsOf(() => loadBotConfig({ OPENAI_API_KEY: API_KEY }))).toEqual([
      {
        variable: "DISCORD_TOKEN",
        message: "is required: create a bot and copy its token (see README.md#create-the-discord-application)",
      },
    ]);
  });

  it("reports core and Discord problems together", () => {
    expect(
      problemsOf(() => loadBotConfig({ CONTEXT_TOKENS: "abc", DISCORD_TOKEN: " " })).map((p) => p.variable),
    ).toEqual(["CONTEXT_TOKENS", "OPENAI_API_KEY", "DISCORD_TOKEN"]);
  });

  it("uses the Discord defaults when only the token is set", () => {
    expect(loadBotConfig({ OPENAI_API_KEY: API_KEY, DISCORD_TOKEN: ` ${DISCORD_TOKEN} ` })).toEqual({
      ...loadCoreConfig({ OPENAI_API_KEY: API_KEY }),
      discordToken: DISCORD_TOKEN,
      discordApiUrl: undefined,
      allowDms: true,
      adminRoleIds: [],
      devGuildId: undefined,
      autoDeployCommands: false,
      personaWebhooks: false,
      shards: undefined,
      shardList: undefined,
      shardSpawnDelayMs: 5500,
      reshard: "off",
      metricsPort: undefined,
      metricsHost: "127.0.0.1",
      llmMaxConcurrency: 4,
      llmQueueLimit: 20,
      moderation: "off",
      moderationModel: "omni-moderation-latest",
      maxReplyMessages: 4,
    });
  });

  it("reads every Discord variable", () => {
    const config = loadBotConfig({
      OPENAI_API_KEY: API_KEY,
      DISCORD_TOKEN,
      DISCORD_API_URL: "http://127.0.0.1:8080/api",
      ALLOW_DMS: "no",
      ADMIN_ROLE_IDS: ROLE_A,
      DEV_GUILD_ID: "333333333333333333",
      AUTO_DEPLOY_COMMANDS: "YES",
      MAX_REPLY_MESSAGES: "2",
    });
    expect(config.maxReplyMessages).toBe(2);
    expect(config.discordApiUrl).toBe("http://127.0.0.1:8080/api");
    expect(config.allowDms).toBe(false);
    expect(config.adminRoleIds).toEqual([ROLE_A]);
    expect(config.devGuildId).toBe("333333333333333333");
    expect(config.autoDeployCommands).toBe(true);
  });

  it("splits ADMIN_ROLE_IDS on commas, trimming spaces and skipping empty entries", () => {
    const config = loadBotConfig({
      OPENAI_API_KEY: API_KEY,
      DISCORD_TOKEN,
      ADMIN_ROLE_IDS: ` ${ROLE_A} ,${ROLE_B},, `,
    });
    expect(config.adminRoleIds).toEqual([ROLE_A, ROLE_B]);
  });

  it.each([`${ROLE_A},admins`, "12345", `${ROLE_A};${ROLE_B}`])("rejects ADMIN_ROLE_IDS=%s", (value) => {
    expect(problemsOf(() => loadBotConfig({ OPENAI_API_KEY: API_KEY, DISCORD_TOKEN, ADMIN_ROLE_IDS: value }))).toEqual([
      {
        variable: "ADMIN_ROLE_IDS",
        message: "must be a comma-separated list of role ids (Developer Mode → right-click the role → Copy Role ID)",
      },
    ]);
  });

  it.each([
    ["ALLOW_DMS", "maybe"],
    ["AUTO_DEPLOY_COMMANDS", "2"],
    ["DEV_GUILD_ID", "my-server"],
    ["DISCORD_API_URL", "notaurl"],
    ["MAX_REPLY_MESSAGES", "0"],
  ])("rejects %s=%s", (variable, value) => {
    const problems = problemsOf(() => loadBotConfig({ OPENAI_API_KEY: API_KEY, DISCORD_TOKEN, [variable]: value }));
    expect(problems.map((p) => p.variable)).toEqual([variable]);
  });
});

describe("loadDiscordConfig", () => {
  it("reads the Discord settings without needing the model's", () => {
    expect(loadDiscordConfig({ DISCORD_TOKEN, DEV_GUILD_ID: "333333333333333333", CONTEXT_TOKENS: "abc" })).toEqual({
      discordToken: DISCORD_TOKEN,
      discordApiUrl: undefined,
      allowDms: true,
      adminRoleIds: [],
      devGuildId: "333333333333333333",
      autoDeployCommands: false,
      personaWebhooks: false,
      shards: undefined,
      shardList: undefined,
      shardSpawnDelayMs: 5500,
      reshard: "off",
      metricsPort: undefined,
      metricsHost: "127.0.0.1",
      llmMaxConcurrency: 4,
      llmQueueLimit: 20,
      moderation: "off",
      moderationModel: "omni-moderation-latest",
      maxReplyMessages: 4,
    });
  });

  it("reads the sharding and metrics settings", () => {
    const config = loadDiscordConfig({
      DISCORD_TOKEN,
      SHARDS: "auto",
      SHARD_LIST: "0, 2",
      SHARD_SPAWN_DELAY_MS: "0",
      METRICS_PORT: "9464",
      METRICS_HOST: "0.0.0.0",
    });
    expect([config.shards, config.shardList, config.shardSpawnDelayMs, config.metricsPort, config.metricsHost]).toEqual(
      ["auto", [0, 2], 0, 9464, "0.0.0.0"],
    );
    expect(loadDiscordConfig({ DISCORD_TOKEN, SHARDS: "4" }).shards).toBe(4);
    expect(loadDiscordConfig({ DISCORD_TOKEN, RESHARD: "auto" }).reshard).toBe("auto");
  });

  it("rejects bad sharding and metrics values, naming each", () => {
    expect(
      problemsOf(() =>
        loadDiscordConfig({ DISCORD_TOKEN, SHARDS: "0", SHARD_LIST: "a,b", RESHARD: "yes", METRICS_PORT: "70000" }),
      ).map((p) => p.variable),
    ).toEqual(["SHARDS", "SHARD_LIST", "RESHARD", "METRICS_PORT"]);
  });

  it("ignores SHARDS inside a shard process, where discord.js sets it to the shard id", () => {
    expect(loadDiscordConfig({ DISCORD_TOKEN, SHARDING_MANAGER: "true", SHARDS: "[1]" }).shards).toBeUndefined();
  });

  it("requires DISCORD_TOKEN", () => {
    expect(problemsOf(() => loadDiscordConfig({})).map((p) => p.variable)).toEqual(["DISCORD_TOKEN"]);
  });
});

describe("DISCORD_SETUP_DOC", () => {
  it("points at a section of the README that exists", () => {
    const [file, anchor] = DISCORD_SETUP_DOC.split("#");
    const headings = readFileSync(path.join(REPO_ROOT, file!), "utf8")
      .split("\n")
      .filter((line) => line.startsWith("#"))
      .map((line) =>
        line
          .replace(/^#+\s*/, "")
          .toLowerCase()
          .replace(/[^\w\- ]/g, "")
          .replace(/ /g, "-"),
      );
    expect(headings).toContain(anchor);
  });
});

describe("ensureDatabaseFolder", () => {
  it("creates the missing folders above the database file", () => {
    const dir = tempDirForTest();
    ensureDatabaseFolder(path.join(dir, "data", "nested", "masque.db"));
    expect(existsSync(path.join(dir, "data", "nested"))).toBe(true);
    expect(existsSync(path.join(dir, "data", "nested", "masque.db"))).toBe(false);
  });
});
