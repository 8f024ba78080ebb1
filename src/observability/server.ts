import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Logger } from "../log.js";
import type { Metrics } from "./metrics.js";

/** What /healthz reports; healthy only when every check passes. */
export interface HealthChecks {
  /** The gateway connection is up. */
  discordConnected(): boolean;
  /** A write transaction can be started on the database. */
  databaseWritable(): boolean;
}

/**
 * Serves `/healthz` (200 when connected to Discord and the database is writable, else
 * 503, with the checks as JSON) and `/metrics` (Prometheus text format).
 */
export async function startObservabilityServer(options: {
  port: number;
  host: string;
  metrics: Metrics;
  health: HealthChecks;
  log: Logger;
}): Promise<{ port: number; close(): Promise<void> }> {
  const { metrics, health, log } = options;
  const server: Server = createServer((request, response) => {
    const url = new URL(request.url ?? "/", "http://localhost");
    if (request.method !== "GET") {
      response.writeHead(405, { allow: "GET" }).end();
      return;
    }
    if (url.pathname === "/healthz") {
      const checks = {
        discord: health.discordConnected() ? "connected" : "disconnected",
        database: health.databaseWritable() ? "writable" : "not writable",
      };
      const healthy = checks.discord === "connected" && checks.database === "writable";
      response
        .writeHead(healthy ? 200 : 503, { "content-type": "application/json" })
        .end(JSON.stringify({ status: healthy ? "ok" : "unhealthy", ...checks }));
      return;
    }
    if (url.pathname === "/metrics") {
      metrics.render().then(
        (rendered) =>
          rendered
            ? response.writeHead(200, { "content-type": rendered.contentType }).end(rendered.body)
            : response.writeHead(404, { "content-type": "text/plain" }).end("Metrics are off.\n"),
        (error: unknown) => {
          log.error({ err: error }, "could not collect metrics");
          response.writeHead(500).end();
        },
      );
      return;
    }
    response.writeHead(404, { "content-type": "text/plain" }).end("Not found. Try /healthz or /metrics.\n");
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  log.info({ port, host: options.host }, `metrics on http://${options.host}:${port}/metrics, health on /healthz`);
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
