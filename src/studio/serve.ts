import type { Server as HttpServer } from "node:http";
import type { AddressInfo } from "node:net";
import { createAdaptorServer } from "@hono/node-server";
import type { Core } from "../core.js";
import type { Logger } from "../log.js";
import type { Db } from "../memory/db.js";
import { createStudioApp } from "./app.js";
import { isLoopback, type StudioConfig } from "./config.js";
import type { StudioSite } from "./guards.js";
import { StudioSessionStore } from "./sessions.js";
import { TryIt, type TryItDeps } from "./try-it.js";

/** What the studio needs from the core: its database, the persona folder and its settings, and for Try it the model. */
export interface StudioHost {
  readonly db: Db;
  readonly personasDir: string;
  readonly contextTokens: number;
  readonly defaultPersona: string;
  readonly log: Logger;
  readonly tryIt: TryItDeps;
}

/** The studio's view of the core (the bot's, or npm run studio's). */
export function studioHostOf(core: Core): StudioHost {
  const { config } = core;
  return {
    db: core.memory.db,
    personasDir: config.personasDir,
    contextTokens: config.contextTokens,
    defaultPersona: config.defaultPersona,
    log: core.log,
    tryIt: {
      model: core.model,
      personas: core.personas,
      settings: {
        defaultModel: config.defaultModel,
        contextTokens: config.contextTokens,
        replyDeadlineMs: config.modelReplyDeadlineMs,
      },
      log: core.log,
    },
  };
}

/** A listening studio. */
export interface Studio {
  /** The address its pages are at (STUDIO_PUBLIC_URL, or http://127.0.0.1:port). */
  readonly url: string;
  readonly sessions: StudioSessionStore;
  /** A single-use sign-in link for `owner`, the token in the fragment (browsers never send it to a server or a Referer). */
  loginLink(owner: string): string;
  close(): Promise<void>;
}

/** The origins a loopback bind answers at: the names of this machine, on the port it got. */
function loopbackOrigins(port: number): string[] {
  return [`http://127.0.0.1:${port}`, `http://localhost:${port}`, `http://[::1]:${port}`];
}

/**
 * Starts the studio on `config.host`:`port` (0 picks a free port). loadStudioConfig has
 * already refused a non-loopback host without STUDIO_PUBLIC_URL; this refuses it again, so
 * no caller can skip that.
 */
export async function startStudio(host: StudioHost, config: StudioConfig, port: number): Promise<Studio> {
  if (!isLoopback(config.host) && config.publicUrl === undefined)
    throw new Error(`The studio may listen on ${config.host} only behind STUDIO_PUBLIC_URL.`);
  const sessions = new StudioSessionStore(host.db);
  const site: StudioSite = { origins: [] };
  const tryIt = new TryIt(host.tryIt);
  const secure = config.publicUrl?.startsWith("https:") === true;
  const app = createStudioApp({
    sessions,
    site,
    personasDir: host.personasDir,
    contextTokens: host.contextTokens,
    defaultPersona: host.defaultPersona,
    log: host.log,
    secure,
    tryIt,
  });
  const server = createAdaptorServer({ fetch: app.fetch, hostname: config.host });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, config.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const bound = (server.address() as AddressInfo).port;
  const publicOrigin = config.publicUrl === undefined ? undefined : new URL(config.publicUrl).origin;
  site.origins = [...(isLoopback(config.host) ? loopbackOrigins(bound) : []), ...(publicOrigin ? [publicOrigin] : [])];
  const url = config.publicUrl ?? `http://127.0.0.1:${bound}`;
  host.log.info({ url }, "studio listening");
  return {
    url,
    sessions,
    loginLink: (owner) => `${url}/#token=${sessions.createLoginToken(owner)}`,
    close: () =>
      new Promise<void>((resolve) => {
        // Open streams (Try it) and kept-alive connections would hold the close otherwise.
        (server as HttpServer).closeAllConnections();
        server.close(() => {
          tryIt.close();
          resolve();
        });
      }),
  };
}
