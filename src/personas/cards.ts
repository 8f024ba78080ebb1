/**
 * Character cards as SillyTavern, RisuAI and chub share them: V1 (flat JSON), V2
 * (malfoyslastname/character-card-spec-v2, spec_v2.md) and V3
 * (kwaroran/character-card-spec-v3, SPEC_V3.md), as JSON or inside a PNG.
 */
import { z } from "zod";
import { cardLore } from "./card-lore.js";
import { remainderOf, withUnixLineEndings } from "./card-remainder.js";
import { CARD_EXTENSION, cardWithoutRemainder } from "./export.js";
import type { Persona, PersonaExample, PersonaProblem } from "./persona.js";
import { isPng, PngError, readPngTextChunks } from "./png.js";
import { describeValue, type FrontMatter, MAX_DESCRIPTION_LENGTH, MAX_NAME_LENGTH, personaFromFrontMatter, withoutControlCharacters } from "./schema.js";

/** The tEXt keywords a PNG card uses; V3 wins when both are there (SPEC_V3.md, "PNG/APNG"). */
export const CARD_CHUNK_V3 = "ccv3";
export const CARD_CHUNK_V2 = "chara";

const found = (what: string) => (issue: { input?: unknown }) => `expected ${what}, found ${describeValue(issue.input)}`;
/** Cards in the wild write `null` for an empty field; that reads as absent. */
const optionalText = z.preprocess((v) => (v === null ? undefined : v), z.string({ error: found("text") }).optional());
const textList = z.preprocess((v) => (v === null ? undefined : v), z.array(z.string({ error: found("text") }), { error: found("a list of text") }).optional());

const cardDataSchema = z.looseObject({
  name: z.string({ error: (issue) => (issue.input === undefined ? "is missing; a character card needs the character's name" : found("text")(issue)) }),
  description: optionalText,
  personality: optionalText,
  scenario: optionalText,
  first_mes: optionalText,
  mes_example: optionalText,
  creator_notes: optionalText,
  system_prompt: optionalText,
  post_history_instructions: optionalText,
  creator: optionalText,
  character_version: optionalText,
  alternate_greetings: textList,
  group_only_greetings: textList,
  nickname: optionalText,
  creator_notes_multilingual: z.preprocess((v) => (v === null ? undefined : v), z.record(z.string(), z.string({ error: found("text") }), { error: found("a mapping of language code: notes") }).optional()),
  tags: textList,
  character_book: z.preprocess((v) => (v === null ? undefined : v), z.unknown().optional()),
  extensions: z.looseObject({ [CARD_EXTENSION]: z.record(z.string(), z.unknown()).optional().catch(undefined) }).optional().catch(undefined),
});

type CardData = z.infer<typeof cardDataSchema>;

/** Windows line endings become \n, so neither the prompt nor a written file carries a stray \r. */
function normaliseText(value: string): string {
  return value.replace(/\r\n?/g, "\n");
}

/** Turns SillyTavern's `<BOT>`/`<USER>` placeholders into macros, and normalises line endings. */
export function normaliseCardText(value: string): string {
  return normaliseText(value)
    .replace(/<(BOT|CHAR)>/gi, "{{char}}")
    .replace(/<USER>/gi, "{{user}}")
    .replace(/\{\{\s*(char|user)\s*\}\}/gi, (_m, n: string) => `{{${n.toLowerCase()}}}`);
}

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
  if (chunk === undefined) throw new PngError(`the PNG has no character card (no tEXt chunk named ${CARD_CHUNK_V2} or ${CARD_CHUNK_V3})`);
  if (!/^[A-Za-z0-9+/\s]*={0,2}\s*$/.test(chunk.text)) throw new PngError(`the ${chunk.keyword} chunk is not base64 text, so it holds no card`);
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

/**
 * Splits `mes_example` on `<START>` into exchanges. Lines starting `{{user}}:` are the
 * person's, `{{char}}:` the character's; a block with only the character's lines is kept
 * as lines said without a prompt.
 */
