/**
 * The environment variables Masque reads, each with its default and the fix its error
 * names; config.ts parses them. In a file of their own so config.ts stays under 300 lines.
 */
import { z } from "zod";
import { boolean, emptyAsUndefined, integer, optionalInteger, optionalText, text, url } from "./config-fields.js";
import { PERSONA_ID } from "./personas/parse.js";

/** Where the README explains how to create the Discord application and get a token. */
export const DISCORD_SETUP_DOC = "README.md#create-the-discord-application";

const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;
const MODERATION_MODES = ["off", "openai"] as const;
const SNOWFLAKE = /^\d{17,20}$/;
const MIN_CONTEXT_TOKENS = 512;
/** CONTEXT_TOKENS when unset; `npm run personas -- check` sizes personas against it too. */
export const DEFAULT_CONTEXT_TOKENS = 8000;
/** OPENAI_BASE_URL when unset. */
export const DEFAULT_BASE_URL = "https://api.openai.com/v1";

/** The settings every entry point reads, by environment variable. */
export const coreSchema = z.object({
  OPENAI_BASE_URL: z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .default(DEFAULT_BASE_URL)
      .refine(
        (v) => URL.canParse(v) && /^https?:$/.test(new URL(v).protocol),
        "must be an http(s) URL such as http://localhost:11434/v1",
      ),
  ),
  /** Undefined when the endpoint is local and needs no key. */
  OPENAI_API_KEY: optionalText,
  DEFAULT_MODEL: text("gpt-4o-mini"),
  DEFAULT_PERSONA: text("assistant").refine(
    (v) => PERSONA_ID.test(v),
    "must be a persona id: the file name in personas/ without .md (lowercase letters, digits, - or _)",
  ),
  PERSONAS_DIR: text("personas"),
  DATABASE_PATH: text("data/masque.db"),
  CONTEXT_TOKENS: integer(
    "it is the model's context window you want to use, e.g. 8000",
    MIN_CONTEXT_TOKENS,
    DEFAULT_CONTEXT_TOKENS,
  ),
  /** Turns (and summaries built from them) older than this many days are deleted; undefined keeps everything. */
  MEMORY_RETENTION_DAYS: optionalInteger(
    "e.g. 90 deletes what was said more than 90 days ago; leave it empty to keep everything",
    1,
  ),
  /** Recall by meaning: the embedding model every stored turn gets a vector from; undefined: recall by words alone. */
  EMBEDDING_MODEL: optionalText,
  /** The OpenAI-compatible server of EMBEDDING_MODEL; undefined: OPENAI_BASE_URL. */
  EMBEDDING_BASE_URL: url("http://localhost:11434/v1 (Ollama), or empty to use OPENAI_BASE_URL"),
  /** The key for EMBEDDING_BASE_URL; undefined: OPENAI_API_KEY. */
  EMBEDDING_API_KEY: optionalText,
  MODEL_TIMEOUT_MS: integer("e.g. 60000 for one minute", 1, 60_000),
  MODEL_MAX_RETRIES: integer("e.g. 1", 0, 1),
  /** A reply is cut off this long after it was asked for, however much is still coming. */
  MODEL_REPLY_DEADLINE_MS: integer("e.g. 120000: a reply is cut off two minutes after it was asked for", 1, 120_000),
  /** Personas a channel's cast may hold beside its lead (`/persona add`); 0 turns casts off. */
  MAX_CAST: integer("e.g. 5: at most five personas answer in a channel beside its lead (0: no casts)", 0, 5),
  /** People notes kept per person per server (`/masque notes on`); the newest win. */
  PERSON_NOTES_MAX: integer("e.g. 12: at most twelve notes about each person in each server", 1, 12),
  /** DEFAULT_MODEL can see images. */
  MODEL_VISION: boolean(false),
  LOG_LEVEL: z.preprocess(
    (v) => (typeof emptyAsUndefined(v) === "string" ? String(v).trim().toLowerCase() : undefined),
    z.enum(LOG_LEVELS, { error: `must be one of ${LOG_LEVELS.join(", ")}` }).default("info"),
  ),
});

