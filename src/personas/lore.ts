/**
 * Lorebook (World Info) activation, as SillyTavern does it. Each rule names its source:
 * - [WI docs] docs.sillytavern.app/usage/core-concepts/worldinfo (SillyTavern-Docs,
 *   Usage/World_Info/World_Info.md)
 * - [WI code] SillyTavern/SillyTavern public/scripts/world-info.js (checkWorldInfo,
 *   WorldInfoBuffer.matchKeys, convertCharacterBook)
 * - [defaults] SillyTavern/SillyTavern default/content/settings.json (world_info_settings)
 */
import type { LoreEntry, Persona } from "./persona.js";

/** Messages scanned for keys, newest first; SillyTavern's default `world_info_depth` is 2 [defaults]. */
export const DEFAULT_LORE_SCAN_DEPTH = 2;
/** Share of the context the triggered lore may take: SillyTavern's default `world_info_budget` is 25 (%) [defaults]. */
export const LORE_BUDGET_PERCENT_OF_CONTEXT = 25;
/** Probability (%) at which an entry is always included [WI docs, "Probability"]. */
export const CERTAIN_PROBABILITY = 100;
const PERCENT = 100;

/**
 * The lore budget in tokens: the persona's own (a card's `token_budget`), else 25% of the
 * context, rounded, at least 1 — `Math.round(world_info_budget * maxContext / 100) || 1` [WI code].
 */
export function loreBudget(persona: Persona, contextTokens: number): number {
  return persona.loreTokenBudget ?? (Math.round((LORE_BUDGET_PERCENT_OF_CONTEXT * contextTokens) / PERCENT) || 1);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/**
 * Whether `key` appears in `text`. Case-insensitive unless the entry says otherwise; with
 * whole-word matching (SillyTavern's default [defaults]) a one-word key must stand between
 * non-word characters, while a key of several words is matched as a plain substring [WI code, matchKeys].
 */
export function keyMatches(text: string, key: string, entry: Pick<LoreEntry, "caseSensitive" | "matchWholeWords">): boolean {
  const needle = entry.caseSensitive ? key.trim() : key.trim().toLowerCase();
  if (!needle) return false;
  const haystack = entry.caseSensitive ? text : text.toLowerCase();
  if (!entry.matchWholeWords || needle.split(/\s+/).length > 1) return haystack.includes(needle);
  return new RegExp(`(?:^|\\W)(${escapeRegExp(needle)})(?:$|\\W)`).test(haystack);
}

/**
 * The optional filter [WI docs, "Optional Filter"; WI code, matchSecondaryKeys]: AND ANY needs
 * one secondary key, AND ALL needs all of them, NOT ANY needs none, NOT ALL fails only when
 * all are present. With no secondary keys, or `selective: false`, the primary match decides.
 */
function secondaryAllows(entry: LoreEntry, text: string, renderKey: (key: string) => string): boolean {
  if (!entry.selective || entry.secondaryKeys.length === 0) return true;
  const found = entry.secondaryKeys.map((key) => keyMatches(text, renderKey(key), entry));
  switch (entry.selectiveLogic) {
    case "and_any":
      return found.some(Boolean);
    case "and_all":
      return found.every(Boolean);
    case "not_any":
      return !found.some(Boolean);
    default:
      return !found.every(Boolean);
  }
}

/** Whether an enabled entry fires for `text`: constant ones always, others on a primary key and their filter. */
export function isTriggered(entry: LoreEntry, text: string, renderKey: (key: string) => string = (key) => key): boolean {
  if (!entry.enabled || !entry.content.trim()) return false;
  if (entry.constant) return true;
  return entry.keys.some((key) => keyMatches(text, renderKey(key), entry)) && secondaryAllows(entry, text, renderKey);
}

/**
 * Constant entries first, then higher insertion order first [WI docs, "Context % / Budget":
 * "Constant entries will be inserted first. Then entries with higher order numbers."];
 * equal ones keep the file's order.
 */
function byPriority(entries: readonly LoreEntry[]): LoreEntry[] {
  return entries
    .map((entry, index) => ({ entry, index }))
    .sort((a, b) => Number(b.entry.constant) - Number(a.entry.constant) || b.entry.order - a.entry.order || a.index - b.index)
    .map(({ entry }) => entry);
}

/**
 * Where chosen entries sit in the prompt: `before_char` ones first, and within each group
 * lower order first, so higher order ends up closer to the end [WI docs, "Insertion Order"].
 */
function inPromptOrder(chosen: readonly LoreEntry[]): LoreEntry[] {
  return [...chosen].sort((a, b) => Number(b.position === "before_char") - Number(a.position === "before_char") || a.order - b.order);
}

export interface LoreScan {
  /** The scanned messages as "Name: text", newest first; the first `scanDepth` are read [WI docs, "Scan Depth", "Include Names"]. */
  readonly messages: readonly string[];
  readonly budget: number;
  /** Tokens an entry costs in the prompt. */
  readonly cost: (entry: LoreEntry) => number;
  /** Fills macros in keys (SillyTavern substitutes them before matching [WI code]). */
  readonly renderKey?: (key: string) => string;
  /** A number in [0, 1) for probability rolls. */
  readonly random?: () => number;
}

/**
 * The entries to include, in prompt order. Triggered entries are taken by priority; one that
 * fails its probability roll is skipped; the first one that would overrun the budget stops
 * the selection ("If the budget is exhausted, then no more entries are activated" [WI docs];
 * the scan loop `break`s [WI code]).
 */
export function selectLore(entries: readonly LoreEntry[], scanDepth: number, scan: LoreScan): LoreEntry[] {
  const text = scan.messages.slice(0, scanDepth).join("\n");
  const random = scan.random ?? Math.random;
  const chosen: LoreEntry[] = [];
  let used = 0;
  for (const entry of byPriority(entries)) {
    if (!isTriggered(entry, text, scan.renderKey)) continue;
    if (entry.probability < CERTAIN_PROBABILITY && random() * PERCENT >= entry.probability) continue;
    const cost = scan.cost(entry);
    if (used + cost > scan.budget) break;
    used += cost;
    chosen.push(entry);
  }
  return inPromptOrder(chosen);
}
