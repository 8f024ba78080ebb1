// The parts of a prompt besides the window: the summary, recalled turns, lore and the
// note that carries them, and what closes the prompt; each with what it costs.
import type { Turn } from "../memory/turns.js";
import { type MacroContext, renderMacros } from "../personas/macros.js";
import type { Persona } from "../personas/persona.js";
import { atDepthTokens, triggeredLore } from "./lore-section.js";
import {
  directionLine,
  fitRecalled,
  LORE_HEADING,
  NOTE_CLOSING,
  NOTE_OPENING,
  type PendingTurn,
  type PersonaNames,
  RECALL_HEADING,
  RECALL_MAX_SHARE,
  type RecalledTurn,
  SECTION_JOIN_TOKENS,
  SUMMARY_HEADING,
  type SummaryNote,
  sectionHeadingTokens,
} from "./prompt-parts.js";
import { countTokens, MESSAGE_OVERHEAD_TOKENS } from "./tokens.js";

/** What the note's opening and closing lines cost. */
export const noteFrameTokens = () => sectionHeadingTokens(NOTE_OPENING) + sectionHeadingTokens(NOTE_CLOSING);

/** The most recalled turns may take: the window's room is counted without it, so it does not move with what this message recalls. */
export const recallShare = (budget: number) => Math.floor(budget * RECALL_MAX_SHARE);

/** The rolling summary, for the end of the system prompt, if it fits. */
export function summarySection(
  summary: SummaryNote | undefined,
  budget: number,
  used: number,
): { section?: string; cost: number } {
  if (!summary) return { cost: 0 };
  const cost = sectionHeadingTokens(SUMMARY_HEADING) + summary.tokenCount;
  return used + cost <= budget ? { section: `${SUMMARY_HEADING}\n${summary.content}`, cost } : { cost: 0 };
}

/** The recalled turns that fit their share, as a section of the note; its cost includes the note's frame when there is no lore to carry it. */
export function recalledSection(
  turns: readonly RecalledTurn[] | undefined,
  persona: Persona,
  personas: PersonaNames,
  space: { budget: number; used: number; framed: boolean },
): { section?: string; cost: number; turns: number } {
  const { budget, used, framed } = space;
  const heading = sectionHeadingTokens(RECALL_HEADING);
  const frame = framed ? 0 : noteFrameTokens();
  const room = Math.min(budget - used - frame, recallShare(budget)) - heading;
  const recalled = turns && room > 0 ? fitRecalled(turns, persona, personas, room) : { lines: [], tokens: 0 };
  if (recalled.lines.length === 0) return { cost: 0, turns: 0 };
  return {
    section: `${RECALL_HEADING}\n${recalled.lines.join("\n")}`,
    cost: frame + heading + recalled.tokens,
    turns: recalled.lines.length,
  };
}

/** Rendered lorebook entries under their heading; undefined when there are none. */
export function loreSection(entries: ReadonlyArray<{ text: string }>): string | undefined {
  return entries.length > 0 ? `${LORE_HEADING}\n${entries.map((entry) => `- ${entry.text}`).join("\n")}` : undefined;
}

/** The note after the new message: its sections between an opening that says whose they are and a closing. */
export function noteOf(sections: readonly string[]): string | undefined {
  return sections.length === 0 ? undefined : `${NOTE_OPENING}\n${sections.join("\n\n")}\n${NOTE_CLOSING}`;
}

/** What closes the prompt after the new messages: the direction, then the post-history instructions; and what they cost. */
export function closingParts(
  persona: Persona,
  sceneDirection: string | undefined,
  macros: MacroContext,
): { direction?: string; postHistory?: string; tokens: number } {
  const direction = sceneDirection === undefined ? undefined : directionLine(sceneDirection);
  const postHistory = persona.postHistoryInstructions
    ? renderMacros(persona.postHistoryInstructions, macros)
    : undefined;
  const cost = (text: string | undefined) => (text === undefined ? 0 : countTokens(text) + MESSAGE_OVERHEAD_TOKENS);
  return { direction, postHistory, tokens: cost(direction) + cost(postHistory) };
}

/**
 * The lore this message triggers, by where it goes: constant lore in the system prompt (the
 * same on every message), keyed lore in the note, at-depth lore among the messages; and
 * what it all costs.
 */
export function promptLore(
  persona: Persona,
  turns: { newTurns: readonly PendingTurn[]; history: readonly Turn[] },
  macros: MacroContext,
  contextTokens: number,
): { entries: ReturnType<typeof triggeredLore>; constant?: string; keyed?: string; tokens: number } {
  const entries = triggeredLore(persona, turns.newTurns, turns.history, macros, contextTokens);
  const constant = loreSection(entries.filter((entry) => entry.constant && !entry.atDepth));
  const keyed = loreSection(entries.filter((entry) => !entry.constant && !entry.atDepth));
  const constantTokens = constant ? countTokens(constant) + SECTION_JOIN_TOKENS : 0;
  const keyedTokens = keyed ? countTokens(keyed) + SECTION_JOIN_TOKENS + noteFrameTokens() : 0;
  return { entries, constant, keyed, tokens: atDepthTokens(entries) + constantTokens + keyedTokens };
}
