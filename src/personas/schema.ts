import { z } from "zod";
import { DEFAULT_GROUP_WEIGHT, DEFAULT_LORE_DEPTH, DEFAULT_LORE_SCAN_DEPTH } from "./lore.js";
import { paramsSchema, showReasoningSchema } from "./model-options.js";
import { LORE_POSITIONS, LORE_ROLES, type LoreEntry, type Persona, type PersonaProblem, SELECTIVE_LOGICS } from "./persona.js";

/** Discord's limit for a webhook username; a persona name must fit it. */
export const MAX_NAME_LENGTH = 80;
/** Fits a slash-command choice and a line of `/persona list`. */
export const MAX_DESCRIPTION_LENGTH = 100;
/** Discord's limit for one message's content. */
export const DISCORD_MESSAGE_LIMIT = 2000;
/** A long greeting is posted as several messages, but not as a flood of them. */
export const MAX_GREETING_MESSAGES = 10;
export const MAX_GREETING_LENGTH = DISCORD_MESSAGE_LIMIT * MAX_GREETING_MESSAGES;
/** The insertion order a lore entry gets when the file gives none (SillyTavern's new-entry default). */
export const DEFAULT_LORE_ORDER = 100;
/** SillyTavern's default talkativeness for a group chat member. */
export const DEFAULT_TALKATIVENESS = 0.5;
/** An alias is a short name: a word or two people use to address the persona. */
export const MAX_ALIAS_LENGTH = 32;

function isControlCharacter(character: string): boolean {
  const code = character.codePointAt(0) ?? 0;
  return code < 0x20 || (code >= 0x7f && code < 0xa0);
}

/** Control characters (line breaks, NUL...) have no place in a display name. */
export function hasControlCharacters(text: string): boolean {
  return [...text].some(isControlCharacter);
}

/** `text` with each control character replaced by a space. */
export function withoutControlCharacters(text: string): string {
  return [...text].map((c) => (isControlCharacter(c) ? " " : c)).join("");
}

/** What a value is, in words, for "expected text, found a list". */
export function describeValue(value: unknown): string {
  if (value === null) return "nothing (null)";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping";
  if (typeof value === "string") return "text";
  return `a ${typeof value}`;
}

const found = (what: string) => (issue: { input?: unknown }) => (issue.input === undefined ? "is missing" : `expected ${what}, found ${describeValue(issue.input)}`);
const text = (what = "text") => z.string({ error: found(what) }).trim().min(1, "must not be empty");
const flag = z.boolean({ error: found("true or false") });
const wholeNumber = z.number({ error: found("a whole number") }).int("must be a whole number");
const textList = (what: string) => z.array(text(), { error: found(what) });

/** What a card kept beyond Masque's fields: any mapping, written back unchanged on export. */
const cardRemainder = z.record(z.string(), z.unknown(), { error: found("a mapping (what the character card held beyond these fields)") });

const loreEntrySchema = z.strictObject(
  {
    keys: textList("a list of words that trigger the entry").default([]),
    secondary_keys: textList("a list of words").default([]),
    selective: flag.default(true),
    selective_logic: z.enum(SELECTIVE_LOGICS, { error: `must be one of ${SELECTIVE_LOGICS.join(", ")}` }).default("and_any"),
    // An empty entry is never included; SillyTavern keeps one, so a card's is kept for export.
    content: z.string({ error: found("text") }).trim().default(""),
    constant: flag.default(false),
    enabled: flag.default(true),
    case_sensitive: flag.default(false),
    match_whole_words: flag.default(true),
    probability: z.number({ error: found("a number from 0 to 100") }).min(0, "must be from 0 to 100").max(100, "must be from 0 to 100").default(100),
    position: z.enum(LORE_POSITIONS, { error: `must be ${LORE_POSITIONS.join(" or ")}` }).default("after_char"),
    depth: wholeNumber.min(0, "must be 0 or more").default(DEFAULT_LORE_DEPTH),
    role: z.enum(LORE_ROLES, { error: `must be ${LORE_ROLES.join(", ")}` }).default("system"),
    exclude_recursion: flag.default(false),
    prevent_recursion: flag.default(false),
    group: text().optional(),
    group_override: flag.default(false),
    group_weight: z.number({ error: found("a number") }).positive("must be more than 0").default(DEFAULT_GROUP_WEIGHT),
    sticky: wholeNumber.min(0, "must be 0 or more").default(0),
    cooldown: wholeNumber.min(0, "must be 0 or more").default(0),
    delay: wholeNumber.min(0, "must be 0 or more").default(0),
    scan_depth: wholeNumber.min(0, "must be 0 or more").optional(),
    order: z.number({ error: found("a number") }).default(DEFAULT_LORE_ORDER),
    comment: text().optional(),
    card: cardRemainder.optional(),
  },
  {
    error: (issue) =>
      issue.code === "unrecognized_keys"
        ? `unknown field(s) ${issue.keys.join(", ")}; a lore entry has keys, secondary_keys, selective, selective_logic, content, constant, enabled, case_sensitive, match_whole_words, probability, position, depth, role, exclude_recursion, prevent_recursion, group, group_override, group_weight, sticky, cooldown, delay, scan_depth, order, comment, card`
        : `expected an entry with keys: and content:, found ${describeValue(issue.input)}`,
  },
);

