import { mkdirSync } from "node:fs";
import { isIP } from "node:net";
import path from "node:path";
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
const DEFAULT_BASE_URL = "https://api.openai.com/v1";

/** One bad or missing environment variable, and how to fix it. */
export interface ConfigProblem {
  readonly variable: string;
  readonly message: string;
}

/** Thrown when the environment cannot be turned into a config; lists every problem at once. */
export class ConfigError extends Error {
  constructor(readonly problems: readonly ConfigProblem[]) {
    super(
      `Invalid configuration:\n${problems.map((p) => `  - ${p.variable}: ${p.message}`).join("\n")}\n` +
        "Fix the values in your .env file (see .env.example) or the environment, then start again.",
    );
    this.name = "ConfigError";
  }
}

const coreSchema = z.object({
  OPENAI_BASE_URL: z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .default(DEFAULT_BASE_URL)
      .refine((v) => URL.canParse(v) && /^https?:$/.test(new URL(v).protocol), "must be an http(s) URL such as http://localhost:11434/v1"),
  ),
  /** Undefined when the endpoint is local and needs no key. */
  OPENAI_API_KEY: optionalText,
  DEFAULT_MODEL: text("gpt-4o-mini"),
  DEFAULT_PERSONA: text("assistant").refine((v) => PERSONA_ID.test(v), "must be a persona id: the file name in personas/ without .md (lowercase letters, digits, - or _)"),
  PERSONAS_DIR: text("personas"),
  DATABASE_PATH: text("data/masque.db"),
  CONTEXT_TOKENS: integer("it is the model's context window you want to use, e.g. 8000", MIN_CONTEXT_TOKENS, DEFAULT_CONTEXT_TOKENS),
  /** Turns (and summaries built from them) older than this many days are deleted; undefined keeps everything. */
  MEMORY_RETENTION_DAYS: optionalInteger("e.g. 90 deletes what was said more than 90 days ago; leave it empty to keep everything", 1),
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

const discordSchema = z.object({
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
      .transform((v) => v.split(",").map((id) => id.trim()).filter(Boolean))
      .refine((ids) => ids.every((id) => SNOWFLAKE.test(id)), "must be a comma-separated list of role ids (Developer Mode → right-click the role → Copy Role ID)"),
  ),
  DEV_GUILD_ID: z.preprocess(
    emptyAsUndefined,
    z.string().trim().optional().refine((v) => v === undefined || SNOWFLAKE.test(v), "must be a server id (Developer Mode → right-click the server → Copy Server ID)"),
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
      .refine((v) => v === undefined || v === "auto" || (/^\d+$/.test(v) && Number(v) >= 1), "must be auto or a whole number of shards (1 or more)")
      .transform((v) => (v === undefined || v === "auto" ? v : Number(v))),
  ),
  /** The shards this machine runs (of SHARDS); undefined for all of them. */
  SHARD_LIST: z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .optional()
      .transform((v) => v?.split(",").map((id) => id.trim()).filter(Boolean))
      .refine((ids) => ids === undefined || ids.every((id) => /^\d+$/.test(id)), "must be a comma-separated list of shard ids, e.g. 0,1")
      .transform((ids) => ids?.map(Number)),
  ),
  SHARD_SPAWN_DELAY_MS: integer("Discord needs about 5500 ms between shard logins", 0, 5500),
  /** auto: memory laid out for another shard count is moved before starting, instead of refusing to start. */
  RESHARD: z.preprocess(
    emptyAsUndefined,
    z.enum(["auto", "off"], { message: "must be auto (move memory to a changed shard layout before starting) or off" }).default("off"),
  ),
  /** Serve /metrics and /healthz on this port (a shard adds its id); undefined serves nothing. */
  METRICS_PORT: z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .optional()
      .refine((v) => v === undefined || (/^\d+$/.test(v.trim()) && Number(v) <= 65535), "must be a port number from 1 to 65535 (0 picks a free one), or empty to serve no metrics")
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

/** Every environment variable Masque reads: the schemas' and LOG_FORMAT (read by the logger). */
export const KNOWN_VARIABLES: readonly string[] = [...Object.keys(coreSchema.shape), ...Object.keys(discordSchema.shape), "LOG_FORMAT"];

/** `OPENAI_BASE_URL` → `openaiBaseUrl`: each setting is named once, as its variable, and the config's field follows. */
type CamelCase<S extends string> = S extends `${infer Head}_${infer Tail}` ? `${Lowercase<Head>}${Capitalize<CamelCase<Tail>>}` : Lowercase<S>;
type CamelKeys<T> = { readonly [K in keyof T as CamelCase<K & string>]: T[K] };

function camelCase(variable: string): string {
  return variable.toLowerCase().replace(/_([a-z0-9])/g, (_, letter: string) => letter.toUpperCase());
}

/** The parsed values under their config names; the type is the schema's, renamed the same way. */
function camelKeys<T extends Record<string, unknown>>(values: T): CamelKeys<T> {
  return Object.fromEntries(Object.entries(values).map(([variable, value]) => [camelCase(variable), value])) as CamelKeys<T>;
}

/** Settings every entry point needs: the model, personas, memory and logging (see coreSchema). */
export type CoreConfig = CamelKeys<z.output<typeof coreSchema>>;

/** Settings the Discord bot needs on top of the core ones (see discordSchema). */
export type DiscordConfig = CamelKeys<z.output<typeof discordSchema>>;

export type BotConfig = CoreConfig & DiscordConfig;

type Env = Record<string, string | undefined>;

/** True for hosts that are this machine or a private network, where servers like Ollama need no key. */
export function isLocalHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, "").toLowerCase();
  if (isIP(host) === 4) return /^(127\.|10\.|192\.168\.|172\.(1[6-9]|2\d|3[01])\.)/.test(host);
  if (isIP(host) === 6) return host === "::1" || /^f[cd]/.test(host);
  return host === "localhost" || host.endsWith(".local") || host.endsWith(".internal") || !host.includes(".");
}

