/**
 * Whether a lorebook entry's keys match a text, as SillyTavern matches them; sources are
 * named as in lore.ts ([WI docs], [WI code], [defaults]).
 */
import { guardedTest, type RegexFailure, regexOf } from "./guarded-regex.js";
import type { LoreEntry } from "./persona.js";

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** How a key matched, or why a regex key could not be run. */
type KeyMatch = { matched: boolean; failure?: RegexFailure };

/**
 * Whether `key` appears in `text`. A key written `/pattern/flags` is a regular expression, run
 * guarded (guarded-regex.ts), its own flags deciding case [WI docs, "Regular Expression keys"].
 * Other keys are case-insensitive unless the entry says otherwise; with whole-word matching
 * (SillyTavern's default [defaults]) a one-word key must stand between non-word characters,
 * while a key of several words is matched as a plain substring [WI code, matchKeys].
 */
export function keyMatch(
  text: string,
  key: string,
  entry: Pick<LoreEntry, "caseSensitive" | "matchWholeWords">,
): KeyMatch {
  const regex = regexOf(key);
  if (regex) return guardedTest(regex, text);
  const needle = entry.caseSensitive ? key.trim() : key.trim().toLowerCase();
  if (!needle) return { matched: false };
  const haystack = entry.caseSensitive ? text : text.toLowerCase();
  if (!entry.matchWholeWords || needle.split(/\s+/).length > 1) return { matched: haystack.includes(needle) };
  return { matched: new RegExp(`(?:^|\\W)(${escapeRegExp(needle)})(?:$|\\W)`).test(haystack) };
}

export function keyMatches(
  text: string,
  key: string,
  entry: Pick<LoreEntry, "caseSensitive" | "matchWholeWords">,
): boolean {
  return keyMatch(text, key, entry).matched;
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

/** The primary key that fires an entry for `text` (with its filter passing), or why none does. */
export function firingKey(
  entry: LoreEntry,
  text: string,
  renderKey: (key: string) => string,
): { key?: string; note?: string } {
  let note: string | undefined;
  for (const key of entry.keys) {
    const match = keyMatch(text, renderKey(key), entry);
    if (match.failure) note = `regex key ${key} ${match.failure}, counted as no match`;
    if (match.matched)
      return secondaryAllows(entry, text, renderKey)
        ? { key }
        : { note: `key "${key}" found, but the secondary keys (${entry.selectiveLogic}) did not allow it` };
  }
  return { note };
}

/** Whether an enabled entry fires for `text`: constant ones always, others on a primary key and their filter. */
export function isTriggered(
  entry: LoreEntry,
  text: string,
  renderKey: (key: string) => string = (key) => key,
): boolean {
  if (!entry.enabled || !entry.content.trim()) return false;
  if (entry.constant) return true;
  return firingKey(entry, text, renderKey).key !== undefined;
}
