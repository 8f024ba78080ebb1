import { type Client, Events } from "discord.js";
import type { Logger } from "../../log.js";
import type { Metrics } from "../../observability/metrics.js";

/** Logs the gateway's errors, warnings, disconnects and resumes. */
export function logGatewayEvents(client: Client, log: Logger): void {
  client.on(Events.Error, (error) => log.error({ err: error }, "discord client error"));
  client.on(Events.Warn, (message) => log.warn(message));
  client.on(Events.ShardDisconnect, (event, shard) => log.warn({ shard, code: event.code }, "gateway disconnected"));
  client.on(Events.ShardResume, (shard, replayed) => log.info({ shard, replayed }, "gateway resumed"));
}

/** Counts Discord's rate limits: waiting out an empty bucket is good citizenship; a 429 means the bot got it wrong. */
export function countRateLimits(client: Client, metrics: Metrics, log: Logger): void {
  client.rest.on("rateLimited", (info) => {
    metrics.rateLimit(info.global ? "global_wait" : "wait");
    log.debug(
      { route: info.route, retryAfter: info.retryAfter, global: info.global },
      "waiting for a Discord rate limit",
    );
  });
  client.rest.on("response", (request, response) => {
    if (response.status !== 429) return;
    metrics.rateLimit("429");
    log.warn({ route: request.route, method: request.method }, "Discord answered 429 Too Many Requests");
  });
}
