import type { ChatMessage } from "../llm/client.js";
import type { MacroContext } from "../personas/macros.js";
import type { Persona } from "../personas/persona.js";
import type { Turn } from "../memory/turns.js";
import {
  type PendingTurn,
  type PersonaNames,
  type PersonNotes,
  peopleSection,
  personaNames,
  type QuotedMessage,
  quoteLine,
  type RecalledTurn,
  type SummaryNote,
  turnMessage,
} from "./prompt-parts.js";
import { newMessages, promptMessages, shownMacros } from "./prompt-messages.js";
import { closingParts, noteOf, promptLore, recalledSection, recallShare, summarySection } from "./prompt-sections.js";
import { systemPrompt, systemTokens } from "./system-prompt.js";
import { countTokens, fitInOrder, MESSAGE_OVERHEAD_TOKENS } from "./tokens.js";

export {
  DIRECTION_CLOSING,
  DIRECTION_OPENING,
  IMAGE_TOKENS,
  type ImageRef,
  INTERRUPTED_MARK,
  MAX_QUOTE_CHARS,
  MAX_RECALLED_CHARS,
  NOTE_CLOSING,
  NOTE_OPENING,
  PEOPLE_HEADING,
  type PendingTurn,
  type PersonaNames,
  type PersonNotes,
  type QuotedMessage,
  RECALL_HEADING,
  RECALL_MAX_SHARE,
  type RecalledTurn,
  SUMMARY_HEADING,
  type SummaryNote,
} from "./prompt-parts.js";
export { triggeredLore } from "./lore-section.js";
export { systemPrompt, systemTokens } from "./system-prompt.js";

/** Room kept for the reply when the persona sets no max_tokens. */
export const DEFAULT_REPLY_RESERVE_TOKENS = 1000;
/**
 * When the summarizer is behind and the turns after the summary no longer all fit, the
 * window's start moves forward in steps of this share of the budget, never one turn per
 * message (each move breaks a provider's prefix cache from there on).
 */
export const WINDOW_STEP_SHARE = 0.25;

export interface PromptInput {
  readonly persona: Persona;
  readonly macros: MacroContext;
  /** Stored turns not covered by the summary, newest first; only as many as fit are used. */
  readonly history: readonly Turn[];
  /** The tokens of the stored turns after the summary that are older than `history` (default 0: it holds them all). */
  readonly olderTokens?: number;
  /** The summary of the turns before `history`. */
  readonly summary?: SummaryNote;
  /** What the people in the conversation told about themselves (people notes), shown after the summary. */
  readonly people?: readonly PersonNotes[];
  /** Older turns related to the new message, most relevant first; all older than any turn of `history`. */
  readonly recalled?: readonly RecalledTurn[];
  readonly newTurns: readonly PendingTurn[];
  readonly quoted?: QuotedMessage;
  readonly contextTokens: number;
  /**
   * A direction for this reply alone (a scene's topic, whose line it is), shown after the new
   * messages as nobody's words; with no new messages it is all the persona answers.
   */
  readonly direction?: string;
  /**
   * Every persona's name and aliases (the registry's): a person by one of these names is shown
   * as a person, never taken for the persona. The answering persona's are always counted.
   */
  readonly personaNames?: readonly string[];
}

export interface BuiltPrompt {
  readonly messages: ChatMessage[];
  /** Tokens of the prompt as counted. */
  readonly tokens: number;
  /** How many stored turns made it in. */
  readonly historyTurns: number;
  /** The tokens the window of stored turns has room for when recall takes its whole share; the summarizer keeps the window within this. */
  readonly historyRoom: number;
  readonly examplesIncluded: boolean;
  readonly summaryIncluded: boolean;
  /** How many recalled turns made it in. */
  readonly recalledTurns: number;
}

/** The new message alone does not fit the context, even with no history. */
export class PromptTooLongError extends Error {
  constructor(
    readonly tokens: number,
    readonly limit: number,
  ) {
    super(`The message needs ${tokens} tokens but only ${limit} fit in the context.`);
    this.name = "PromptTooLongError";
  }
}

/** The room kept free for the model's answer. */
export function replyReserve(persona: Persona, contextTokens: number): number {
  return Math.min(persona.maxTokens ?? DEFAULT_REPLY_RESERVE_TOKENS, Math.floor(contextTokens / 2));
}

/** The system prompt with its examples if they fit beside `fixedTokens`, without them if not; throws PromptTooLongError when neither fits. */
function fitSystem(
  persona: Persona,
  macros: MacroContext,
  budget: number,
  fixedTokens: number,
): { system: string; cost: number; examplesIncluded: boolean } {
  const withExamples =
    persona.examples.length > 0 &&
    systemTokens(persona, macros, true) + MESSAGE_OVERHEAD_TOKENS + fixedTokens <= budget;
  const cost = systemTokens(persona, macros, withExamples) + MESSAGE_OVERHEAD_TOKENS;
  if (cost + fixedTokens > budget) throw new PromptTooLongError(cost + fixedTokens, budget);
  return { system: systemPrompt(persona, macros, withExamples), cost, examplesIncluded: withExamples };
}

/**
 * The newest turns of `history` that fit `room`. When not every turn after the summary fits,
 * the start is counted in tokens from the summary's end (`olderTokens` lie before `history`)
 * and put on the first multiple of `step` at or after the oldest turn that fits: the same
 * start message after message, until the newest turns push the window past the next one.
 */
