import { z } from "zod";
import type { LoreEntry, Persona, PersonaExample, PersonaProblem } from "./persona.js";
import { DEFAULT_LORE_SCAN_DEPTH, DEFAULT_LORE_TOKEN_BUDGET, MAX_DESCRIPTION_LENGTH, MAX_NAME_LENGTH, withoutControlCharacters } from "./parse.js";
import { isPng, PngError, readPngTextChunks } from "./png.js";


const text = z.string().optional().catch(undefined);

const loreEntrySchema = z.looseObject({
  keys: z.array(z.string()).catch([]),
  secondary_keys: z.array(z.string()).optional().catch(undefined),
  content: z.string().catch(""),
  enabled: z.boolean().optional().catch(true),
  constant: z.boolean().optional().catch(false),
  case_sensitive: z.boolean().optional().catch(false),
  insertion_order: z.number().optional().catch(0),
  priority: z.number().optional().catch(undefined),
  name: z.string().optional().catch(undefined),
  comment: z.string().optional().catch(undefined),
});

const cardDataSchema = z.looseObject({
  name: z.string({ error: "must be the character's name" }).trim().min(1, "must not be empty"),
  description: text,
  personality: text,
  scenario: text,
  first_mes: text,
  mes_example: text,
  creator_notes: text,
  system_prompt: text,
  post_history_instructions: text,
  tags: z.array(z.string()).optional().catch(undefined),
  character_book: z
    .looseObject({
      scan_depth: z.number().int().positive().optional().catch(undefined),
      token_budget: z.number().int().positive().optional().catch(undefined),
      entries: z.array(z.unknown()).catch([]),
    })
    .optional()
    .catch(undefined),
});

type CardData = z.infer<typeof cardDataSchema>;

/** Turns SillyTavern's `<BOT>`/`<USER>` placeholders into this project's macros. */
function normaliseMacros(value: string): string {
  return value.replace(/<BOT>/gi, "{{char}}").replace(/<USER>/gi, "{{user}}").replace(/\{\{\s*(char|user)\s*\}\}/gi, (_m, n: string) => `{{${n.toLowerCase()}}}`);
}

/** The card's JSON from a PNG's `ccv3` (preferred) or `chara` text chunk. */
export function cardJsonFromPng(bytes: Uint8Array): string {
  const chunks = readPngTextChunks(bytes);
  const encoded = chunks.get("ccv3") ?? chunks.get("chara");
  if (encoded === undefined) throw new PngError("the PNG has no character card (no tEXt chunk named chara or ccv3)");
  return Buffer.from(encoded, "base64").toString("utf8");
}

/** V2/V3 cards keep their fields under `data`; V1 cards are flat. */
function cardData(json: unknown): unknown {
  if (json && typeof json === "object" && "spec" in json && "data" in json) return (json as { data: unknown }).data;
  return json;
}

/**
 * Splits `mes_example` on `<START>` into exchanges. Lines starting `{{user}}:` are the
 * person's, `{{char}}:` the character's; an exchange without both is dropped.
 */
export function parseExampleDialogue(mesExample: string): PersonaExample[] {
  const examples: PersonaExample[] = [];
  for (const block of normaliseMacros(mesExample).split(/<START>/i)) {
    let user = "";
    let assistant = "";
    let speaker: "user" | "char" | undefined;
    for (const line of block.split("\n")) {
      const match = /^\s*\{\{(user|char)\}\}:\s?(.*)$/.exec(line);
      if (match) {
        if (match[1] === "user" && assistant) {
          if (user) examples.push({ user: user.trim(), assistant: assistant.trim() });
          user = "";
          assistant = "";
        }
        speaker = match[1] as "user" | "char";
      }
      const content = match ? (match[2] ?? "") : line;
      if (speaker === "user") user += `${content}\n`;
      else if (speaker === "char") assistant += `${content}\n`;
    }
    if (user.trim() && assistant.trim()) examples.push({ user: user.trim(), assistant: assistant.trim() });
  }
  return examples;
}

