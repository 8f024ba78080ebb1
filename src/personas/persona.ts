import type { ExtraParams } from "../llm/params.js";
import type { ShowReasoning } from "./model-options.js";
/** One few-shot exchange in the persona's voice. */
export interface PersonaExample {
  readonly user: string;
  readonly assistant: string;
}

/** A lorebook entry (from a character card's character_book): text added when its keys come up. */
export interface LoreEntry {
  readonly keys: readonly string[];
  readonly content: string;
  /** Always included, keys or not. */
  readonly constant: boolean;
  readonly caseSensitive: boolean;
  /** Lower first. */
  readonly order: number;
}

/** A loaded, validated persona: a complete character with its model settings. */
export interface Persona {
  /** The file name without extension; what `/persona set` takes. */
  readonly id: string;
  /** The file it came from, for error messages. */
  readonly file: string;
  readonly name: string;
  readonly description: string;
  /** A URL, or a path relative to the personas folder. */
  readonly avatar?: string;
  readonly model?: string;
  readonly temperature?: number;
  readonly topP?: number;
  readonly maxTokens?: number;
  readonly greeting?: string;
  readonly examples: readonly PersonaExample[];
  readonly tags: readonly string[];
  /** The core prompt (the file's body), macros not yet rendered. */
  readonly prompt: string;
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
  /** Tokens the triggered lore may take at most. */
  readonly loreTokenBudget?: number;
  /** Provider-specific request fields (`reasoning_effort`, Ollama's `think`, OpenRouter's `provider`...). */
  readonly params?: ExtraParams;
  /** Whether a server sees the model's reasoning: off (default), as a spoiler, or as a file. */
  readonly showReasoning?: ShowReasoning;
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
