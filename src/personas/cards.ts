/**
 * Character cards as SillyTavern, RisuAI and chub share them: V1 (flat JSON), V2
 * (malfoyslastname/character-card-spec-v2, spec_v2.md) and V3
 * (kwaroran/character-card-spec-v3, SPEC_V3.md), as JSON or inside a PNG.
 */
import { cardDataSchema, cardField, frontMatterOf, normaliseCardText } from "./card-data.js";
import { cardLore } from "./card-lore.js";
import { remainderOf, withUnixLineEndings } from "./card-remainder.js";
import { cardWithoutRemainder } from "./export.js";
import type { Persona, PersonaProblem } from "./persona.js";
import { isPng, PngError, readPngTextChunks } from "./png.js";
import { describeValue, MAX_NAME_LENGTH, personaFromFrontMatter, withoutControlCharacters } from "./schema.js";

export { normaliseCardText, parseExampleDialogue } from "./card-data.js";

/** The tEXt keywords a PNG card uses; V3 wins when both are there (SPEC_V3.md, "PNG/APNG"). */
export const CARD_CHUNK_V3 = "ccv3";
export const CARD_CHUNK_V2 = "chara";

/**
 * The text chunk a PNG card keeps its JSON in: the first `ccv3`, else the first `chara`, the
 * keyword matched without regard to case, as SillyTavern reads it (src/character-card-parser.js, `read`).
 */
export function cardChunkOf(chunks: ReadonlyMap<string, string>): { keyword: string; text: string } | undefined {
  for (const wanted of [CARD_CHUNK_V3, CARD_CHUNK_V2]) {
    for (const [keyword, text] of chunks) if (keyword.toLowerCase() === wanted) return { keyword, text };
  }
  return undefined;
}

/** The card's JSON from a PNG's `ccv3` (preferred) or `chara` text chunk: base64 of UTF-8 JSON. */
export function cardJsonFromPng(bytes: Uint8Array): string {
  const chunk = cardChunkOf(readPngTextChunks(bytes));
  if (chunk === undefined)
    throw new PngError(`the PNG has no character card (no tEXt chunk named ${CARD_CHUNK_V2} or ${CARD_CHUNK_V3})`);
  if (!/^[A-Za-z0-9+/\s]*={0,2}\s*$/.test(chunk.text))
    throw new PngError(`the ${chunk.keyword} chunk is not base64 text, so it holds no card`);
  return Buffer.from(chunk.text, "base64").toString("utf8");
}

/** A JSON.parse error without the echo of the input that newer Node versions add (it may be raw bytes). */
function jsonProblem(error: Error): string {
  const position = /position (\d+)/.exec(error.message)?.[1];
  return position ? `is not valid JSON (the error is at character ${position})` : "is not valid JSON";
}

/**
 * Fields every V1 card has besides name and description (TavernAI's format; spec_v2.md
 * "V1"). A flat JSON with none of them (a package.json has a name and a description) is not a card.
 */
const V1_FIELDS = ["personality", "scenario", "first_mes", "mes_example"];

/** V2/V3 cards keep their fields under `data`; V1 cards are flat. */
function cardData(json: unknown): unknown {
  if (json && typeof json === "object" && "spec" in json && "data" in json) return (json as { data: unknown }).data;
  return json;
}

/** A lorebook on its own (V3 `lorebook_v3`, or SillyTavern's World Info file) is not a character. */
function isLorebookOnly(json: unknown): boolean {
  if (!json || typeof json !== "object" || Array.isArray(json)) return false;
  const record = json as Record<string, unknown>;
  if (record.spec === "lorebook_v3" || record.spec === "lorebook_v2") return true;
  return !("name" in record) && !("data" in record) && "entries" in record;
}

