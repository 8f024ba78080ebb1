import { parseDocument } from "yaml";
import { z } from "zod";
import { paramsSchema, showReasoningSchema } from "./model-options.js";
import type { Persona, PersonaProblem } from "./persona.js";

/** How many recent messages are searched for lore keys unless a persona says otherwise. */
export const DEFAULT_LORE_SCAN_DEPTH = 4;
/** Tokens the triggered lore may take unless a persona says otherwise. */
export const DEFAULT_LORE_TOKEN_BUDGET = 500;

/** Discord's limit for a webhook username; a persona name must fit it. */
export const MAX_NAME_LENGTH = 80;
/** Fits a slash-command choice and a line of `/persona list`. */
export const MAX_DESCRIPTION_LENGTH = 100;
/** A greeting is posted as one Discord message. */
export const MAX_GREETING_LENGTH = 2000;
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

/** Aliases a front matter may expand; a handful is plenty for a persona file. */
const MAX_YAML_ALIASES = 100;

/** What a persona id may look like: lowercase letters, digits, - and _, at most 64 characters. */
export const PERSONA_ID = /^[a-z0-9][a-z0-9_-]{0,63}$/;
const FRONT_MATTER = /^\uFEFF?---[ \t]*\r?\n([\s\S]*?)\r?\n---[ \t]*(?:\r?\n|$)/;

const nonEmpty = (what: string) => z.string({ error: `must be ${what}` }).trim().min(1, `must not be empty`);

const frontMatterSchema = z.strictObject(
  {
    name: nonEmpty("text")
      .max(MAX_NAME_LENGTH, `must be at most ${MAX_NAME_LENGTH} characters (Discord's limit for a display name)`)
      .refine((name) => !hasControlCharacters(name), "must not contain control characters or line breaks"),
    description: nonEmpty("one line of text").max(MAX_DESCRIPTION_LENGTH, `must be at most ${MAX_DESCRIPTION_LENGTH} characters`),
    avatar: nonEmpty("a URL or a file path").optional(),
    model: nonEmpty("a model name").optional(),
    temperature: z.number({ error: "must be a number from 0 to 2" }).min(0, "must be from 0 to 2").max(2, "must be from 0 to 2").optional(),
    top_p: z.number({ error: "must be a number from 0 to 1" }).gt(0, "must be more than 0 and at most 1").max(1, "must be more than 0 and at most 1").optional(),
    max_tokens: z.number({ error: "must be a whole number" }).int("must be a whole number").positive("must be at least 1").optional(),
    greeting: nonEmpty("text").max(MAX_GREETING_LENGTH, `must be at most ${MAX_GREETING_LENGTH} characters`).optional(),
    examples: z
      .array(
        z.strictObject(
          { user: nonEmpty("text"), assistant: nonEmpty("text") },
          { error: (issue) => (issue.code === "unrecognized_keys" ? `unknown field(s) ${issue.keys.join(", ")}; each example has only user and assistant` : "must be a pair of user: and assistant: lines") },
        ),
        { error: "must be a list of {user, assistant} pairs" },
      )
      .optional(),
    tags: z.array(nonEmpty("text"), { error: "must be a list of words" }).optional(),
    vision: z.boolean({ error: "must be true or false" }).optional(),
    post_history_instructions: nonEmpty("text").optional(),
    lore: z
      .array(
        z.strictObject(
          {
            keys: z.array(nonEmpty("text"), { error: "must be a list of words that trigger the entry" }).default([]),
            content: nonEmpty("text"),
            constant: z.boolean({ error: "must be true or false" }).default(false),
            case_sensitive: z.boolean({ error: "must be true or false" }).default(false),
          },
          { error: (issue) => (issue.code === "unrecognized_keys" ? `unknown field(s) ${issue.keys.join(", ")}; a lore entry has keys, content, constant, case_sensitive` : "must be an entry with keys: and content:") },
        ),
        { error: "must be a list of {keys, content} entries" },
      )
      .optional(),
    lore_scan_depth: z.number({ error: "must be a whole number" }).int("must be a whole number").positive("must be at least 1").optional(),
    lore_token_budget: z.number({ error: "must be a whole number" }).int("must be a whole number").positive("must be at least 1").optional(),
    params: paramsSchema.optional(),
    show_reasoning: showReasoningSchema.optional(),
  },
  {
    error: (issue) =>
      issue.code === "unrecognized_keys"
        ? `unknown field(s) ${issue.keys.join(", ")}; known fields are name, description, avatar, model, temperature, top_p, max_tokens, greeting, examples, tags, vision, post_history_instructions, lore, lore_scan_depth, lore_token_budget, params, show_reasoning`
        : "the front matter must be a YAML mapping of field: value lines",
  },
);

