/**
 * Lorebook (World Info) activation, as SillyTavern does it. Each rule names its source:
 * - [WI docs] docs.sillytavern.app/usage/core-concepts/worldinfo (SillyTavern-Docs,
 *   Usage/World_Info/World_Info.md)
 * - [WI code] SillyTavern/SillyTavern public/scripts/world-info.js (checkWorldInfo,
 *   WorldInfoBuffer.matchKeys, convertCharacterBook)
 * - [defaults] SillyTavern/SillyTavern default/content/settings.json (world_info_settings)
 * - [WI advanced] SillyTavern-Docs, Usage/World_Info/Advanced.md ("Timed Effects")
 */
import { firingKey, isTriggered, keyMatches } from "./lore-keys.js";
import { timedState } from "./lore-timing.js";
import type { LoreEntry, Persona } from "./persona.js";

export { isTriggered, keyMatch, keyMatches } from "./lore-keys.js";

/** Messages scanned for keys, newest first; SillyTavern's default `world_info_depth` is 2 [defaults]. */
export const DEFAULT_LORE_SCAN_DEPTH = 2;
/** Share of the context the triggered lore may take: SillyTavern's default `world_info_budget` is 25 (%) [defaults]. */
export const LORE_BUDGET_PERCENT_OF_CONTEXT = 25;
/** Probability (%) at which an entry is always included [WI docs, "Probability"]. */
export const CERTAIN_PROBABILITY = 100;
const PERCENT = 100;
/** An at-depth entry's depth when its card gives none: SillyTavern's DEFAULT_DEPTH, 4 [WI code]. */
export const DEFAULT_LORE_DEPTH = 4;
/** An entry's weight in its inclusion group when none is given: SillyTavern's DEFAULT_WEIGHT, 100 [WI code]. */
export const DEFAULT_GROUP_WEIGHT = 100;
/**
 * Passes over other entries' text at most. SillyTavern's "Max Recursion Steps" defaults to 0,
 * unlimited, and ends when a pass activates nothing new [WI docs, "Recursion"]; Masque caps it
 * so that a long chain of entries cannot make a reply's lore scan unbounded.
 */
export const MAX_LORE_RECURSION_STEPS = 5;
/** The fields of an entry that only SillyTavern's advanced World Info sets, at their defaults (none of them in effect). */
export const LORE_ENTRY_DEFAULTS = {
  depth: DEFAULT_LORE_DEPTH,
  role: "system",
  excludeRecursion: false,
  preventRecursion: false,
  groupOverride: false,
  groupWeight: DEFAULT_GROUP_WEIGHT,
  sticky: 0,
  cooldown: 0,
  delay: 0,
} as const satisfies Partial<LoreEntry>;

/**
 * The lore budget in tokens: the persona's own (a card's `token_budget`), else 25% of the
 * context, rounded, at least 1 — `Math.round(world_info_budget * maxContext / 100) || 1` [WI code].
 */
export function loreBudget(persona: Persona, contextTokens: number): number {
  return persona.loreTokenBudget ?? (Math.round((LORE_BUDGET_PERCENT_OF_CONTEXT * contextTokens) / PERCENT) || 1);
}

/**
 * Constant entries first, then higher insertion order first [WI docs, "Context % / Budget":
 * "Constant entries will be inserted first. Then entries with higher order numbers."];
 * equal ones keep the file's order.
 */
function byPriority(entries: readonly LoreEntry[]): LoreEntry[] {
  return entries
    .map((entry, index) => ({ entry, index }))
    .sort(
      (a, b) =>
        Number(b.entry.constant) - Number(a.entry.constant) || b.entry.order - a.entry.order || a.index - b.index,
    )
    .map(({ entry }) => entry);
}

/**
 * Where chosen entries sit in the prompt: `before_char` ones first, and within each group
 * lower order first, so higher order ends up closer to the end [WI docs, "Insertion Order"].
 */
function inPromptOrder(chosen: readonly LoreEntry[]): LoreEntry[] {
  return [...chosen].sort(
    (a, b) => Number(b.position === "before_char") - Number(a.position === "before_char") || a.order - b.order,
  );
}

