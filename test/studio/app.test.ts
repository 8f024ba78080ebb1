/** The studio's guards, through its Hono app with a real SQLite session store (no browser: test/browser/ has those). */
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { openDatabase } from "../../src/memory/db.js";
import { createStudioApp } from "../../src/studio/app.js";
import { MAX_BODY_BYTES, REQUEST_TOKEN_HEADER } from "../../src/studio/guards.js";
import { StudioSessionStore } from "../../src/studio/sessions.js";
import type { TryIt } from "../../src/studio/try-it.js";
import { STUDIO_REFUSALS } from "../../src/texts/studio.js";
import { tempDirForTest } from "../helpers/temp-dir.js";

const ORIGIN = "http://127.0.0.1:7860";
/** These tests never reach Try it (test/browser/editor.spec.ts streams through it). */
const NO_TRY_IT = {} as TryIt;
const HOST = "127.0.0.1:7860";

function studio() {
  const dir = tempDirForTest();
  const personasDir = path.join(dir, "personas");
  mkdirSync(personasDir);
  writeFileSync(
    path.join(personasDir, "quill.md"),
    "---\nname: Captain Quill\ndescription: A salty sea captain\n---\nYou are Captain Quill.\n",
  );
  writeFileSync(path.join(personasDir, "broken.md"), "---\nname: [unclosed\n---\nbody\n");
  const sessions = new StudioSessionStore(openDatabase(":memory:"));
  const app = createStudioApp({
    sessions,
    site: { origins: [ORIGIN] },
    personasDir,
    contextTokens: 8000,
    defaultPersona: "quill",
    log: pino({ level: "silent" }),
    secure: false,
    tryIt: NO_TRY_IT,
  });
  const request = (target: string, init: RequestInit & { headers?: Record<string, string> } = {}) =>
    app.request(`${ORIGIN}${target}`, { ...init, headers: { Host: HOST, ...init.headers } });
  const post = (target: string, body: unknown, headers: Record<string, string> = {}) =>
    request(target, {
      method: "POST",
      body: JSON.stringify(body),
      headers: { Origin: ORIGIN, "Content-Type": "application/json", ...headers },
    });
  /** Signs in with a fresh link: the session cookie and request token. */
  const signIn = async () => {
    const response = await post("/api/login", { token: sessions.createLoginToken("local") });
    const cookie = response.headers.get("Set-Cookie")!.split(";")[0]!;
    const { csrfToken } = (await response.json()) as { csrfToken: string };
    return { cookie, csrfToken };
  };
  return { request, post, signIn, sessions };
}

