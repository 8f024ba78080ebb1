import type { Turn } from "../memory/turns.js";
import { loreBudget, selectLore } from "../personas/lore.js";
import { type MacroContext, renderMacros } from "../personas/macros.js";
import type { ChatMessage } from "../llm/client.js";
import type { LoreEntry, LoreRole, Persona } from "../personas/persona.js";
import type { PendingTurn } from "./prompt-parts.js";
import { countTokens, MESSAGE_OVERHEAD_TOKENS } from "./tokens.js";

/** A triggered entry, rendered: constant (the same on every message), and where it goes when it is placed at a depth. */
export interface TriggeredLore {
  readonly text: string;
  readonly constant: boolean;
  readonly atDepth?: { readonly depth: number; readonly role: LoreRole };
}

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
): TriggeredLore[] {
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
  return chosen.map((entry) => ({
    text: render(entry),
    constant: entry.constant,
    atDepth: entry.position === "at_depth" ? { depth: entry.depth, role: entry.role } : undefined,
  }));
}

/** What the at-depth entries cost, each as its own message. */
export function atDepthTokens(lore: readonly TriggeredLore[]): number {
  return lore.reduce((sum, entry) => sum + (entry.atDepth ? countTokens(entry.text) + MESSAGE_OVERHEAD_TOKENS : 0), 0);
}

/**
 * The chat's messages with the at-depth entries among them, as SillyTavern places position 4
 * ("@D"): `depth` messages before the end (0 is after the newest), as a message of the entry's
 * role, entries at the same depth and role joined [WI docs, "Position"; WI code, depth
 * prompts]. Only the last `depth` messages follow it, so the prompt's start, which a
 * provider's prefix cache serves, is untouched by it.
 */
export function withAtDepthLore(chat: readonly ChatMessage[], lore: readonly TriggeredLore[]): ChatMessage[] {
  const byPlace = new Map<string, { at: number; role: LoreRole; texts: string[] }>();
  for (const entry of lore) {
    if (!entry.atDepth) continue;
    const place = `${entry.atDepth.depth}:${entry.atDepth.role}`;
    const group = byPlace.get(place) ?? {
      at: Math.max(0, chat.length - entry.atDepth.depth),
      role: entry.atDepth.role,
      texts: [],
    };
    group.texts.push(entry.text);
    byPlace.set(place, group);
  }
  const places = [...byPlace.values()];
  const insertedAt = (index: number): ChatMessage[] =>
    places.filter((p) => p.at === index).map((p) => ({ role: p.role, content: p.texts.join("\n") }));
  return [...chat.flatMap((message, index) => [...insertedAt(index), message]), ...insertedAt(chat.length)];
}
