import type { Context, MiddlewareHandler } from "hono";
import { getCookie } from "hono/cookie";
import type { Logger } from "../log.js";
import { STUDIO_REFUSALS } from "../texts/studio.js";
import type { StudioSession, StudioSessionStore } from "./sessions.js";

/** The cookie holding a session id (nothing else: the session lives in SQLite). */
export const SESSION_COOKIE = "masque_studio";
/** The header every non-GET request carries with its session's request token. */
export const REQUEST_TOKEN_HEADER = "X-Studio-Token";
/** The largest request body the studio reads. */
export const MAX_BODY_BYTES = 1024 * 1024;

/** What the guards leave on the context for the routes. */
export interface StudioVariables {
  session: StudioSession;
  sessionId: string;
  /** The page's style nonce (Hono's secureHeaders sets it). */
  secureHeadersNonce?: string;
}
export type StudioEnv = { Variables: StudioVariables };

/** The addresses the studio answers at (scheme, host and port), known once it listens. */
export interface StudioSite {
  origins: readonly string[];
}

const SAFE_METHODS = new Set(["GET", "HEAD"]);

/** A refusal: a JSON body with one plain sentence, which the page shows as text. */
export function refuse(c: Context, status: 400 | 401 | 403 | 404 | 409 | 413 | 415 | 500, message: string): Response {
  // A page the browser navigated to (not the page's own fetch) gets the sentence as plain text.
  // Sec-Fetch-Dest is sent to trustworthy origins only; a navigation elsewhere still asks for HTML.
  if (c.req.header("Sec-Fetch-Dest") === "document" || /\btext\/html\b/.test(c.req.header("Accept") ?? ""))
    return c.text(message, status);
  return c.json({ error: message }, status);
}

/** Refuses requests whose Host is not one of the studio's (a DNS-rebinding page would send its own name). */
export function checkHost(site: StudioSite, log: Logger): MiddlewareHandler<StudioEnv> {
  return async (c, next) => {
    const host = c.req.header("Host") ?? "";
    if (!site.origins.some((origin) => new URL(origin).host === host.toLowerCase())) {
      log.warn({ host, path: c.req.path }, "studio refused a request for another host");
      return refuse(c, 403, STUDIO_REFUSALS.foreignHost(host));
    }
    await next();
  };
}

/**
 * Every request that changes something must come from the studio's own page: its Origin is
 * one of the studio's, or (a browser that sends no Origin) Sec-Fetch-Site says same-origin.
 * Hono's csrf() checks only form content types, so this checks every non-GET request.
 */
export function checkOrigin(site: StudioSite, log: Logger): MiddlewareHandler<StudioEnv> {
  return async (c, next) => {
    if (SAFE_METHODS.has(c.req.method)) return next();
    const origin = c.req.header("Origin");
    const fetchSite = c.req.header("Sec-Fetch-Site");
    const named = origin !== undefined && origin !== "null";
    if (named ? !site.origins.includes(origin) : fetchSite !== "same-origin") {
      log.warn({ origin, fetchSite, path: c.req.path }, "studio refused a request from another origin");
      return refuse(c, 403, named ? STUDIO_REFUSALS.badOrigin : STUDIO_REFUSALS.noOrigin);
    }
    if (!/^application\/json(;|$)/i.test(c.req.header("Content-Type") ?? ""))
      return refuse(c, 415, STUDIO_REFUSALS.notJson);
    await next();
  };
}

/** Needs a live session (its cookie), and on a non-GET request the session's request token too. */
export function requireSession(sessions: StudioSessionStore): MiddlewareHandler<StudioEnv> {
  return async (c, next) => {
    const id = getCookie(c, SESSION_COOKIE);
    const session = id === undefined ? undefined : sessions.find(id);
    if (id === undefined || session === undefined) return refuse(c, 401, STUDIO_REFUSALS.notSignedIn);
    if (!SAFE_METHODS.has(c.req.method) && c.req.header(REQUEST_TOKEN_HEADER) !== session.csrfToken)
      return refuse(c, 403, STUDIO_REFUSALS.badRequestToken);
    c.set("session", session);
    c.set("sessionId", id);
    await next();
  };
}

/** The request's JSON body, or undefined when it is not JSON (the route refuses it). */
export async function jsonBody(c: Context): Promise<unknown> {
  try {
    return await c.req.json();
  } catch {
    return undefined;
  }
}