const exampleSchema = z.strictObject(
  { user: text().optional(), assistant: text() },
  {
    error: (issue) =>
      issue.code === "unrecognized_keys"
        ? `unknown field(s) ${issue.keys.join(", ")}; each example has only user and assistant`
        : "must be a pair of user: and assistant: lines",
  },
);

const FIELDS = [
  "name", "nickname", "description", "avatar", "model", "temperature", "top_p", "max_tokens", "greeting", "greetings", "greeting_user",
  "creator", "character_version", "notes", "notes_by_language", "group_greetings", "examples", "tags", "aliases", "talkativeness", "vision", "personality", "scenario", "system_prompt", "post_history_instructions", "lore", "lore_scan_depth", "lore_token_budget", "params", "show_reasoning", "card",
];

const greeting = text().max(MAX_GREETING_LENGTH, `must be at most ${MAX_GREETING_LENGTH} characters (${MAX_GREETING_MESSAGES} Discord messages)`);

export const frontMatterSchema = z.strictObject(
  {
    name: text()
      .max(MAX_NAME_LENGTH, `must be at most ${MAX_NAME_LENGTH} characters (Discord's limit for a display name)`)
      .refine((name) => !hasControlCharacters(name), "must not contain control characters or line breaks"),
    nickname: text().max(MAX_NAME_LENGTH, `must be at most ${MAX_NAME_LENGTH} characters`).refine((name) => !hasControlCharacters(name), "must not contain control characters or line breaks").optional(),
    description: text("one line of text").max(MAX_DESCRIPTION_LENGTH, `must be at most ${MAX_DESCRIPTION_LENGTH} characters`),
    avatar: text("a URL or a file path").optional(),
    model: text("a model name").optional(),
    temperature: z.number({ error: found("a number from 0 to 2") }).min(0, "must be from 0 to 2").max(2, "must be from 0 to 2").optional(),
    top_p: z.number({ error: found("a number from 0 to 1") }).gt(0, "must be more than 0 and at most 1").max(1, "must be more than 0 and at most 1").optional(),
    max_tokens: wholeNumber.positive("must be at least 1").optional(),
    greeting: greeting.optional(),
    greetings: z.array(greeting, { error: found("a list of greetings") }).optional(),
    greeting_user: text().refine((name) => !hasControlCharacters(name), "must not contain control characters or line breaks").optional(),
    creator: text().optional(),
    character_version: text().optional(),
    notes: text().optional(),
    notes_by_language: z.record(z.string().regex(/^[a-z]{2,3}(-[a-z0-9]+)?$/i, "must be a language code such as fr or pt-br"), text(), { error: found("a mapping of language code: notes") }).optional(),
    group_greetings: z.array(greeting, { error: found("a list of greetings") }).optional(),
    examples: z.array(exampleSchema, { error: found("a list of {user, assistant} pairs") }).optional(),
    tags: textList("a list of words").optional(),
    aliases: z
      .array(text().max(MAX_ALIAS_LENGTH, `must be at most ${MAX_ALIAS_LENGTH} characters`).refine((alias) => !hasControlCharacters(alias), "must not contain control characters or line breaks"), {
        error: found("a list of short names"),
      })
      .optional(),
    talkativeness: z.number({ error: found("a number from 0 to 1") }).min(0, "must be from 0 to 1").max(1, "must be from 0 to 1").optional(),
    vision: flag.optional(),
    personality: text().optional(),
    scenario: text().optional(),
    system_prompt: text().optional(),
    post_history_instructions: text().optional(),
    card: cardRemainder.optional(),
    lore: z.array(loreEntrySchema, { error: found("a list of {keys, content} entries") }).optional(),
    lore_scan_depth: wholeNumber.positive("must be at least 1").optional(),
    lore_token_budget: wholeNumber.positive("must be at least 1").optional(),
    params: paramsSchema.optional(),
    show_reasoning: showReasoningSchema.optional(),
  },
  {
    error: (issue) =>
      issue.code === "unrecognized_keys"
        ? `unknown field(s) ${issue.keys.join(", ")}; known fields are ${FIELDS.join(", ")}`
        : "the front matter must be a YAML mapping of field: value lines",
  },
);

