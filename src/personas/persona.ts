import type { ExtraParams } from "../llm/params.js";
import type { ShowReasoning } from "./model-options.js";

/** One few-shot exchange in the persona's voice; `user` is absent when the example holds only the character's lines. */
export interface PersonaExample {
  readonly user?: string;
  readonly assistant: string;
}

/**
 * How an entry's secondary keys combine with its primary match, as SillyTavern's World Info
 * names them (`world_info_logic` in public/scripts/world-info.js).
 */
export const SELECTIVE_LOGICS = ["and_any", "not_all", "not_any", "and_all"] as const;
export type SelectiveLogic = (typeof SELECTIVE_LOGICS)[number];

/**
 * Where an entry goes: before or after the character's definition (character card spec V2
 * `position`), or among the messages at a depth (SillyTavern's position 4, "@D").
 */
export const LORE_POSITIONS = ["before_char", "after_char", "at_depth"] as const;
export type LorePosition = (typeof LORE_POSITIONS)[number];
/** Who an at-depth entry speaks as (SillyTavern's `role`: 0 system, 1 user, 2 assistant). */
export const LORE_ROLES = ["system", "user", "assistant"] as const;
export type LoreRole = (typeof LORE_ROLES)[number];

/** A lorebook (World Info) entry: text added to the prompt when its keys come up. */
export interface LoreEntry {
  /** Primary keys: one must appear in the scanned messages. */
  readonly keys: readonly string[];
  /** Optional filter keys, combined with the primary match by `selectiveLogic`. */
  readonly secondaryKeys: readonly string[];
  /** False keeps the secondary keys but ignores them (card spec V2 `selective`). */
  readonly selective: boolean;
  readonly selectiveLogic: SelectiveLogic;
  readonly content: string;
  /** Always included, keys or not. */
  readonly constant: boolean;
  /** A disabled entry is kept in the file but never included. */
  readonly enabled: boolean;
  readonly caseSensitive: boolean;
  /** A one-word key matches only a whole word. */
  readonly matchWholeWords: boolean;
  /** Chance in percent that a triggered entry is included. */
  readonly probability: number;
  readonly position: LorePosition;
  /** For `at_depth`: how many messages from the end it goes, and as whom. */
  readonly depth: number;
  readonly role: LoreRole;
  /** Other entries' text cannot trigger this one; this one's text triggers no other. */
  readonly excludeRecursion: boolean;
  readonly preventRecursion: boolean;
  /** Inclusion group: of the triggered entries sharing a label, one is included. */
  readonly group?: string;
  readonly groupOverride: boolean;
  readonly groupWeight: number;
  /** Timed effects, in messages: stays active, cannot fire again, cannot fire before the chat has this many. */
  readonly sticky: number;
  readonly cooldown: number;
  readonly delay: number;
  /** Messages scanned for this entry's keys, instead of the book's scan depth. */
  readonly scanDepth?: number;
  /** Insertion order: higher wins the budget first and sits closer to the end of the prompt. */
  readonly order: number;
  /** The author's label; never sent to the model. */
  readonly comment?: string;
  /** What the card's entry held beyond these fields, or held in another spelling: written back on export (see card-remainder.ts). */
  readonly card?: CardRemainder;
}

/** The part of a character card Masque does not read into its own fields, kept as the card had it so an export loses nothing. */
export type CardRemainder = Readonly<Record<string, unknown>>;