export function parseExampleDialogue(mesExample: string): PersonaExample[] {
  const examples: PersonaExample[] = [];
  const flush = (user: string, assistant: string) => {
    if (!assistant.trim()) return;
    examples.push(user.trim() ? { user: user.trim(), assistant: assistant.trim() } : { assistant: assistant.trim() });
  };
  for (const block of normaliseCardText(mesExample).split(/<START>/i)) {
    let user = "";
    let assistant = "";
    let speaker: "user" | "char" | undefined;
    for (const line of block.split("\n")) {
      const match = /^\s*\{\{(user|char)\}\}:\s?(.*)$/.exec(line);
      if (match?.[1] === "user" && assistant) {
        flush(user, assistant);
        user = "";
        assistant = "";
      }
      if (match) speaker = match[1] as "user" | "char";
      const content = match ? (match[2] ?? "") : line;
      if (speaker === "user") user += `${content}\n`;
      else if (speaker === "char") assistant += `${content}\n`;
    }
    flush(user, assistant);
  }
  return examples;
}

function oneLine(value: string | undefined, max: number): string | undefined {
  const line = value?.replace(/\s+/g, " ").trim();
  if (!line) return undefined;
  return line.length > max ? `${line.slice(0, max - 1).trimEnd()}…` : line;
}

const nonBlank = (value: string | undefined) => (value?.trim() ? normaliseCardText(value.trim()) : undefined);

/** The settings Masque keeps in `extensions.masque` of a card it exported (see toCardV3). */
const MASQUE_SETTINGS = ["model", "temperature", "top_p", "max_tokens", "vision", "greeting_user", "params", "show_reasoning", "aliases"];

/** Where a Markdown field came from in the card, for problems that name the card's own field. */
const CARD_FIELD: Record<string, string> = {
  greeting: "first_mes",
  greetings: "alternate_greetings",
  group_greetings: "group_only_greetings",
  notes_by_language: "creator_notes_multilingual",
  examples: "mes_example",
  notes: "creator_notes",
  body: "description",
  system_prompt: "system_prompt",
  lore: "character_book.entries",
  lore_scan_depth: "character_book.scan_depth",
  lore_token_budget: "character_book.token_budget",
  model: `extensions.${CARD_EXTENSION}.model`,
  temperature: `extensions.${CARD_EXTENSION}.temperature`,
  top_p: `extensions.${CARD_EXTENSION}.top_p`,
  max_tokens: `extensions.${CARD_EXTENSION}.max_tokens`,
  vision: `extensions.${CARD_EXTENSION}.vision`,
  greeting_user: `extensions.${CARD_EXTENSION}.greeting_user`,
  params: `extensions.${CARD_EXTENSION}.params`,
  show_reasoning: `extensions.${CARD_EXTENSION}.show_reasoning`,
  aliases: `extensions.${CARD_EXTENSION}.aliases`,
  talkativeness: "extensions.talkativeness",
};

function cardField(field: string): string {
  const head = /^[a-z_]+/.exec(field)?.[0] ?? field;
  return CARD_FIELD[head] ? `${CARD_FIELD[head]}${field.slice(head.length)}` : field;
}

/** The Markdown front matter a card's fields become; no field of the card that Masque uses is dropped. */
/**
 * SillyTavern keeps a group chat member's talkativeness in `extensions.talkativeness`, as
 * text ("0.5"); a blank one means its default. Anything else is passed on for the schema to refuse.
 */
function talkativenessOf(data: CardData): unknown {
  const value = data.extensions?.talkativeness;
  if (value === undefined || value === null || value === "") return undefined;
  return typeof value === "string" && value.trim() !== "" && Number.isFinite(Number(value)) ? Number(value) : value;
}

