import { mkdirSync } from "node:fs";
import { isIP } from "node:net";
import path from "node:path";
import type { z } from "zod";
import { coreSchema, DEFAULT_BASE_URL, discordSchema } from "./config-schema.js";

/** Where the README explains how to create the Discord application, and CONTEXT_TOKENS when unset: read from here. */
export { DEFAULT_CONTEXT_TOKENS, DISCORD_SETUP_DOC } from "./config-schema.js";

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

/** The studio's (read by src/studio/config.ts, which imports this file). */
const STUDIO_VARIABLES = ["STUDIO_PORT", "STUDIO_HOST", "STUDIO_PUBLIC_URL"];

/** Every environment variable Masque reads: the schemas', LOG_FORMAT (read by the logger) and the studio's. */
export const KNOWN_VARIABLES: readonly string[] = [
  ...Object.keys(coreSchema.shape),
  ...Object.keys(discordSchema.shape),
  "LOG_FORMAT",
  ...STUDIO_VARIABLES,
];

/** `OPENAI_BASE_URL` → `openaiBaseUrl`: each setting is named once, as its variable, and the config's field follows. */
type CamelCase<S extends string> = S extends `${infer Head}_${infer Tail}`
  ? `${Lowercase<Head>}${Capitalize<CamelCase<Tail>>}`
  : Lowercase<S>;
type CamelKeys<T> = { readonly [K in keyof T as CamelCase<K & string>]: T[K] };

function camelCase(variable: string): string {
  return variable.toLowerCase().replace(/_([a-z0-9])/g, (_, letter: string) => letter.toUpperCase());
}

/** The parsed values under their config names; the type is the schema's, renamed the same way. */
function camelKeys<T extends Record<string, unknown>>(values: T): CamelKeys<T> {
  return Object.fromEntries(
    Object.entries(values).map(([variable, value]) => [camelCase(variable), value]),
  ) as CamelKeys<T>;
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
  if (
    !env.EMBEDDING_MODEL?.trim() ||
    env.EMBEDDING_API_KEY?.trim() ||
    env.OPENAI_API_KEY?.trim() ||
    !URL.canParse(baseUrl)
  )
    return [];
  const { host, hostname } = new URL(baseUrl);
  return isLocalHost(hostname)
    ? []
    : [
        {
          variable: "EMBEDDING_API_KEY",
          message: `is required for ${host} (EMBEDDING_MODEL is set); set that server's key here or in OPENAI_API_KEY`,
        },
      ];
}

function parseCore(env: Env): { config?: CoreConfig; problems: ConfigProblem[] } {
  const parsed = coreSchema.safeParse(env);
  const problems = [
    ...(parsed.success ? [] : problemsOf(parsed.error)),
    ...missingApiKey(env),
    ...missingEmbeddingKey(env),
  ];
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