function fieldOf(path: readonly PropertyKey[]): string {
  if (path.length === 0) return "front matter";
  return path.map((part, i) => (typeof part === "number" ? `[${part}]` : i === 0 ? String(part) : `.${String(part)}`)).join("");
}

/** The persona id for a file name, or undefined when the name cannot be an id. */
export function personaIdOf(fileName: string): string | undefined {
  const id = fileName.replace(/\.md$/i, "");
  return PERSONA_ID.test(id) ? id : undefined;
}

/**
 * Parses one persona file's text. Returns the persona, or every problem found in it.
 * `file` is how the file is named in messages (e.g. `personas/quill.md`).
 */
export function parsePersona(
  file: string,
  fileName: string,
  source: string,
): { persona: Persona; problems?: undefined } | { persona?: undefined; problems: PersonaProblem[] } {
  const problem = (field: string, reason: string) => ({ problems: [{ file, field, reason }] });
  const id = personaIdOf(fileName);
  if (!id) return problem("file name", "must be lowercase letters, digits, - or _ (it becomes the persona id), ending in .md");

  const match = FRONT_MATTER.exec(source);
  if (!match) return problem("front matter", "the file must start with a --- line, YAML fields, and a closing --- line");

  // Parsed as a document so warnings (an unknown tag, say) become problems instead of stderr noise.
  const document = parseDocument(match[1] ?? "", { prettyErrors: false, logLevel: "silent" });
  const yamlIssue = document.errors[0] ?? document.warnings[0];
  if (yamlIssue) {
    // Line numbers count from the file's first line, the opening --- (hence + 1).
    const line = (match[1] ?? "").slice(0, yamlIssue.pos[0]).split("\n").length + 1;
    return problem("front matter", `is not valid YAML (line ${line}): ${yamlIssue.message.split("\n")[0]}`);
  }
  let data: unknown;
  try {
    // maxAliasCount: a "billion laughs" file is refused instead of expanded.
    data = document.toJS({ maxAliasCount: MAX_YAML_ALIASES }) ?? {};
  } catch (error) {
    return problem("front matter", `cannot be read: ${(error as Error).message}`);
  }

  const parsed = frontMatterSchema.safeParse(data);
  const body = source.slice(match[0].length).trim();
  const problems: PersonaProblem[] = parsed.success
    ? []
    : parsed.error.issues.map((issue) => ({ file, field: fieldOf(issue.path), reason: issue.message }));
  if (body.length === 0) problems.push({ file, field: "body", reason: "is empty; write the character's core prompt below the front matter" });
  if (!parsed.success || problems.length > 0) return { problems };

  const fm = parsed.data;
  return {
    persona: {
      id,
      file,
      name: fm.name,
      description: fm.description,
      avatar: fm.avatar,
      model: fm.model,
      temperature: fm.temperature,
      topP: fm.top_p,
      maxTokens: fm.max_tokens,
      greeting: fm.greeting,
      examples: fm.examples ?? [],
      tags: fm.tags ?? [],
      prompt: body,
      vision: fm.vision,
      postHistoryInstructions: fm.post_history_instructions,
      lore: fm.lore?.map((entry, order) => ({ keys: entry.keys, content: entry.content, constant: entry.constant, caseSensitive: entry.case_sensitive, order })),
      loreScanDepth: fm.lore ? (fm.lore_scan_depth ?? DEFAULT_LORE_SCAN_DEPTH) : undefined,
      loreTokenBudget: fm.lore ? (fm.lore_token_budget ?? DEFAULT_LORE_TOKEN_BUDGET) : undefined,
      params: fm.params,
      showReasoning: fm.show_reasoning,
    },
  };
}
