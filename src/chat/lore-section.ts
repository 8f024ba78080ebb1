import type { Turn } from "../memory/turns.js";
import { loreBudget, selectLore } from "../personas/lore.js";
import { type MacroContext, renderMacros } from "../personas/macros.js";
import type { LoreEntry, Persona } from "../personas/persona.js";
import type { PendingTurn } from "./prompt-parts.js";
import { countTokens } from "./tokens.js";

/** What joining one lore line ("- text") onto the section costs beyond its text. */
const LORE_LINE_TOKENS = 2;

/**
 * The triggered lorebook entries, rendered, in prompt order, each saying whether it is
 * constant (the same on every message): SillyTavern's World Info rules
 * (see personas/lore.ts) over the new messages and the newest stored turns, within the
 * persona's lore budget.
 */
export function triggeredLore(
  persona: Persona,
  newTurns: readonly PendingTurn[],
  history: readonly Turn[],
  macros: MacroContext,
  contextTokens: number,
): Array<{ text: string; constant: boolean }> {
  if (!persona.lore?.length) return [];
  const messages = [
    ...[...newTurns].reverse().map((t) => `${t.authorName}: ${t.content}`),
    ...history.map((t) => `${t.authorName}: ${t.content}`),
  ];
  // Only triggered entries are rendered, once: a big lorebook mostly stays untouched.
  const rendered = new Map<LoreEntry, string>();
  const render = (entry: LoreEntry) => {
    let text = rendered.get(entry);
    if (text === undefined) {
      text = renderMacros(entry.content, macros);
      rendered.set(entry, text);
    }
    return text;
  };
  const chosen = selectLore(persona.lore, persona.loreScanDepth ?? 0, {
    messages,
    budget: loreBudget(persona, contextTokens),
    cost: (entry) => countTokens(render(entry)) + LORE_LINE_TOKENS,
    renderKey: (key) => renderMacros(key, macros),
    random: macros.random,
  });
  return chosen.map((entry) => ({ text: render(entry), constant: entry.constant }));
}