/** The settings only the Discord bot reads, by environment variable. */
export const discordSchema = z.object({
  DISCORD_TOKEN: z.preprocess(
    emptyAsUndefined,
    z.string({ error: `is required: create a bot and copy its token (see ${DISCORD_SETUP_DOC})` }).trim(),
  ),
  DISCORD_API_URL: url("http://127.0.0.1:8080/api"),
  ALLOW_DMS: boolean(true),
  ADMIN_ROLE_IDS: z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .default("")
      .transform((v) =>
        v
          .split(",")
          .map((id) => id.trim())
          .filter(Boolean),
      )
      .refine(
        (ids) => ids.every((id) => SNOWFLAKE.test(id)),
        "must be a comma-separated list of role ids (Developer Mode → right-click the role → Copy Role ID)",
      ),
  ),
  DEV_GUILD_ID: z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .trim()
      .optional()
      .refine(
        (v) => v === undefined || SNOWFLAKE.test(v),
        "must be a server id (Developer Mode → right-click the server → Copy Server ID)",
      ),
  ),
  AUTO_DEPLOY_COMMANDS: boolean(false),
  /** Post replies through a channel webhook under the persona's name and avatar. */
  PERSONA_WEBHOOKS: boolean(false),
  /** Run under discord.js's ShardingManager: "auto" or a shard count; undefined runs one process. */
  SHARDS: z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .trim()
      .optional()
      .refine(
        (v) => v === undefined || v === "auto" || (/^\d+$/.test(v) && Number(v) >= 1),
        "must be auto or a whole number of shards (1 or more)",
      )
      .transform((v) => (v === undefined || v === "auto" ? v : Number(v))),
  ),
  /** The shards this machine runs (of SHARDS); undefined for all of them. */
  SHARD_LIST: z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .optional()
      .transform((v) =>
        v
          ?.split(",")
          .map((id) => id.trim())
          .filter(Boolean),
      )
      .refine(
        (ids) => ids === undefined || ids.every((id) => /^\d+$/.test(id)),
        "must be a comma-separated list of shard ids, e.g. 0,1",
      )
      .transform((ids) => ids?.map(Number)),
  ),
  SHARD_SPAWN_DELAY_MS: integer("Discord needs about 5500 ms between shard logins", 0, 5500),
  /** auto: memory laid out for another shard count is moved before starting, instead of refusing to start. */
  RESHARD: z.preprocess(
    emptyAsUndefined,
    z
      .enum(["auto", "off"], { message: "must be auto (move memory to a changed shard layout before starting) or off" })
      .default("off"),
  ),
  /** Serve /metrics and /healthz on this port (a shard adds its id); undefined serves nothing. */
  METRICS_PORT: z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .optional()
      .refine(
        (v) => v === undefined || (/^\d+$/.test(v.trim()) && Number(v) <= 65535),
        "must be a port number from 1 to 65535 (0 picks a free one), or empty to serve no metrics",
      )
      .transform((v) => (v === undefined ? undefined : Number(v))),
  ),
  METRICS_HOST: text("127.0.0.1"),
  /** Model calls running at once, across all servers. */
  LLM_MAX_CONCURRENCY: integer("e.g. 4; it is how many replies are written at the same time", 1, 4),
  /** Replies that may wait for a free slot; more are refused with a "busy" notice. */
  LLM_QUEUE_LIMIT: integer("e.g. 20; beyond it people are told the bot is busy (0: nobody waits)", 0, 20),
  /** Content checks by the provider's moderation endpoint, for servers that did not choose. */
  MODERATION: z.preprocess(
    (v) => (typeof emptyAsUndefined(v) === "string" ? String(v).trim().toLowerCase() : undefined),
    z.enum(MODERATION_MODES, { error: `must be one of ${MODERATION_MODES.join(", ")}` }).default("off"),
  ),
  MODERATION_MODEL: text("omni-moderation-latest"),
  /** Discord messages one reply may fill; the rest is cut with a note. */
  MAX_REPLY_MESSAGES: integer("e.g. 4: a longer reply is cut with a note", 1, 4),
});
