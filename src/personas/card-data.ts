/**
 * What a character card's data fields mean to Masque: the schema they are read with, and the
 * Markdown front matter they become (cards.ts reads the card itself, from JSON or a PNG).
 */
import { z } from "zod";
import { CARD_EXTENSION } from "./export.js";
import type { PersonaExample } from "./persona.js";
import {
  describeValue,
  type FrontMatter,
  MAX_DESCRIPTION_LENGTH,
  MAX_NAME_LENGTH,
  withoutControlCharacters,
} from "./schema.js";

const found = (what: string) => (issue: { input?: unknown }) => `expected ${what}, found ${describeValue(issue.input)}`;
/** Cards in the wild write `null` for an empty field; that reads as absent. */
const optionalText = z.preprocess((v) => (v === null ? undefined : v), z.string({ error: found("text") }).optional());
const textList = z.preprocess(
  (v) => (v === null ? undefined : v),
  z.array(z.string({ error: found("text") }), { error: found("a list of text") }).optional(),
);

/** A card's `data` (or a V1 card): the fields Masque reads, each refused in plain words when it is not what the spec says. */
export const cardDataSchema = z.looseObject({
  name: z.string({
    error: (issue) =>
      issue.input === undefined ? "is missing; a character card needs the character's name" : found("text")(issue),
  }),
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
  creator_notes_multilingual: z.preprocess(
    (v) => (v === null ? undefined : v),
    z
      .record(z.string(), z.string({ error: found("text") }), { error: found("a mapping of language code: notes") })
      .optional(),
  ),
  tags: textList,
  character_book: z.preprocess((v) => (v === null ? undefined : v), z.unknown().optional()),
  extensions: z
    .looseObject({ [CARD_EXTENSION]: z.record(z.string(), z.unknown()).optional().catch(undefined) })
    .optional()
    .catch(undefined),
});

export type CardData = z.infer<typeof cardDataSchema>;

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
const MASQUE_SETTINGS = [
  "model",
  "temperature",
  "top_p",
  "max_tokens",
  "vision",
  "greeting_user",
  "params",
  "show_reasoning",
  "aliases",
];

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

/** A problem's field as the card spells it, so `first_mes` is named rather than `greeting`. */
export function cardField(field: string): string {
  const head = /^[a-z_]+/.exec(field)?.[0] ?? field;
  return CARD_FIELD[head] ? `${CARD_FIELD[head]}${field.slice(head.length)}` : field;
}

/**
 * SillyTavern keeps a group chat member's talkativeness in `extensions.talkativeness`, as
 * text ("0.5"); a blank one means its default. Anything else is passed on for the schema to refuse.
 */
function talkativenessOf(data: CardData): unknown {
  const value = data.extensions?.talkativeness;
  if (value === undefined || value === null || value === "") return undefined;
  return typeof value === "string" && value.trim() !== "" && Number.isFinite(Number(value)) ? Number(value) : value;
}

/** The Markdown front matter a card's fields become; no field of the card that Masque uses is dropped. */
export function frontMatterOf(data: CardData, name: string, lore: Partial<FrontMatter>): FrontMatter {
  const tags = [...new Set((data.tags ?? []).map((tag) => tag.trim()).filter(Boolean))];
  const greetings = (data.alternate_greetings ?? []).map(nonBlank).filter((g): g is string => g !== undefined);
  const groupGreetings = (data.group_only_greetings ?? []).map(nonBlank).filter((g): g is string => g !== undefined);
  const notesByLanguage = Object.entries(data.creator_notes_multilingual ?? {}).filter(
    ([, notes]) => notes.trim() !== "",
  );
  const examples = data.mes_example ? parseExampleDialogue(data.mes_example) : [];
  // A card Masque exported carries Masque's own settings; other cards have none.
  const { description, ...saved } = data.extensions?.[CARD_EXTENSION] ?? {};
  const settings: Partial<FrontMatter> = Object.fromEntries(
    Object.entries(saved).filter(([key]) => MASQUE_SETTINGS.includes(key)),
  );
  return {
    ...settings,
    name,
    personality: nonBlank(data.personality),
    scenario: nonBlank(data.scenario),
    system_prompt: nonBlank(data.system_prompt),
    description:
      (typeof description === "string" ? description : undefined) ??
      oneLine(data.creator_notes, MAX_DESCRIPTION_LENGTH) ??
      oneLine(data.description?.replace(/\{\{char\}\}|<BOT>/gi, name), MAX_DESCRIPTION_LENGTH) ??
      name,
    greeting: nonBlank(data.first_mes),
    greetings: greetings.length > 0 ? greetings : undefined,
    group_greetings: groupGreetings.length > 0 ? groupGreetings : undefined,
    nickname: data.nickname?.trim()
      ? withoutControlCharacters(data.nickname).replace(/\s+/g, " ").trim().slice(0, MAX_NAME_LENGTH)
      : undefined,
    notes_by_language:
      notesByLanguage.length > 0
        ? Object.fromEntries(
            notesByLanguage.map(([language, notes]) => [language.toLowerCase(), normaliseText(notes.trim())]),
          )
        : undefined,
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