describe("the studio's server", () => {
  it("exchanges a link's token for an HttpOnly, SameSite=Lax session cookie, and refuses the same link again", async () => {
    const { post, sessions } = studio();
    const token = sessions.createLoginToken("local");
    const first = await post("/api/login", { token });
    expect(first.status).toBe(200);
    expect(first.headers.get("Set-Cookie")).toMatch(
      /^masque_studio=[\w-]{43}; Max-Age=604800; Path=\/; HttpOnly; SameSite=Lax$/,
    );
    const again = await post("/api/login", { token });
    expect(again.status).toBe(401);
    expect(await again.json()).toEqual({ error: STUDIO_REFUSALS.linkSpent });
  });

  it("refuses a foreign Host, whatever the path (DNS rebinding)", async () => {
    const { request } = studio();
    const response = await request("/", { headers: { Host: "attacker.example:7860" } });
    expect(response.status).toBe(403);
    expect(await response.json()).toEqual({ error: STUDIO_REFUSALS.foreignHost("attacker.example:7860") });
  });

  it("refuses a change from another Origin, and one that names no origin at all, before reading it", async () => {
    const { post, signIn } = studio();
    const { cookie, csrfToken } = await signIn();
    const headers = { Cookie: cookie, [REQUEST_TOKEN_HEADER]: csrfToken };
    const foreign = await post("/api/logout", {}, { ...headers, Origin: "http://evil.example" });
    expect([foreign.status, await foreign.json()]).toEqual([403, { error: STUDIO_REFUSALS.badOrigin }]);
    const unnamed = await post("/api/logout", {}, { ...headers, Origin: "null" });
    expect([unnamed.status, await unnamed.json()]).toEqual([403, { error: STUDIO_REFUSALS.noOrigin }]);
    const sameSite = await post("/api/logout", {}, { ...headers, Origin: "null", "Sec-Fetch-Site": "same-origin" });
    expect(sameSite.status).toBe(200);
  });

  it("needs the session's request token on every change, and a session for every API call", async () => {
    const { post, request, signIn } = studio();
    const { cookie } = await signIn();
    const noToken = await post("/api/logout", {}, { Cookie: cookie });
    expect([noToken.status, await noToken.json()]).toEqual([403, { error: STUDIO_REFUSALS.badRequestToken }]);
    const wrongToken = await post("/api/logout", {}, { Cookie: cookie, [REQUEST_TOKEN_HEADER]: "guess" });
    expect(wrongToken.status).toBe(403);
    const anonymous = await request("/api/personas");
    expect([anonymous.status, await anonymous.json()]).toEqual([401, { error: STUDIO_REFUSALS.notSignedIn }]);
  });

  it("takes JSON only, within the body limit", async () => {
    const { request, post, signIn } = studio();
    const { cookie, csrfToken } = await signIn();
    const form = await request("/api/logout", {
      method: "POST",
      body: "a=1",
      headers: {
        Origin: ORIGIN,
        "Content-Type": "application/x-www-form-urlencoded",
        Cookie: cookie,
        [REQUEST_TOKEN_HEADER]: csrfToken,
      },
    });
    expect([form.status, await form.json()]).toEqual([415, { error: STUDIO_REFUSALS.notJson }]);
    const huge = await post("/api/login", { token: "x".repeat(MAX_BODY_BYTES) });
    expect([huge.status, await huge.json()]).toEqual([413, { error: STUDIO_REFUSALS.tooLarge(MAX_BODY_BYTES) }]);
  });

  it("serves its page under a CSP that allows no inline script and nothing from elsewhere", async () => {
    const { request } = studio();
    const page = await request("/");
    const policy = page.headers.get("Content-Security-Policy") ?? "";
    const nonce = /'nonce-([\w+/=-]+)'/.exec(policy)?.[1];
    expect(policy).toBe(
      `default-src 'none'; script-src 'self'; style-src 'self' 'nonce-${nonce}'; img-src 'self' data: blob:; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'`,
    );
    const html = await page.text();
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)/);
    // The style nonce is new on every page, and the page hands it to the editor.
    expect(html).toContain(`<meta name="style-nonce" content="${nonce}">`);
    expect((await request("/")).headers.get("Content-Security-Policy")).not.toContain(`'nonce-${nonce}'`);
  });

  it("lists every persona file with the problems npm run personas -- check reports", async () => {
    const { request, signIn } = studio();
    const { cookie } = await signIn();
    const { personas } = (await (await request("/api/personas", { headers: { Cookie: cookie } })).json()) as {
      personas: Array<{ file: string; name?: string; problems: string[] }>;
    };
    expect(personas.map((p) => [p.file, p.name, p.problems.length])).toEqual([
      ["broken.md", undefined, 1],
      ["quill.md", "Captain Quill", 0],
    ]);
  });

  it("opens only Markdown persona files in its folder: no path leads out of it, and a bad new id is refused", async () => {
    const { request, post, signIn } = studio();
    const { cookie, csrfToken } = await signIn();
    const outside = await request(`/api/personas/${encodeURIComponent("../secret.md")}`, {
      headers: { Cookie: cookie },
    });
    expect([outside.status, await outside.json()]).toEqual([
      400,
      { error: STUDIO_REFUSALS.notEditable("../secret.md") },
    ]);
    const made = await post("/api/personas", { id: "../../x" }, { Cookie: cookie, [REQUEST_TOKEN_HEADER]: csrfToken });
    expect([made.status, await made.json()]).toEqual([400, { error: STUDIO_REFUSALS.file.badId("../../x") }]);
  });

  it("takes cards by their bytes: an SVG named .png is not a card", async () => {
    const { post, signIn } = studio();
    const { cookie, csrfToken } = await signIn();
    const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>').toString("base64");
    const response = await post(
      "/api/cards/preview",
      { name: "evil.png", data: svg },
      { Cookie: cookie, [REQUEST_TOKEN_HEADER]: csrfToken },
    );
    expect([response.status, await response.json()]).toEqual([400, { error: STUDIO_REFUSALS.notCard }]);
  });

  it("answers a browser's navigation refusal as plain text, not JSON", async () => {
    const { request } = studio();
    const response = await request("/nowhere", { headers: { "Sec-Fetch-Dest": "document" } });
    expect([response.status, response.headers.get("Content-Type"), await response.text()]).toEqual([
      404,
      "text/plain; charset=UTF-8",
      STUDIO_REFUSALS.notFound,
    ]);
  });
});