function loreOf(data: CardData): { entries: LoreEntry[]; scanDepth: number; tokenBudget: number } {
  const book = data.character_book;
  const entries: LoreEntry[] = [];
  for (const raw of book?.entries ?? []) {
    const parsed = loreEntrySchema.safeParse(raw);
    if (!parsed.success || parsed.data.enabled === false || parsed.data.content.trim() === "") continue;
    const e = parsed.data;
    entries.push({
      keys: e.keys.map((k) => k.trim()).filter(Boolean),
      content: normaliseMacros(e.content.trim()),
      constant: e.constant === true,
      caseSensitive: e.case_sensitive === true,
      order: e.insertion_order ?? 0,
    });
  }
  return { entries, scanDepth: book?.scan_depth ?? DEFAULT_LORE_SCAN_DEPTH, tokenBudget: book?.token_budget ?? DEFAULT_LORE_TOKEN_BUDGET };
}

function oneLine(value: string | undefined, max: number): string | undefined {
  const line = value?.replace(/\s+/g, " ").trim();
  if (!line) return undefined;
  return line.length > max ? `${line.slice(0, max - 1).trimEnd()}…` : line;
}

/** The core prompt a card describes: its system prompt, then description, personality and scenario. */
function cardPrompt(data: CardData): string {
  const original = [
    data.description?.trim(),
    data.personality?.trim() && `{{char}}'s personality: ${data.personality.trim()}`,
    data.scenario?.trim() && `Scenario: ${data.scenario.trim()}`,
  ]
    .filter(Boolean)
    .join("\n\n");
  const system = data.system_prompt?.trim();
  // A card's system prompt may place the usual prompt with {{original}}.
  const prompt = system ? (/\{\{original\}\}/i.test(system) ? system.replace(/\{\{original\}\}/gi, original) : `${system}\n\n${original}`) : original;
  return normaliseMacros(prompt.trim());
}

/**
 * Parses a SillyTavern character card (V1/V2/V3 JSON, or a PNG carrying one) into a
 * persona. A PNG card's image becomes the persona's avatar.
 */
export function parseCard(
  file: string,
  id: string,
  fileName: string,
  bytes: Uint8Array,
): { persona: Persona; problems?: undefined } | { persona?: undefined; problems: PersonaProblem[] } {
  const problem = (field: string, reason: string) => ({ problems: [{ file, field, reason }] });
  const png = isPng(bytes);
  let json: unknown;
  try {
    // Editors on Windows often save JSON with a byte order mark, which JSON.parse refuses.
    json = JSON.parse((png ? cardJsonFromPng(bytes) : Buffer.from(bytes).toString("utf8")).replace(/^\uFEFF/, ""));
  } catch (error) {
    return problem("card", error instanceof PngError ? error.message : `is not valid card JSON: ${(error as Error).message}`);
  }
  const parsed = cardDataSchema.safeParse(cardData(json));
  if (!parsed.success) {
    return { problems: parsed.error.issues.map((issue) => ({ file, field: issue.path.join(".") || "card", reason: issue.message })) };
  }
  const data = parsed.data;
  const prompt = cardPrompt(data);
  if (!prompt) return problem("description", "is empty; the card needs a description, personality or scenario to build the prompt from");
  const lore = loreOf(data);
  const name = withoutControlCharacters(data.name).replace(/\s+/g, " ").trim().slice(0, MAX_NAME_LENGTH);
  if (!name) return problem("name", "must have visible characters");
  return {
    persona: {
      id,
      file,
      source: "card",
      name,
      description: oneLine(data.creator_notes, MAX_DESCRIPTION_LENGTH) ?? oneLine(data.description?.replace(/\{\{char\}\}|<BOT>/gi, name), MAX_DESCRIPTION_LENGTH) ?? name,
      avatar: png ? fileName : undefined,
      greeting: data.first_mes?.trim() ? normaliseMacros(data.first_mes.trim()) : undefined,
      examples: data.mes_example ? parseExampleDialogue(data.mes_example) : [],
      tags: data.tags ?? [],
      prompt,
      postHistoryInstructions: data.post_history_instructions?.trim() ? normaliseMacros(data.post_history_instructions.trim()) : undefined,
      lore: lore.entries.length > 0 ? lore.entries : undefined,
      loreScanDepth: lore.scanDepth,
      loreTokenBudget: lore.tokenBudget,
    },
  };
}
