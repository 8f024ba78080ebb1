import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import type { ReplyObservation } from "../chat/engine.js";

/** Model latency buckets (seconds): local models answer in tens of ms, big ones in tens of seconds. */
const LATENCY_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 20, 40, 80];


/**
 * The bot's Prometheus metrics (prom-client): messages seen, replies, model latency and
 * time to first token, tokens in and out per persona, errors by kind, Discord rate-limit
 * hits and queue depth, plus Node's process metrics. One registry per process.
 */
export class Metrics {
  readonly registry = new Registry();
  readonly messagesSeen = new Counter({ name: "masque_messages_seen_total", help: "Messages the bot saw, by where", labelNames: ["where"] as const, registers: [this.registry] });
  readonly replies = new Counter({ name: "masque_replies_total", help: "Model replies, by persona and outcome", labelNames: ["persona", "status"] as const, registers: [this.registry] });
  readonly modelLatency = new Histogram({ name: "masque_model_latency_seconds", help: "Whole model reply time", labelNames: ["persona"] as const, buckets: LATENCY_BUCKETS, registers: [this.registry] });
  readonly timeToFirstToken = new Histogram({ name: "masque_model_time_to_first_token_seconds", help: "Time from request to first text", labelNames: ["persona"] as const, buckets: LATENCY_BUCKETS, registers: [this.registry] });
  readonly tokens = new Counter({ name: "masque_tokens_total", help: "Tokens sent to (in) and received from (out) the model, by persona", labelNames: ["persona", "direction"] as const, registers: [this.registry] });
  readonly errors = new Counter({ name: "masque_errors_total", help: "Errors, by kind", labelNames: ["kind"] as const, registers: [this.registry] });
  readonly rateLimits = new Counter({ name: "masque_discord_rate_limits_total", help: "Discord rate limits: waits for an empty bucket (wait, global_wait) and 429 answers", labelNames: ["kind"] as const, registers: [this.registry] });
  #depth: () => number = () => 0;

  constructor() {
    const depth = () => this.#depth();
    new Gauge({
      name: "masque_queue_depth",
      help: "Messages waiting for a reply",
      registers: [this.registry],
      collect() {
        this.set(depth());
      },
    });
    collectDefaultMetrics({ register: this.registry, prefix: "masque_" });
  }

  /** Where the queue depth is read from at each scrape. */
  setQueueDepth(read: () => number): void {
    this.#depth = read;
  }

  observeReply(reply: ReplyObservation): void {
    this.replies.inc({ persona: reply.persona, status: reply.status });
    this.tokens.inc({ persona: reply.persona, direction: "in" }, reply.promptTokens);
    this.tokens.inc({ persona: reply.persona, direction: "out" }, reply.replyTokens);
    this.modelLatency.observe({ persona: reply.persona }, reply.totalMs / 1000);
    if (reply.firstTokenMs !== undefined) this.timeToFirstToken.observe({ persona: reply.persona }, reply.firstTokenMs / 1000);
    if (reply.errorKind) this.errors.inc({ kind: reply.errorKind });
  }
}
