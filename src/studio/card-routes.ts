import path from "node:path";
import type { Context, Hono } from "hono";
import { parsePersona } from "../personas/parse.js";
import { STUDIO_REFUSALS } from "../texts/studio.js";
import { exportedCard, transferCard } from "./cards.js";
import { EDITABLE_FILE, readSource } from "./editing.js";
import { jsonBody, refuse, type StudioEnv } from "./guards.js";

/** A card may be this large; avatars up to Discord's 8 MB, base64 in JSON adds a third. */
export const MAX_CARD_BODY_BYTES = 12 * 1024 * 1024;

/** The Cards API: preview a dropped card, import it, export a persona as a V3 card. */
export function addCardRoutes(
  app: Hono<StudioEnv>,
  deps: { readonly personasDir: string; readonly contextTokens: number },
): void {
  const readCard = async (c: Context<StudioEnv>) => {
    const body = (await jsonBody(c)) as { name?: unknown; data?: unknown } | undefined;
    if (typeof body?.name !== "string" || typeof body.data !== "string") return undefined;
    return { name: body.name, bytes: Buffer.from(body.data, "base64") };
  };
  const answer = (c: Context<StudioEnv>, result: ReturnType<typeof transferCard>) => {
    if ("preview" in result) return c.json(result.preview);
    if (result.kind === "errors") return c.json({ error: STUDIO_REFUSALS.cardErrors, errors: result.errors }, 400);
    return refuse(c, 400, result.kind === "notCard" ? STUDIO_REFUSALS.notCard : STUDIO_REFUSALS.cardName);
  };
  for (const [route, into] of [
    ["/api/cards/preview", undefined],
    ["/api/cards/import", deps.personasDir],
  ] as const) {
    app.post(route, async (c) => {
      const card = await readCard(c);
      if (!card) return refuse(c, 400, STUDIO_REFUSALS.notCard);
      return answer(c, transferCard(card.name, card.bytes, deps.contextTokens, into));
    });
  }
  app.get("/api/personas/:file/export", (c) => {
    const file = c.req.param("file");
    const format = c.req.query("format") === "json" ? "json" : "png";
    if (!EDITABLE_FILE.test(file)) return refuse(c, 400, STUDIO_REFUSALS.notEditable(file));
    const parsed = parsePersona(path.join(deps.personasDir, file), file, readSource(deps.personasDir, file).text);
    if (!parsed.persona) return refuse(c, 400, STUDIO_REFUSALS.cannotInspect.draft);
    const name = `${parsed.persona.id}.${format}`;
    return c.body(new Uint8Array(exportedCard(parsed.persona, deps.personasDir, format)), 200, {
      "Content-Type": format === "png" ? "image/png" : "application/json",
      "Content-Disposition": `attachment; filename="${name}"`,
    });
  });
}
