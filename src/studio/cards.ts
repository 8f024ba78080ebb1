import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { contextProblem, loreWarnings } from "../chat/persona-warnings.js";
import { toCardV3 } from "../personas/card-export.js";
import { formatProblem, type Persona } from "../personas/persona.js";
import { isPng } from "../personas/png.js";
import { cardIdOf } from "../personas/registry.js";
import { cardPng, importCard } from "../personas/transfer.js";

/** What a dropped card would become: the persona's fields as the import maps them, the Markdown file, and what it warns about. */
export interface CardPreview {
  readonly id: string;
  readonly fields: ReadonlyArray<{ readonly field: string; readonly value: string }>;
  readonly markdown: string;
  readonly warnings: readonly string[];
}

/** Why a card cannot be read or imported. */
export type CardRefusal =
  | { readonly kind: "notCard" }
  | { readonly kind: "badName" }
  | { readonly kind: "errors"; readonly errors: readonly string[] };

/** A card's bytes: PNG (by its signature, whatever the name says) or JSON text; anything else (SVG, JPEG...) is not a card. */
function cardKind(bytes: Buffer): "png" | "json" | undefined {
  if (isPng(bytes)) return "png";
  try {
    return typeof JSON.parse(bytes.toString("utf8")) === "object" ? "json" : undefined;
  } catch {
    return undefined;
  }
}

function mappedFields(persona: Persona): CardPreview["fields"] {
  return [
    { field: "name", value: persona.name },
    { field: "description", value: persona.description },
    { field: "prompt (body)", value: persona.prompt },
    // A card's own prompt fields, kept apart and put together with the body when a prompt is built.
    ...(persona.personality ? [{ field: "personality", value: persona.personality }] : []),
    ...(persona.scenario ? [{ field: "scenario", value: persona.scenario }] : []),
    ...(persona.systemPrompt ? [{ field: "system prompt", value: persona.systemPrompt }] : []),
    { field: "greeting", value: persona.greeting ?? "" },
    { field: "other greetings", value: String(persona.greetings?.length ?? 0) },
    { field: "examples", value: String(persona.examples.length) },
    { field: "lore entries", value: String(persona.lore?.length ?? 0) },
    { field: "creator", value: persona.creator ?? "" },
    { field: "notes (never sent)", value: persona.notes ?? "" },
  ];
}

/**
 * Runs `npm run personas -- import`'s code on the card: into a scratch folder for a preview
 * (`into` undefined), or into the personas folder. The card's file is written to a temp
 * folder under its own name (the name gives the persona id) and removed after.
 */
export function transferCard(
  name: string,
  bytes: Buffer,
  contextTokens: number,
  into?: string,
): { preview: CardPreview } | CardRefusal {
  const kind = cardKind(bytes);
  if (kind === undefined) return { kind: "notCard" };
  const id = cardIdOf(path.basename(name));
  if (id === undefined) return { kind: "badName" };
  const work = mkdtempSync(path.join(tmpdir(), "masque-studio-card-"));
  try {
    const file = path.join(work, `${id}.${kind}`);
    writeFileSync(file, bytes);
    const outDir = into ?? path.join(work, "out");
    const check = (persona: Persona) => [contextProblem(persona, contextTokens)].filter((p) => p !== undefined);
    const result = importCard(file, outDir, { force: false, check });
    if ("errors" in result)
      return { kind: "errors", errors: result.errors.map((e) => e.replaceAll(`${work}${path.sep}`, "")) };
    const markdown = readFileSync(path.join(outDir, `${id}.md`), "utf8");
    const warnings = loreWarnings(result.persona, contextTokens).map(formatProblem);
    return { preview: { id, fields: mappedFields(result.persona), markdown, warnings } };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** A persona as a V3 card, as `npm run personas -- export` writes it: PNG (its avatar, or a placeholder, carrying the card) or JSON. */
export function exportedCard(persona: Persona, personasDir: string, format: "png" | "json"): Buffer {
  return format === "png"
    ? cardPng(persona, personasDir)
    : Buffer.from(`${JSON.stringify(toCardV3(persona), null, 2)}\n`);
}