function fitWindow(
  history: readonly Turn[],
  room: number,
  olderTokens: number,
  step: number,
): { turns: readonly Turn[]; tokens: number } {
  const fit = fitInOrder(history, room);
  if (fit.count === history.length && olderTokens === 0) return { turns: history, tokens: fit.tokens };
  let offset = olderTokens;
  for (let i = history.length - 1; i >= fit.count; i--) offset += history[i]!.tokenCount;
  const start = Math.ceil(offset / step) * step;
  let { count, tokens } = fit;
  for (; count > 0 && offset < start; count--) {
    offset += history[count - 1]!.tokenCount;
    tokens -= history[count - 1]!.tokenCount;
  }
  // A room smaller than a step could leave nothing: the newest turns that fit, then.
  return count > 0
    ? { turns: history.slice(0, count), tokens }
    : { turns: history.slice(0, fit.count), tokens: fit.tokens };
}

/** The quoted message's line and cost when it fits in `room`; none (costing nothing) when it does not. */
function fitQuote(
  quoted: QuotedMessage | undefined,
  personas: PersonaNames,
  room: number,
): { line?: string; cost: number } {
  const line = quoted ? quoteLine(quoted, personas) : undefined;
  const cost = line ? countTokens(line) + 1 : 0;
  return line !== undefined && cost <= room ? { line, cost } : { cost: 0 };
}

/**
 * What memory adds, each part if it fits after `space.used`: the summary and the people's
 * notes at the end of the system prompt, then recalled turns for the note; with the room
 * the summarizer keeps the window within (counted as if recall took its whole share).
 */
function memorySections(
  input: PromptInput,
  personas: PersonaNames,
  space: { budget: number; used: number; framed: boolean },
) {
  const { budget } = space;
  let used = space.used;
  const summary = summarySection(input.summary, budget, used);
  used += summary.cost;
  const people = peopleSection(input.people, personas, budget, used);
  used += people.cost;
  const historyRoom = Math.max(0, budget - used - recallShare(budget));
  const recalled = recalledSection(input.recalled, input.persona, personas, { ...space, used });
  return { summary, people, recalled, historyRoom, used: used + recalled.cost };
}

/**
 * Builds the prompt from the most stable part to the least, so a provider's prefix cache
 * serves all but the end of it: the system prompt with the rolling summary at its end
 * and constant lore (they change only when the persona file changes or a summary is folded in), then the
 * stored turns after the summary, oldest first (the window only grows, and its start
 * moves when a summary is folded in, or in big steps while the summarizer is behind),
 * then the new message with a note after it (triggered lore and recalled turns, which
 * change with every message) and the post-history instructions. What gets room first: the system prompt and the new
 * message, the quoted message, the summary, recalled turns (at most RECALL_MAX_SHARE of
 * the budget), then the window. Examples are dropped before the new message would not
 * fit; a new message that cannot fit at all throws PromptTooLongError.
 */
export function buildPrompt(input: PromptInput): BuiltPrompt {
  const { persona, contextTokens } = input;
  const personas = personaNames([persona.name, ...persona.aliases, ...(input.personaNames ?? [])]);
  const macros = shownMacros(input.macros, personas);
  const budget = contextTokens - replyReserve(persona, contextTokens);
  const newTokens = input.newTurns.reduce((sum, t) => sum + t.tokenCount, 0);
  const lore = promptLore(persona, input, macros, contextTokens);
  const closing = closingParts(persona, input.direction, macros);
  // What must fit besides the system prompt: the new messages, triggered lore, the direction, post-history instructions.
  const fixedTokens = newTokens + lore.tokens + closing.tokens;
  const { system, cost: systemCost, examplesIncluded } = fitSystem(persona, macros, budget, fixedTokens);

  // Room for the quoted message is kept first; it is dropped if it does not fit or the window holds it anyway.
  const quote = fitQuote(input.quoted, personas, budget - systemCost - fixedTokens);
  let used = systemCost + fixedTokens + quote.cost;
  const { summary, people, recalled, historyRoom, ...memory } = memorySections(input, personas, {
    budget,
    used,
    framed: lore.keyed !== undefined,
  });
  used = memory.used;

  const window = fitWindow(
    input.history,
    budget - used,
    input.olderTokens ?? 0,
    Math.max(1, Math.floor(budget * WINDOW_STEP_SHARE)),
  );
  const included = [...window.turns];
  used += window.tokens;
  const quoted = input.quoted;
  const quoteInWindow =
    quoted !== undefined && included.some((t) => t.id === quoted.turnId || t.messageId === quoted.messageId);
  if (quoteInWindow) used -= quote.cost;
  const note = noteOf([lore.keyed, recalled.section].filter((section) => section !== undefined));
  const systemSections = [system, lore.constant, summary.section, people.section].filter(
    (section) => section !== undefined,
  );

  return {
    messages: promptMessages({
      system: systemSections.join("\n\n"),
      window: included.reverse().map((t) => turnMessage(t, persona, personas)),
      newTurns: newMessages(input.newTurns, personas, {
        quote: quoteInWindow ? undefined : quote.line,
        note,
        direction: closing.direction,
      }),
      atDepthLore: lore.entries,
      postHistory: closing.postHistory,
    }),
    tokens: used,
    historyTurns: included.length,
    historyRoom,
    examplesIncluded,
    summaryIncluded: summary.section !== undefined,
    recalledTurns: recalled.turns,
  };
}
