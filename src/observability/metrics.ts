import { createRequire } from "node:module";
import type PromClient from "prom-client";
import type { ReplyStatus } from "../chat/generate.js";

/** Model latency buckets (seconds): local models answer in tens of ms, big ones in tens of seconds. */
const LATENCY_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 20, 40, 80];

/** One finished model reply, reported for metrics. */
export interface ReplyObservation {
  readonly persona: string;
  readonly status: ReplyStatus;
  readonly promptTokens: number;
  readonly replyTokens: number;
  /** Prompt tokens the provider served from its prefix cache, as it reported them (0 when it did not). */
  readonly cachedTokens: number;
  /** From sending the request to the first piece of text; undefined when none came. */
  readonly firstTokenMs: number | undefined;
  readonly totalMs: number;
  /** The error's class name when it failed (ModelTimeoutError, ...). */
  readonly errorKind: string | undefined;
}

/**
 * What the bot counts: messages seen, replies, model latency and time to first token,
 * tokens in and out per persona, errors by kind, Discord rate-limit hits and queue depth.
 */
export interface Metrics {
  messageSeen(where: "guild" | "dm"): void;
  error(kind: string): void;
  /** `wait` / `global_wait`: held back for an empty bucket; `429`: Discord refused. */
  rateLimit(kind: "wait" | "global_wait" | "429"): void;
  observeReply(reply: ReplyObservation): void;
  /** Where the queue depth is read from at each scrape. */
  setQueueDepth(read: () => number): void;
  /** The Prometheus text exposition, or undefined when metrics are off. */
  render(): Promise<{ contentType: string; body: string } | undefined>;
}

/** Metrics switched off (no METRICS_PORT): nothing is counted and prom-client is never loaded. */
export const noMetrics: Metrics = {
  messageSeen() {},
  error() {},
  rateLimit() {},
  observeReply() {},
  setQueueDepth() {},
  render: async () => undefined,
};

/** Prometheus metrics via prom-client (loaded only when metrics are on), plus Node's process metrics. */
export function createPrometheusMetrics(): Metrics {
  const require = createRequire(import.meta.url);
  const { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } = require("prom-client") as typeof PromClient;
  const registry = new Registry();
  const { messagesSeen, replies, modelLatency, firstToken, tokens, errors, rateLimits } = createMeters(
    { Counter, Histogram },
    registry,
  );
  let depth: () => number = () => 0;
  new Gauge({
    name: "masque_queue_depth",
    help: "Messages waiting for a reply",
    registers: [registry],
    collect() {
      this.set(depth());
    },
  });
  collectDefaultMetrics({ register: registry, prefix: "masque_" });

  return {
    messageSeen: (where) => messagesSeen.inc({ where }),
    error: (kind) => errors.inc({ kind }),
    rateLimit: (kind) => rateLimits.inc({ kind }),
    observeReply(reply) {
      replies.inc({ persona: reply.persona, status: reply.status });
      tokens.inc({ persona: reply.persona, direction: "in" }, reply.promptTokens);
      tokens.inc({ persona: reply.persona, direction: "out" }, reply.replyTokens);
      tokens.inc({ persona: reply.persona, direction: "cached" }, reply.cachedTokens);
      modelLatency.observe({ persona: reply.persona }, reply.totalMs / 1000);
      if (reply.firstTokenMs !== undefined) firstToken.observe({ persona: reply.persona }, reply.firstTokenMs / 1000);
      if (reply.errorKind) errors.inc({ kind: reply.errorKind });
    },
    setQueueDepth(read) {
      depth = read;
    },
    render: async () => ({ contentType: registry.contentType, body: await registry.metrics() }),
  };
}

/** Masque's own counters and histograms, registered in `registry`. */
function createMeters(prom: Pick<typeof PromClient, "Counter" | "Histogram">, registry: PromClient.Registry) {
  const { Counter, Histogram } = prom;
  const registers = [registry];
  const messagesSeen = new Counter({
    name: "masque_messages_seen_total",
    help: "Messages the bot saw, by where",
    labelNames: ["where"] as const,
    registers,
  });
  const replies = new Counter({
    name: "masque_replies_total",
    help: "Model replies, by persona and outcome",
    labelNames: ["persona", "status"] as const,
    registers,
  });
  const modelLatency = new Histogram({
    name: "masque_model_latency_seconds",
    help: "Whole model reply time",
    labelNames: ["persona"] as const,
    buckets: LATENCY_BUCKETS,
    registers,
  });
  const firstToken = new Histogram({
    name: "masque_model_time_to_first_token_seconds",
    help: "Time from request to first text",
    labelNames: ["persona"] as const,
    buckets: LATENCY_BUCKETS,
    registers,
  });
  const tokens = new Counter({
    name: "masque_tokens_total",
    help: "Tokens sent to (in) and received from (out) the model, and the prompt tokens the provider served from its cache (cached), by persona",
    labelNames: ["persona", "direction"] as const,
    registers,
  });
  const errors = new Counter({
    name: "masque_errors_total",
    help: "Errors, by kind",
    labelNames: ["kind"] as const,
    registers,
  });
  const rateLimits = new Counter({
    name: "masque_discord_rate_limits_total",
    help: "Discord rate limits: waits for an empty bucket (wait, global_wait) and 429 answers",
    labelNames: ["kind"] as const,
    registers,
  });
  return { messagesSeen, replies, modelLatency, firstToken, tokens, errors, rateLimits };
}