export interface LoreScan {
  /** The scanned messages as "Name: text", newest first; the first `scanDepth` are read [WI docs, "Scan Depth", "Include Names"]. */
  readonly messages: readonly string[];
  readonly budget: number;
  /** Tokens an entry costs in the prompt. */
  readonly cost: (entry: LoreEntry) => number;
  /** Fills macros in keys (SillyTavern substitutes them before matching [WI code]). */
  readonly renderKey?: (key: string) => string;
  /** A number in [0, 1) for probability rolls and inclusion groups. */
  readonly random?: () => number;
}

/** One entry's outcome for a scan: included or not, and why, in words (`npm run personas -- explain`). */
export interface LoreDecision {
  readonly entry: LoreEntry;
  readonly included: boolean;
  readonly reason: string;
}

const label = (entry: LoreEntry, entries: readonly LoreEntry[]) =>
  entry.comment ? `"${entry.comment}"` : `#${entries.indexOf(entry)}`;

/**
 * Of the entries just triggered, one per inclusion group: the highest order among those with
 * `group_override` ("Prioritize Inclusion"), else one drawn by group weight; a group that
 * already has an entry from an earlier pass takes no other [WI docs, "Inclusion Group"].
 */
function groupWinners(
  triggered: readonly LoreEntry[],
  earlier: readonly LoreEntry[],
  random: () => number,
): Map<LoreEntry, LoreEntry> {
  const losers = new Map<LoreEntry, LoreEntry>();
  const groups = new Set(triggered.map((e) => e.group).filter((g): g is string => g !== undefined));
  for (const group of groups) {
    const members = triggered.filter((e) => e.group === group);
    const taken = earlier.find((e) => e.group === group);
    const overriding = members.filter((e) => e.groupOverride);
    let winner = taken ?? overriding[0];
    if (!winner) {
      const total = members.reduce((sum, e) => sum + e.groupWeight, 0);
      const roll = random() * total;
      let reached = 0;
      winner =
        members.find((e) => {
          reached += e.groupWeight;
          return roll < reached;
        }) ?? members[members.length - 1]!;
    }
    for (const member of members) if (member !== winner) losers.set(member, winner);
  }
  return losers;
}

/**
 * Every entry's outcome for a scan, in priority order. A pass over the scanned messages (each
 * entry its own scan depth, if it has one) triggers entries; the text of those included is
 * scanned again for more, except entries that `prevent_recursion`, and entries that
 * `exclude_recursion` are not triggered by it, up to MAX_LORE_RECURSION_STEPS passes [WI docs,
 * "Recursion"]. Triggered entries go through their inclusion group, their probability roll
 * (a sticky one skips it [WI advanced]) and the budget: the first that would overrun it stops
 * the selection ("If the budget is exhausted, then no more entries are activated" [WI docs]).
 * Timed effects count messages (lore-timing.ts).
 */
export function explainLore(entries: readonly LoreEntry[], scanDepth: number, scan: LoreScan): LoreDecision[] {
  const renderKey = scan.renderKey ?? ((key: string) => key);
  const random = scan.random ?? Math.random;
  const decisions = new Map<LoreEntry, LoreDecision>();
  const decide = (entry: LoreEntry, included: boolean, reason: string) =>
    decisions.set(entry, { entry, included, reason });
  const ordered = byPriority(entries);
  const waiting: LoreEntry[] = [];
  for (const entry of ordered) {
    if (!entry.enabled) decide(entry, false, "disabled");
    else if (!entry.content.trim()) decide(entry, false, "has no content");
    else waiting.push(entry);
  }
  const included: LoreEntry[] = [];
  let used = 0;
  let exhausted = false;
  let recursionSources: LoreEntry[] = [];
  for (let pass = 0; pass <= MAX_LORE_RECURSION_STEPS && waiting.length > 0 && !exhausted; pass++) {
    const triggered: Array<{ entry: LoreEntry; why: string; sticky: boolean }> = [];
    for (const entry of [...waiting]) {
      const trigger = triggerOf(entry, pass, recursionSources, entries, scanDepth, scan, renderKey);
      if (trigger.blocked) {
        decide(entry, false, trigger.blocked);
        waiting.splice(waiting.indexOf(entry), 1);
      } else if (trigger.fired) triggered.push({ entry, why: trigger.reason ?? "", sticky: trigger.sticky });
      else if (trigger.reason) decide(entry, false, trigger.reason);
    }
    if (triggered.length === 0) break;
    const losers = groupWinners(
      triggered.map((t) => t.entry),
      included,
      random,
    );
    const newlyIncluded: LoreEntry[] = [];
    for (const { entry, why, sticky } of triggered) {
      waiting.splice(waiting.indexOf(entry), 1);
      const winner = losers.get(entry);
      if (winner) decide(entry, false, `${why}, but inclusion group "${entry.group}" took ${label(winner, entries)}`);
      else if (!sticky && entry.probability < CERTAIN_PROBABILITY && random() * PERCENT >= entry.probability)
        decide(entry, false, `${why}, but lost its ${entry.probability}% roll`);
      else if (exhausted || used + scan.cost(entry) > scan.budget) {
        exhausted = true;
        decide(entry, false, `${why}, but the lore budget (${scan.budget} tokens) is spent`);
      } else {
        used += scan.cost(entry);
        included.push(entry);
        newlyIncluded.push(entry);
        decide(entry, true, why);
      }
    }
    recursionSources = newlyIncluded.filter((e) => !e.preventRecursion);
    if (recursionSources.length === 0) break;
  }
  for (const entry of waiting) if (!decisions.has(entry)) decide(entry, false, "no key found");
  return ordered.map((entry) => decisions.get(entry)!);
}