function frontMatterOf(data: CardData, name: string, lore: Partial<FrontMatter>): FrontMatter {
  const tags = [...new Set((data.tags ?? []).map((tag) => tag.trim()).filter(Boolean))];
  const greetings = (data.alternate_greetings ?? []).map(nonBlank).filter((g): g is string => g !== undefined);
  const groupGreetings = (data.group_only_greetings ?? []).map(nonBlank).filter((g): g is string => g !== undefined);
  const notesByLanguage = Object.entries(data.creator_notes_multilingual ?? {}).filter(([, notes]) => notes.trim() !== "");
  const examples = data.mes_example ? parseExampleDialogue(data.mes_example) : [];
  // A card Masque exported carries Masque's own settings; other cards have none.
  const { description, ...saved } = data.extensions?.[CARD_EXTENSION] ?? {};
  const settings: Partial<FrontMatter> = Object.fromEntries(Object.entries(saved).filter(([key]) => MASQUE_SETTINGS.includes(key)));
  return {
    ...settings,
    name,
    personality: nonBlank(data.personality),
    scenario: nonBlank(data.scenario),
    system_prompt: nonBlank(data.system_prompt),
    description:
      (typeof description === "string" ? description : undefined) ??
      oneLine(data.creator_notes, MAX_DESCRIPTION_LENGTH) ?? oneLine(data.description?.replace(/\{\{char\}\}|<BOT>/gi, name), MAX_DESCRIPTION_LENGTH) ?? name,
    greeting: nonBlank(data.first_mes),
    greetings: greetings.length > 0 ? greetings : undefined,
    group_greetings: groupGreetings.length > 0 ? groupGreetings : undefined,
    nickname: data.nickname?.trim() ? withoutControlCharacters(data.nickname).replace(/\s+/g, " ").trim().slice(0, MAX_NAME_LENGTH) : undefined,
    notes_by_language: notesByLanguage.length > 0 ? Object.fromEntries(notesByLanguage.map(([language, notes]) => [language.toLowerCase(), normaliseText(notes.trim())])) : undefined,
    creator: data.creator?.trim() || undefined,
    character_version: data.character_version?.trim() || undefined,
    notes: data.creator_notes?.trim() ? normaliseText(data.creator_notes.trim()) : undefined,
    examples: examples.length > 0 ? examples : undefined,
    tags: tags.length > 0 ? tags : undefined,
    post_history_instructions: nonBlank(data.post_history_instructions),
    talkativeness: talkativenessOf(data) as number | undefined,
    ...lore,
  };
}

/** The card's JSON, or the problem that keeps it from being read. */
function readCardJson(bytes: Uint8Array): { json: unknown } | { problem: { field: string; reason: string } } {
  try {
    const text = isPng(bytes) ? cardJsonFromPng(bytes) : Buffer.from(bytes).toString("utf8");
    // Editors on Windows often save JSON with a byte order mark, which JSON.parse refuses.
    return { json: JSON.parse(text.replace(/^\uFEFF/, "")) };
  } catch (error) {
    return { problem: { field: "card", reason: error instanceof PngError ? error.message : jsonProblem(error as Error) } };
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
    return problem("card", "is a lorebook (World Info) file, not a character card; a persona comes from a character card with a name and a description");
  }
  const data = cardData(read.json);
  if (!data || typeof data !== "object" || Array.isArray(data)) return problem("card", `expected a character card (a JSON object), found ${describeValue(data)}`);
  if (data === read.json && !V1_FIELDS.some((field) => field in data)) {
    return problem("card", `is not a character card: a card has spec and data (V2, V3), or a name with ${V1_FIELDS.join(", ")} (V1)`);
  }
  const result = parseCardData(file, id, data);
  return result.persona ? { persona: { ...result.persona, avatar: isPng(bytes) ? fileName : undefined } } : result;
}

/**
 * A card's data (the `data` of a V2/V3 card, or a V1 card) as a persona, validated by the
 * same rules as a Markdown persona file. What the card holds that no persona field holds is
 * kept in the persona's `card` remainder.
 */
export function parseCardData(file: string, id: string, data: object): { persona: Persona; problems?: undefined } | { persona?: undefined; problems: PersonaProblem[] } {
  const problem = (field: string, reason: string) => ({ problems: [{ file, field, reason }] });
  const parsed = cardDataSchema.safeParse(data);
  if (!parsed.success) return { problems: parsed.error.issues.map((issue) => ({ file, field: issue.path.join(".") || "card", reason: issue.message })) };
  const name = withoutControlCharacters(parsed.data.name).replace(/\s+/g, " ").trim().slice(0, MAX_NAME_LENGTH);
  if (!name) return problem("name", "must have visible characters");
  const lore = cardLore(parsed.data.character_book);
  if ("problems" in lore) return { problems: lore.problems.map((p) => ({ file, ...p })) };
  const prompt = normaliseCardText(parsed.data.description ?? "").trim();
  const result = personaFromFrontMatter(file, id, frontMatterOf(parsed.data, name, lore.frontMatter), prompt);
  if (result.problems) return { problems: result.problems.map((p) => ({ ...p, field: cardField(p.field) })) };
  const card = remainderOf(withoutEntries(withUnixLineEndings(data)), withoutEntries(cardWithoutRemainder(result.persona).data));
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
