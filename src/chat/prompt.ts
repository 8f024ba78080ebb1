import type { ChatMessage } from "../llm/client.js";
import { type MacroContext, renderMacros } from "../personas/macros.js";
import type { Persona } from "../personas/persona.js";
import type { Turn } from "../memory/turns.js";
import {
  fitRecalled,
  LORE_HEADING,
  mergeNeighbours,
  type PendingTurn,
  type QuotedMessage,
  quoteLine,
  RECALL_HEADING,
  RECALL_MAX_SHARE,
  type RecalledTurn,
  SECTION_JOIN_TOKENS,
  SUMMARY_HEADING,
  type SummaryNote,
  sectionHeadingTokens,
  turnMessage,
} from "./prompt-parts.js";
import { triggeredLore } from "./lore-section.js";
import { systemPrompt, systemTokens } from "./system-prompt.js";
import { countTokens, fitInOrder, MESSAGE_OVERHEAD_TOKENS } from "./tokens.js";

export {
  IMAGE_TOKENS,
  type ImageRef,
  INTERRUPTED_MARK,
  MAX_QUOTE_CHARS,
  MAX_RECALLED_CHARS,
  type PendingTurn,
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

export interface PromptInput {
  readonly persona: Persona;
  readonly macros: MacroContext;
  /** Stored turns not covered by the summary, newest first; only as many as fit are used. */
  readonly history: readonly Turn[];
  /** The summary of the turns before `history`. */
  readonly summary?: SummaryNote;
  /** Older turns related to the new message, most relevant first; all older than any turn of `history`. */
  readonly recalled?: readonly RecalledTurn[];
  readonly newTurns: readonly PendingTurn[];
  readonly quoted?: QuotedMessage;
  readonly contextTokens: number;
}

export interface BuiltPrompt {
  readonly messages: ChatMessage[];
  /** Tokens of the prompt as counted. */
  readonly tokens: number;
  /** How many stored turns made it in. */
  readonly historyTurns: number;
  /** The tokens the window of stored turns had room for; the summarizer keeps its newest turns within this. */
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
function fitSystem(persona: Persona, macros: MacroContext, budget: number, fixedTokens: number): { system: string; cost: number; examplesIncluded: boolean } {
  const withExamples = persona.examples.length > 0 && systemTokens(persona, macros, true) + MESSAGE_OVERHEAD_TOKENS + fixedTokens <= budget;
  const cost = systemTokens(persona, macros, withExamples) + MESSAGE_OVERHEAD_TOKENS;
  if (cost + fixedTokens > budget) throw new PromptTooLongError(cost + fixedTokens, budget);
  return { system: systemPrompt(persona, macros, withExamples), cost, examplesIncluded: withExamples };
}

/** The sections appended to the system prompt, in order: triggered lore, the summary if it fits, recalled turns within their share. */
function systemSections(input: PromptInput, lore: string | undefined, budget: number, used: number) {
  const sections: string[] = lore ? [lore] : [];
  const summaryCost = input.summary ? sectionHeadingTokens(SUMMARY_HEADING) + input.summary.tokenCount : 0;
  const summaryIncluded = input.summary !== undefined && used + summaryCost <= budget;
  if (summaryIncluded) {
    sections.push(`${SUMMARY_HEADING}\n${input.summary!.content}`);
    used += summaryCost;
  }
  const recallHeadingTokens = sectionHeadingTokens(RECALL_HEADING);
  const recallRoom = Math.min(budget - used, Math.floor(budget * RECALL_MAX_SHARE)) - recallHeadingTokens;
  const recalled = input.recalled && recallRoom > 0 ? fitRecalled(input.recalled, input.persona, recallRoom) : { lines: [], tokens: 0 };
  if (recalled.lines.length > 0) {
    sections.push(`${RECALL_HEADING}\n${recalled.lines.join("\n")}`);
    used += recallHeadingTokens + recalled.tokens;
  }
  return { sections, used, summaryIncluded, recalledTurns: recalled.lines.length };
}

/** The new turns as user messages (images as parts), the quote before the newest one's text. */
function newMessages(newTurns: readonly PendingTurn[], quote: string | undefined): ChatMessage[] {
  const lastIndex = newTurns.length - 1;
  return newTurns.map((t, i) => {
    const text = quote !== undefined && i === lastIndex ? `${t.authorName}: ${quote}\n${t.content}` : `${t.authorName}: ${t.content}`;
    if (!t.images?.length) return { role: "user", content: text };
    return { role: "user", content: [{ type: "text", text }, ...t.images.map((image) => ({ type: "image_url" as const, image_url: { url: image.url } }))] };
  });
}

/**
 * Builds the prompt: system prompt (with the rolling summary and any recalled turns as
 * labelled sections), then as many of the newest stored turns as fit the budget (context
 * minus the reply reserve), then the new turns. What gets room first: the system prompt
 * and the new message, the quoted message, the summary, recalled turns (at most
 * RECALL_MAX_SHARE of the budget), then the window. Examples are dropped before the new
 * message would not fit; a new message that cannot fit at all throws PromptTooLongError.
 */
export function buildPrompt(input: PromptInput): BuiltPrompt {
  const { persona, macros, contextTokens } = input;
  const budget = contextTokens - replyReserve(persona, contextTokens);
  const newTokens = input.newTurns.reduce((sum, t) => sum + t.tokenCount, 0);
  const lore = triggeredLore(persona, input.newTurns, input.history, macros, input.contextTokens);
  const loreSection = lore.length > 0 ? `${LORE_HEADING}\n${lore.map((entry) => `- ${entry}`).join("\n")}` : undefined;
  const loreTokens = loreSection ? countTokens(loreSection) + SECTION_JOIN_TOKENS : 0;
  const postHistory = persona.postHistoryInstructions ? renderMacros(persona.postHistoryInstructions, macros) : undefined;
  const postHistoryTokens = postHistory ? countTokens(postHistory) + MESSAGE_OVERHEAD_TOKENS : 0;
  // What must fit besides the system prompt: the new messages, triggered lore, post-history instructions.
  const fixedTokens = newTokens + loreTokens + postHistoryTokens;
  const { system, cost: systemCost, examplesIncluded } = fitSystem(persona, macros, budget, fixedTokens);

  // Room for the quoted message is kept first; it is dropped if it does not fit or the window holds it anyway.
  const quote = input.quoted ? quoteLine(input.quoted) : undefined;
  const quoteCost = quote ? countTokens(quote) + 1 : 0;
  const quoteFits = quote !== undefined && systemCost + fixedTokens + quoteCost <= budget;
  const extra = systemSections(input, loreSection, budget, systemCost + fixedTokens + (quoteFits ? quoteCost : 0));
  let used = extra.used;

  const historyRoom = budget - used;
  const window = fitInOrder(input.history, historyRoom);
  const included = input.history.slice(0, window.count);
  used += window.tokens;
  const quoted = input.quoted;
  const quoteInWindow = quoted !== undefined && included.some((t) => t.id === quoted.turnId || t.messageId === quoted.messageId);
  if (quoteFits && quoteInWindow) used -= quoteCost;

  return {
    messages: mergeNeighbours([
      { role: "system", content: [system, ...extra.sections].join("\n\n") },
      ...included.reverse().map((t) => turnMessage(t, persona)),
      ...newMessages(input.newTurns, quoteFits && !quoteInWindow ? quote : undefined),
      ...(postHistory ? [{ role: "system" as const, content: postHistory }] : []),
    ]),
    tokens: used,
    historyTurns: included.length,
    historyRoom,
    examplesIncluded,
    summaryIncluded: extra.summaryIncluded,
    recalledTurns: extra.recalledTurns,
  };
}
