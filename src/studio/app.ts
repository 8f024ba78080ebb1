import { readFileSync } from "node:fs";
import path from "node:path";
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { deleteCookie, setCookie } from "hono/cookie";
import { NONCE, secureHeaders } from "hono/secure-headers";
import type { Logger } from "../log.js";
import { STUDIO_REFUSALS } from "../texts/studio.js";
import {
  checkHost,
  checkOrigin,
  jsonBody,
  MAX_BODY_BYTES,
  refuse,
  requireSession,
  SESSION_COOKIE,
  type StudioEnv,
  type StudioSite,
} from "./guards.js";
import { pageHtml } from "./page-html.js";
import { addCardRoutes, MAX_CARD_BODY_BYTES } from "./card-routes.js";
import { addPersonaRoutes } from "./persona-routes.js";
import { SESSION_MAX_AGE_MS, type StudioSessionStore } from "./sessions.js";
import type { TryIt } from "./try-it.js";

/** Where `npm run build:studio` (src/studio/bundle.mjs) writes the page's script and style sheet. */
export const PAGE_ASSETS_DIR = path.resolve(import.meta.dirname, "..", "..", "dist", "studio-page");
/** The files there: the entry script, its chunks (chunk-HASH.js) and the style sheet. */
const ASSET_NAME = /^(?:studio|chunk-[A-Z0-9]+)\.(js|css)$/;
const ASSET_TYPES: Record<string, string> = { js: "text/javascript; charset=utf-8", css: "text/css; charset=utf-8" };

/**
 * No inline script, nothing from another origin; images may be data: or blob: URLs (card
 * previews). Styles: the studio's sheet, and the editor's (CodeMirror writes its style
 * element with the page's nonce, EditorView.cspNonce); no other inline style.
 */
const CONTENT_SECURITY_POLICY = {
  defaultSrc: ["'none'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'", NONCE],
  imgSrc: ["'self'", "data:", "blob:"],
  connectSrc: ["'self'"],
  baseUri: ["'none'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
};

/** What the studio's routes work on. */
export interface StudioDeps {
  readonly sessions: StudioSessionStore;
  readonly site: StudioSite;
  readonly personasDir: string;
  readonly contextTokens: number;
  readonly defaultPersona: string;
  readonly log: Logger;
  /** Served over HTTPS (STUDIO_PUBLIC_URL): the cookie is Secure and browsers are told to keep to HTTPS. */
  readonly secure: boolean;
  /** Try it's engine over its scratch memory. */
  readonly tryIt: TryIt;
  /** The page's script and style sheet (default: PAGE_ASSETS_DIR). */
  readonly assetsDir?: string;
}

/** The studio's web app: the guards in front, then the page, its assets and the JSON API. */
export function createStudioApp(deps: StudioDeps): Hono<StudioEnv> {
  const app = new Hono<StudioEnv>();
  addGuards(app, deps);
  addPageRoutes(app, deps);
  addSessionRoutes(app, deps);
  addPersonaRoutes(app, deps);
  addCardRoutes(app, deps);
  return app;
}

/** What every request passes first: the Host, the security headers, the Origin, the body limits; and how failures read. */
function addGuards(app: Hono<StudioEnv>, deps: StudioDeps): void {
  app.use(checkHost(deps.site, deps.log));
  app.use(
    secureHeaders({
      contentSecurityPolicy: CONTENT_SECURITY_POLICY,
      referrerPolicy: "no-referrer",
      strictTransportSecurity: deps.secure,
    }),
  );
  app.use(checkOrigin(deps.site, deps.log));
  const limit = (maxSize: number) =>
    bodyLimit({ maxSize, onError: (c) => refuse(c, 413, STUDIO_REFUSALS.tooLarge(maxSize)) });
  const [jsonLimit, cardLimit] = [limit(MAX_BODY_BYTES), limit(MAX_CARD_BODY_BYTES)];
  app.use((c, next) => (c.req.path.startsWith("/api/cards/") ? cardLimit : jsonLimit)(c, next));
  app.onError((error, c) => {
    deps.log.error({ err: error, path: c.req.path }, "studio request failed");
    return refuse(c, 500, STUDIO_REFUSALS.failed);
  });
  app.notFound((c) => refuse(c, 404, STUDIO_REFUSALS.notFound));
}

/** The page and its bundled scripts and styles. */
function addPageRoutes(app: Hono<StudioEnv>, deps: StudioDeps): void {
  app.get("/", (c) => c.html(pageHtml(c.get("secureHeadersNonce") ?? "")));
  app.get("/favicon.ico", (c) => c.body(null, 204));
  app.get("/assets/:name", (c) => {
    const name = c.req.param("name");
    const kind = ASSET_NAME.exec(name)?.[1];
    if (kind === undefined) return refuse(c, 404, STUDIO_REFUSALS.notFound);
    const file = path.join(deps.assetsDir ?? PAGE_ASSETS_DIR, name);
    let body: string;
    try {
      body = readFileSync(file, "utf8");
    } catch {
      return refuse(c, 500, STUDIO_REFUSALS.pageNotBuilt);
    }
    return c.body(body, 200, { "Content-Type": ASSET_TYPES[kind]!, "Cache-Control": "no-cache" });
  });
}

/** Signing in with the one-time link's token, and out; every /api route after these needs the session. */
function addSessionRoutes(app: Hono<StudioEnv>, deps: StudioDeps): void {
  const { secure } = deps;
  app.post("/api/login", async (c) => {
    const body = await jsonBody(c);
    const token = typeof body === "object" && body !== null && "token" in body ? body.token : undefined;
    if (typeof token !== "string" || token === "") return refuse(c, 400, STUDIO_REFUSALS.noToken);
    const signedIn = deps.sessions.exchange(token);
    if (!signedIn) return refuse(c, 401, STUDIO_REFUSALS.linkSpent);
    setCookie(c, SESSION_COOKIE, signedIn.id, {
      httpOnly: true,
      sameSite: "Lax",
      secure,
      path: "/",
      maxAge: SESSION_MAX_AGE_MS / 1000,
    });
    deps.log.info({ owner: signedIn.session.owner }, "studio sign-in");
    return c.json({ owner: signedIn.session.owner, csrfToken: signedIn.session.csrfToken });
  });

  app.use("/api/*", requireSession(deps.sessions));
  app.get("/api/session", (c) => c.json({ owner: c.get("session").owner, csrfToken: c.get("session").csrfToken }));
  app.post("/api/logout", (c) => {
    deps.sessions.end(c.get("sessionId"));
    deleteCookie(c, SESSION_COOKIE, { path: "/" });
    return c.json({ ok: true });
  });
}
