import { loreBudget } from "../personas/lore.js";
import type { MacroContext } from "../personas/macros.js";
import { charName, type Persona, type PersonaProblem } from "../personas/persona.js";
import { replyReserve, systemPrompt, systemTokens } from "./prompt.js";
import { countTokens, MESSAGE_OVERHEAD_TOKENS } from "./tokens.js";

/** Macro values for sizing a prompt before any conversation: names cost about this much. */
function sizingMacros(persona: Persona): MacroContext {
  return {
    char: charName(persona),
    user: "someone",
    server: "a server",
    channel: "a channel",
    date: new Date(0),
    random: () => 0,
  };
}

/**
 * What every prompt of this persona needs at least: its system prompt with the examples
 * dropped, its post-history instructions, and the room kept for the reply.
 */
export function fixedPromptTokens(persona: Persona, contextTokens: number): number {
  const macros = sizingMacros(persona);
  const post = persona.postHistoryInstructions
    ? countTokens(persona.postHistoryInstructions) + MESSAGE_OVERHEAD_TOKENS
    : 0;
  return systemTokens(persona, macros, false) + MESSAGE_OVERHEAD_TOKENS + post + replyReserve(persona, contextTokens);
}

/**
 * A cl100k token is at least one byte of UTF-8, so a text of `bytes` bytes is at most that
 * many tokens. Checking this first keeps the tokenizer (tens of MB) from loading at start-up
 * for personas that plainly fit, as nearly all do.
 */
function surelyFits(bytes: number, room: number): boolean {
  return bytes < room;
}

/**
 * A persona whose fixed prompt leaves no room in CONTEXT_TOKENS could never answer; it is
 * reported (and skipped) when it loads, rather than blamed on a user's "hello".
 */
export function contextProblem(persona: Persona, contextTokens: number): PersonaProblem | undefined {
  const textBytes =
    Buffer.byteLength(systemPrompt(persona, sizingMacros(persona), false)) +
    Buffer.byteLength(persona.postHistoryInstructions ?? "");
  const overheads = 2 * MESSAGE_OVERHEAD_TOKENS + replyReserve(persona, contextTokens);
  if (surelyFits(textBytes + overheads, contextTokens)) return undefined;
  const needed = fixedPromptTokens(persona, contextTokens);
  if (needed < contextTokens) return undefined;
  return {
    file: persona.file,
    field: "prompt",
    reason: `needs ${needed} tokens (core prompt, rules, post-history instructions and the reply's room) but CONTEXT_TOKENS is ${contextTokens}; shorten the persona or raise CONTEXT_TOKENS`,
  };
}

/** Lore entries that can never be inserted, because alone they overrun the lore budget. */
export function loreWarnings(persona: Persona, contextTokens: number): PersonaProblem[] {
  const budget = loreBudget(persona, contextTokens);
  const warnings: PersonaProblem[] = [];
  persona.lore?.forEach((entry, index) => {
    if (!entry.enabled || surelyFits(Buffer.byteLength(entry.content), budget + 1)) return;
    const tokens = countTokens(entry.content);
    if (tokens <= budget) return;
    warnings.push({
      file: persona.file,
      field: `lore[${index}]`,
      reason: `is ${tokens} tokens, more than the lore budget of ${budget} tokens, so it can never be inserted; shorten it or raise lore_token_budget`,
    });
  });
  return warnings;
}