/** How a waiting entry fares in a pass: blocked by a timed effect, or fired or not, and why. */
interface Trigger {
  readonly blocked?: string;
  readonly fired: boolean;
  readonly reason?: string;
  readonly sticky: boolean;
}

/**
 * Whether a waiting entry fires in a pass, and why: a timed effect may block it or keep it
 * (sticky, lore-timing.ts); the first pass reads the messages, a later one the entries the
 * pass before included as well.
 */
function triggerOf(
  entry: LoreEntry,
  pass: number,
  sources: readonly LoreEntry[],
  entries: readonly LoreEntry[],
  scanDepth: number,
  scan: LoreScan,
  renderKey: (key: string) => string,
): Trigger {
  const timing = timedState(entry, scan.messages, (text) => isTriggered(entry, text, renderKey), scanDepth);
  if (timing.blocked) return { blocked: timing.blocked, fired: false, sticky: false };
  const chat = scan.messages.slice(0, entry.scanDepth ?? scanDepth).join("\n");
  const why =
    pass === 0
      ? firstPassReason(entry, chat, renderKey, timing.sticky)
      : recursionReason(entry, chat, sources, entries, renderKey);
  return { ...why, sticky: timing.sticky !== undefined };
}

function firstPassReason(
  entry: LoreEntry,
  text: string,
  renderKey: (key: string) => string,
  sticky: string | undefined,
): { fired: boolean; reason?: string } {
  if (entry.constant) return { fired: true, reason: "constant" };
  if (sticky) return { fired: true, reason: sticky };
  const found = firingKey(entry, text, renderKey);
  return found.key !== undefined
    ? { fired: true, reason: `key "${found.key}" in the messages` }
    : { fired: false, reason: found.note };
}

/**
 * A later pass scans the messages together with the text of the entries the last pass
 * included, as SillyTavern's recursion buffer adds to the scanned messages (WorldInfoBuffer.get
 * [WI code]), so secondary keys still see the messages; the reason names the entry the key was in.
 */
function recursionReason(
  entry: LoreEntry,
  chat: string,
  sources: readonly LoreEntry[],
  entries: readonly LoreEntry[],
  renderKey: (key: string) => string,
): { fired: boolean; reason?: string } {
  if (entry.excludeRecursion || entry.constant) return { fired: false };
  const found = firingKey(entry, [chat, ...sources.map((source) => source.content)].join("\n"), renderKey);
  if (found.key === undefined) return { fired: false };
  const source = sources.find((s) => keyMatches(s.content, renderKey(found.key!), entry));
  return { fired: true, reason: `key "${found.key}" in entry ${source ? label(source, entries) : "text"} (recursion)` };
}

/** The entries to include, in prompt order (see explainLore). */
export function selectLore(entries: readonly LoreEntry[], scanDepth: number, scan: LoreScan): LoreEntry[] {
  return inPromptOrder(
    explainLore(entries, scanDepth, scan)
      .filter((d) => d.included)
      .map((d) => d.entry),
  );
}