/** A loaded, validated persona: a complete character with its model settings. */
export interface Persona {
  /** The file name without extension; what `/persona set` takes. */
  readonly id: string;
  /** The file it came from, for error messages. */
  readonly file: string;
  readonly name: string;
  /** What `{{char}}` becomes when set (a V3 card's `nickname`, SPEC_V3.md); the name stays the display name. */
  readonly nickname?: string;
  readonly description: string;
  /** A URL, or a path relative to the personas folder. */
  readonly avatar?: string;
  readonly model?: string;
  readonly temperature?: number;
  readonly topP?: number;
  readonly maxTokens?: number;
  /** The first message, macros not yet rendered. */
  readonly greeting?: string;
  /** Other opening messages to choose from (a card's alternate_greetings). */
  readonly greetings?: readonly string[];
  /** What {{user}} stands for in a greeting when nobody in particular is addressed. */
  readonly greetingUser?: string;
  /** Credit: who made the character, and which version of it this is. */
  readonly creator?: string;
  readonly characterVersion?: string;
  /** The creator's notes for people using the persona; never sent to the model. */
  readonly notes?: string;
  /** The notes in other languages, by ISO 639-1 code (a V3 card's `creator_notes_multilingual`). */
  readonly notesByLanguage?: Readonly<Record<string, string>>;
  /** Greetings only for a channel where it is one of a cast (a V3 card's `group_only_greetings`). */
  readonly groupGreetings?: readonly string[];
  readonly examples: readonly PersonaExample[];
  readonly tags: readonly string[];
  /** Short names people call it by in a channel with a cast ("Wren, ..."), besides its name. */
  readonly aliases: readonly string[];
  /** How eagerly it speaks up in a scene when nobody is addressed, 0 to 1 (SillyTavern's group chat field). */
  readonly talkativeness: number;
  /** The core prompt (the file's body; a card's `description`), macros not yet rendered. */
  readonly prompt: string;
  /** A card's `personality`, `scenario` and `system_prompt`, kept apart and assembled into the prompt only when it is built (see story.ts). */
  readonly personality?: string;
  readonly scenario?: string;
  readonly systemPrompt?: string;
  /** What the card held that no field above holds (V3 extras, other tools' extensions, the lorebook's name...), for export. */
  readonly card?: CardRemainder;
  /** The persona's model can see images (attachments are sent as image parts). */
  readonly vision?: boolean;
  /** Where it came from: a Markdown persona file or a character card. */
  readonly source?: "markdown" | "card";
  /** Instructions placed after the conversation history (character cards). */
  readonly postHistoryInstructions?: string;
  /** Lorebook entries (character cards). */
  readonly lore?: readonly LoreEntry[];
  /** How many recent messages are searched for lore keys. */
  readonly loreScanDepth?: number;
  /** Tokens the triggered lore may take at most; unset means a share of the context, as in SillyTavern. */
  readonly loreTokenBudget?: number;
  /** Provider-specific request fields (`reasoning_effort`, Ollama's `think`, OpenRouter's `provider`...). */
  readonly params?: ExtraParams;
  /** Whether a server sees the model's reasoning: off (default), as a spoiler, or as a file. */
  readonly showReasoning?: ShowReasoning;
}

/** What `{{char}}` stands for: the nickname when the persona has one, else its name (SPEC_V3.md, `nickname`). */
export function charName(persona: Pick<Persona, "name" | "nickname">): string {
  return persona.nickname ?? persona.name;
}

/**
 * The notes in a server's language (a Discord locale such as `fr` or `pt-BR`): the
 * multilingual note for the locale or its language, else the notes as written.
 */
export function notesIn(
  persona: Pick<Persona, "notes" | "notesByLanguage">,
  locale: string | undefined,
): string | undefined {
  const byLanguage = persona.notesByLanguage ?? {};
  const language = locale?.toLowerCase();
  return (language && (byLanguage[language] ?? byLanguage[language.split("-")[0] ?? ""])) || persona.notes;
}

/** One thing wrong with a persona file: which file, which field, and why. */
export interface PersonaProblem {
  readonly file: string;
  readonly field: string;
  readonly reason: string;
}

/** Formats a problem as `personas/x.md: field: reason`. */
export function formatProblem(problem: PersonaProblem): string {
  return `${problem.file}: ${problem.field}: ${problem.reason}`;
}

/** Thrown when start-up cannot go on because the default persona is missing or broken. */
export class PersonaError extends Error {
  constructor(
    message: string,
    readonly problems: readonly PersonaProblem[] = [],
  ) {
    super(problems.length > 0 ? `${message}\n${problems.map((p) => `  - ${formatProblem(p)}`).join("\n")}` : message);
    this.name = "PersonaError";
  }
}