/** The card's JSON, or the problem that keeps it from being read. */
function readCardJson(bytes: Uint8Array): { json: unknown } | { problem: { field: string; reason: string } } {
  try {
    const text = isPng(bytes) ? cardJsonFromPng(bytes) : Buffer.from(bytes).toString("utf8");
    // Editors on Windows often save JSON with a byte order mark, which JSON.parse refuses.
    return { json: JSON.parse(text.replace(/^\uFEFF/, "")) };
  } catch (error) {
    return {
      problem: { field: "card", reason: error instanceof PngError ? error.message : jsonProblem(error as Error) },
    };
  }
}

/**
 * Parses a SillyTavern character card (V1/V2/V3 JSON, or a PNG carrying one) into a
 * persona, validated by the same rules as a Markdown persona file. A PNG card's image
 * becomes the persona's avatar.
 */
export function parseCard(
  file: string,
  id: string,
  fileName: string,
  bytes: Uint8Array,
): { persona: Persona; problems?: undefined } | { persona?: undefined; problems: PersonaProblem[] } {
  const problem = (field: string, reason: string) => ({ problems: [{ file, field, reason }] });
  const read = readCardJson(bytes);
  if ("problem" in read) return problem(read.problem.field, read.problem.reason);
  if (isLorebookOnly(read.json)) {
    return problem(
      "card",
      "is a lorebook (World Info) file, not a character card; a persona comes from a character card with a name and a description",
    );
  }
  const data = cardData(read.json);
  if (!data || typeof data !== "object" || Array.isArray(data))
    return problem("card", `expected a character card (a JSON object), found ${describeValue(data)}`);
  if (data === read.json && !V1_FIELDS.some((field) => field in data)) {
    return problem(
      "card",
      `is not a character card: a card has spec and data (V2, V3), or a name with ${V1_FIELDS.join(", ")} (V1)`,
    );
  }
  const result = parseCardData(file, id, data);
  return result.persona ? { persona: { ...result.persona, avatar: isPng(bytes) ? fileName : undefined } } : result;
}

/**
 * A card's data (the `data` of a V2/V3 card, or a V1 card) as a persona, validated by the
 * same rules as a Markdown persona file. What the card holds that no persona field holds is
 * kept in the persona's `card` remainder.
 */
export function parseCardData(
  file: string,
  id: string,
  data: object,
): { persona: Persona; problems?: undefined } | { persona?: undefined; problems: PersonaProblem[] } {
  const problem = (field: string, reason: string) => ({ problems: [{ file, field, reason }] });
  const parsed = cardDataSchema.safeParse(data);
  if (!parsed.success)
    return {
      problems: parsed.error.issues.map((issue) => ({
        file,
        field: issue.path.join(".") || "card",
        reason: issue.message,
      })),
    };
  const name = withoutControlCharacters(parsed.data.name).replace(/\s+/g, " ").trim().slice(0, MAX_NAME_LENGTH);
  if (!name) return problem("name", "must have visible characters");
  const lore = cardLore(parsed.data.character_book);
  if ("problems" in lore) return { problems: lore.problems.map((p) => ({ file, ...p })) };
  const prompt = normaliseCardText(parsed.data.description ?? "").trim();
  const result = personaFromFrontMatter(file, id, frontMatterOf(parsed.data, name, lore.frontMatter), prompt);
  if (result.problems) return { problems: result.problems.map((p) => ({ ...p, field: cardField(p.field) })) };
  const card = remainderOf(
    withoutEntries(withUnixLineEndings(data)),
    withoutEntries(cardWithoutRemainder(result.persona).data),
  );
  return { persona: { ...result.persona, source: "card", card } };
}

/** Card data without its lorebook's entries, which keep their own remainders (card-lore.ts). */
function withoutEntries(data: unknown): Record<string, unknown> {
  const record = data as Record<string, unknown>;
  const book = record.character_book;
  if (!book || typeof book !== "object" || Array.isArray(book)) return record;
  const { entries: _entries, ...rest } = book as Record<string, unknown>;
  return { ...record, character_book: rest };
}