export type FrontMatter = z.input<typeof frontMatterSchema>;

type ParsedLoreEntry = z.output<typeof loreEntrySchema>;

function loreEntryFrom(e: ParsedLoreEntry): LoreEntry {
  return {
    keys: e.keys,
    secondaryKeys: e.secondary_keys,
    selective: e.selective,
    selectiveLogic: e.selective_logic,
    content: e.content,
    constant: e.constant,
    enabled: e.enabled,
    caseSensitive: e.case_sensitive,
    matchWholeWords: e.match_whole_words,
    probability: e.probability,
    position: e.position,
    depth: e.depth,
    role: e.role,
    excludeRecursion: e.exclude_recursion,
    preventRecursion: e.prevent_recursion,
    group: e.group,
    groupOverride: e.group_override,
    groupWeight: e.group_weight,
    sticky: e.sticky,
    cooldown: e.cooldown,
    delay: e.delay,
    scanDepth: e.scan_depth,
    order: e.order,
    comment: e.comment,
    card: e.card,
  };
}

/** A front-matter lore entry as the persona holds it, defaults filled in; throws on an entry the schema refuses. */
export function loreEntryOf(entry: NonNullable<FrontMatter["lore"]>[number]): LoreEntry {
  return loreEntryFrom(loreEntrySchema.parse(entry));
}

function fieldOf(path: readonly PropertyKey[]): string {
  if (path.length === 0) return "front matter";
  return path.map((part, i) => (typeof part === "number" ? `[${part}]` : i === 0 ? String(part) : `.${String(part)}`)).join("");
}

/**
 * Validates a persona's front matter and core prompt (`body`) and builds the persona.
 * Markdown files and character cards both go through here, so a card is held to exactly
 * the rules a Markdown persona is.
 */
export function personaFromFrontMatter(
  file: string,
  id: string,
  data: unknown,
  body: string,
): { persona: Persona; problems?: undefined } | { persona?: undefined; problems: PersonaProblem[] } {
  const parsed = frontMatterSchema.safeParse(data);
  const problems: PersonaProblem[] = parsed.success ? [] : parsed.error.issues.map((issue) => ({ file, field: fieldOf(issue.path), reason: issue.message }));
  // A card may describe its character only in personality, scenario, system prompt or lorebook (SillyTavern opens it).
  const describedElsewhere = parsed.success && [parsed.data.personality, parsed.data.scenario, parsed.data.system_prompt, parsed.data.lore?.length].some(Boolean);
  if (body.trim().length === 0 && !describedElsewhere) problems.push({ file, field: "body", reason: "is empty; write the character's core prompt below the front matter" });
  if (!parsed.success || problems.length > 0) return { problems };
  const fm = parsed.data;
  return {
    persona: {
      id,
      file,
      name: fm.name,
      nickname: fm.nickname,
      description: fm.description,
      avatar: fm.avatar,
      model: fm.model,
      temperature: fm.temperature,
      topP: fm.top_p,
      maxTokens: fm.max_tokens,
      greeting: fm.greeting,
      greetings: fm.greetings,
      greetingUser: fm.greeting_user,
      creator: fm.creator,
      characterVersion: fm.character_version,
      notes: fm.notes,
      notesByLanguage: fm.notes_by_language,
      groupGreetings: fm.group_greetings,
      examples: fm.examples ?? [],
      tags: fm.tags ?? [],
      aliases: fm.aliases ?? [],
      talkativeness: fm.talkativeness ?? DEFAULT_TALKATIVENESS,
      prompt: body.trim(),
      personality: fm.personality,
      scenario: fm.scenario,
      systemPrompt: fm.system_prompt,
      card: fm.card,
      vision: fm.vision,
      postHistoryInstructions: fm.post_history_instructions,
      lore: fm.lore?.map(loreEntryFrom),
      loreScanDepth: fm.lore ? (fm.lore_scan_depth ?? DEFAULT_LORE_SCAN_DEPTH) : undefined,
      loreTokenBudget: fm.lore_token_budget,
      params: fm.params,
      showReasoning: fm.show_reasoning,
    },
  };
}
