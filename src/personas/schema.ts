import { z } from "zod";
import { DEFAULT_LORE_SCAN_DEPTH } from "./lore.js";
import { loreEntryFrom, loreEntrySchema } from "./lore-entry-schema.js";
import { paramsSchema, showReasoningSchema } from "./model-options.js";
import type { Persona, PersonaProblem } from "./persona.js";
import { cardRemainder, flag, found, hasControlCharacters, text, textList, wholeNumber } from "./schema-fields.js";

export { DEFAULT_LORE_ORDER, loreEntryOf } from "./lore-entry-schema.js";
export { describeValue, hasControlCharacters, withoutControlCharacters } from "./schema-fields.js";

/** Discord's limit for a webhook username; a persona name must fit it. */
export const MAX_NAME_LENGTH = 80;
/** Fits a slash-command choice and a line of `/persona list`. */
export const MAX_DESCRIPTION_LENGTH = 100;
/** Discord's limit for one message's content. */
export const DISCORD_MESSAGE_LIMIT = 2000;
/** A long greeting is posted as several messages, but not as a flood of them. */
export const MAX_GREETING_MESSAGES = 10;
export const MAX_GREETING_LENGTH = DISCORD_MESSAGE_LIMIT * MAX_GREETING_MESSAGES;
/** SillyTavern's default talkativeness for a group chat member. */
export const DEFAULT_TALKATIVENESS = 0.5;
/** An alias is a short name: a word or two people use to address the persona. */
export const MAX_ALIAS_LENGTH = 32;

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
  "name",
  "nickname",
  "description",
  "avatar",
  "model",
  "temperature",
  "top_p",
  "max_tokens",
  "greeting",
  "greetings",
  "greeting_user",
  "creator",
  "character_version",
  "notes",
  "notes_by_language",
  "group_greetings",
  "examples",
  "tags",
  "aliases",
  "talkativeness",
  "vision",
  "personality",
  "scenario",
  "system_prompt",
  "post_history_instructions",
  "lore",
  "lore_scan_depth",
  "lore_token_budget",
  "params",
  "show_reasoning",
  "card",
];

const greeting = text().max(
  MAX_GREETING_LENGTH,
  `must be at most ${MAX_GREETING_LENGTH} characters (${MAX_GREETING_MESSAGES} Discord messages)`,
);

export const frontMatterSchema = z.strictObject(
  {
    name: text()
      .max(MAX_NAME_LENGTH, `must be at most ${MAX_NAME_LENGTH} characters (Discord's limit for a display name)`)
      .refine((name) => !hasControlCharacters(name), "must not contain control characters or line breaks"),
    nickname: text()
      .max(MAX_NAME_LENGTH, `must be at most ${MAX_NAME_LENGTH} characters`)
      .refine((name) => !hasControlCharacters(name), "must not contain control characters or line breaks")
      .optional(),
    description: text("one line of text").max(
      MAX_DESCRIPTION_LENGTH,
      `must be at most ${MAX_DESCRIPTION_LENGTH} characters`,
    ),
    avatar: text("a URL or a file path").optional(),
    model: text("a model name").optional(),
    temperature: z
      .number({ error: found("a number from 0 to 2") })
      .min(0, "must be from 0 to 2")
      .max(2, "must be from 0 to 2")
      .optional(),
    top_p: z
      .number({ error: found("a number from 0 to 1") })
      .gt(0, "must be more than 0 and at most 1")
      .max(1, "must be more than 0 and at most 1")
      .optional(),
    max_tokens: wholeNumber.positive("must be at least 1").optional(),
    greeting: greeting.optional(),
    greetings: z.array(greeting, { error: found("a list of greetings") }).optional(),
    greeting_user: text()
      .refine((name) => !hasControlCharacters(name), "must not contain control characters or line breaks")
      .optional(),
    creator: text().optional(),
    character_version: text().optional(),
    notes: text().optional(),
    notes_by_language: z
      .record(z.string().regex(/^[a-z]{2,3}(-[a-z0-9]+)?$/i, "must be a language code such as fr or pt-br"), text(), {
        error: found("a mapping of language code: notes"),
      })
      .optional(),
    group_greetings: z.array(greeting, { error: found("a list of greetings") }).optional(),
    examples: z.array(exampleSchema, { error: found("a list of {user, assistant} pairs") }).optional(),
    tags: textList("a list of words").optional(),
    aliases: z
      .array(
        text()
          .max(MAX_ALIAS_LENGTH, `must be at most ${MAX_ALIAS_LENGTH} characters`)
          .refine((alias) => !hasControlCharacters(alias), "must not contain control characters or line breaks"),
        {
          error: found("a list of short names"),
        },
      )
      .optional(),
    talkativeness: z
      .number({ error: found("a number from 0 to 1") })
      .min(0, "must be from 0 to 1")
      .max(1, "must be from 0 to 1")
      .optional(),
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

function fieldOf(path: readonly PropertyKey[]): string {
  if (path.length === 0) return "front matter";
  return path
    .map((part, i) => (typeof part === "number" ? `[${part}]` : i === 0 ? String(part) : `.${String(part)}`))
    .join("");
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
  const problems: PersonaProblem[] = parsed.success
    ? []
    : parsed.error.issues.map((issue) => ({ file, field: fieldOf(issue.path), reason: issue.message }));
  // A card may describe its character only in personality, scenario, system prompt or lorebook (SillyTavern opens it).
  const describedElsewhere =
    parsed.success &&
    [parsed.data.personality, parsed.data.scenario, parsed.data.system_prompt, parsed.data.lore?.length].some(Boolean);
  if (body.trim().length === 0 && !describedElsewhere)
    problems.push({
      file,
      field: "body",
      reason: "is empty; write the character's core prompt below the front matter",
    });
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
