import { createRequire } from "node:module";
import { type DestinationStream, pino, type Logger } from "pino";
import type PinoPretty from "pino-pretty";

/** pino-pretty is loaded only for a terminal; JSON logging (servers) never pays for it. */
const require = createRequire(import.meta.url);

export type { Logger };

/**
 * Paths whose values are replaced before a line is written, so a token or key that
 * ends up in a logged object never reaches the log.
 */
const REDACTED_PATHS = [
  "token",
  "*.token",
  "apiKey",
  "*.apiKey",
  "authorization",
  "*.authorization",
  "headers.authorization",
  "*.headers.authorization",
  "discordToken",
  "openaiApiKey",
  "config.discordToken",
  "config.openaiApiKey",
];

/** Webhook and interaction tokens sit in Discord URLs, which request errors carry in `url`. */
const URL_TOKEN = /(\/(?:webhooks|interactions)\/\d+\/)[^/?]+/g;

/** pino's error serializer, with the tokens in a failed request's URL replaced. */
function serializeError(error: unknown): unknown {
  const serialized = pino.stdSerializers.err(error as Error) as unknown;
  if (
    typeof serialized === "object" &&
    serialized !== null &&
    "url" in serialized &&
    typeof serialized.url === "string"
  ) {
    serialized.url = serialized.url.replace(URL_TOKEN, "$1[redacted]");
  }
  return serialized;
}

/**
 * Creates the process logger: JSON lines (one object per line) when stdout is not a
 * terminal, colourised single lines when it is. `LOG_FORMAT=json|pretty` overrides.
 * Logs go to stderr when `toStderr` is set (the terminal chat keeps stdout for the
 * conversation). `stream` sends JSON lines to a stream of the caller's (tests read it).
 */
export function createLogger(level: string, options: { toStderr?: boolean; stream?: DestinationStream } = {}): Logger {
  const base = { level, redact: { paths: REDACTED_PATHS, censor: "[redacted]" }, serializers: { err: serializeError } };
  if (options.stream) return pino(base, options.stream);
  const fd = options.toStderr ? 2 : 1;
  const stream = options.toStderr ? process.stderr : process.stdout;
  const format = process.env.LOG_FORMAT ?? (stream.isTTY ? "pretty" : "json");
  if (format === "pretty") {
    const pretty = require("pino-pretty") as typeof PinoPretty;
    return pino(base, pretty({ destination: fd, sync: true, colorize: stream.isTTY, ignore: "pid,hostname" }));
  }
  return pino(base, pino.destination({ fd, sync: true }));
}

/** A logger that writes nothing; for tests and tools that do not want log output. */
export const silentLogger: Logger = pino({ level: "silent" });