function problemsOf(error: z.ZodError): ConfigProblem[] {
  return error.issues.map((issue) => ({
    variable: String(issue.path[0] ?? "environment"),
    message: issue.message,
  }));
}

function missingApiKey(env: Env): ConfigProblem[] {
  const baseUrl = env.OPENAI_BASE_URL?.trim() || DEFAULT_BASE_URL;
  if (env.OPENAI_API_KEY?.trim() || !URL.canParse(baseUrl)) return [];
  const { host, hostname } = new URL(baseUrl);
  if (isLocalHost(hostname)) return [];
  return [
    {
      variable: "OPENAI_API_KEY",
      message: `is required for ${host}; set your provider's API key, or point OPENAI_BASE_URL at a local server such as http://localhost:11434/v1 (Ollama)`,
    },
  ];
}

/** An EMBEDDING_BASE_URL on another machine needs a key, its own or OPENAI_API_KEY (without it, missingApiKey checks OPENAI_BASE_URL's). */
function missingEmbeddingKey(env: Env): ConfigProblem[] {
  const baseUrl = env.EMBEDDING_BASE_URL?.trim() ?? "";
  if (!env.EMBEDDING_MODEL?.trim() || env.EMBEDDING_API_KEY?.trim() || env.OPENAI_API_KEY?.trim() || !URL.canParse(baseUrl)) return [];
  const { host, hostname } = new URL(baseUrl);
  return isLocalHost(hostname) ? [] : [{ variable: "EMBEDDING_API_KEY", message: `is required for ${host} (EMBEDDING_MODEL is set); set that server's key here or in OPENAI_API_KEY` }];
}

function parseCore(env: Env): { config?: CoreConfig; problems: ConfigProblem[] } {
  const parsed = coreSchema.safeParse(env);
  const problems = [...(parsed.success ? [] : problemsOf(parsed.error)), ...missingApiKey(env), ...missingEmbeddingKey(env)];
  if (!parsed.success) return { problems };
  const config = camelKeys(parsed.data);
  return { config, problems };
}

/** Parses the core settings; throws ConfigError naming every bad variable. */
export function loadCoreConfig(env: Env = process.env): CoreConfig {
  const { config, problems } = parseCore(env);
  if (problems.length > 0 || !config) throw new ConfigError(problems);
  return config;
}

function parseDiscord(env: Env): { config?: DiscordConfig; problems: ConfigProblem[] } {
  // Inside a shard process discord.js itself sets SHARDS (the shard id); it is not ours to read there.
  const parsed = discordSchema.safeParse(env.SHARDING_MANAGER === "true" ? { ...env, SHARDS: undefined } : env);
  if (!parsed.success) return { problems: problemsOf(parsed.error) };
  return { problems: [], config: camelKeys(parsed.data) };
}

/** Parses only the Discord settings (for registering commands). */
export function loadDiscordConfig(env: Env = process.env): DiscordConfig {
  const { config, problems } = parseDiscord(env);
  if (problems.length > 0 || !config) throw new ConfigError(problems);
  return config;
}

/** Parses the core and Discord settings together, so every problem is reported at once. */
export function loadBotConfig(env: Env = process.env): BotConfig {
  const core = parseCore(env);
  const discord = parseDiscord(env);
  const problems = [...core.problems, ...discord.problems];
  if (problems.length > 0 || !core.config || !discord.config) throw new ConfigError(problems);
  return { ...core.config, ...discord.config };
}

/** Creates the folder that will hold the database file, if it is missing. */
export function ensureDatabaseFolder(databasePath: string): void {
  if (databasePath === ":memory:") return;
  mkdirSync(path.dirname(path.resolve(databasePath)), { recursive: true });
}
