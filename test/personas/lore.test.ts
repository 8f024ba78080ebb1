/**
 * World Info rules, each checked against what SillyTavern documents and does:
 * [WI docs] SillyTavern-Docs Usage/World_Info/World_Info.md (docs.sillytavern.app/usage/core-concepts/worldinfo)
 * [WI code] SillyTavern public/scripts/world-info.js (checkWorldInfo, WorldInfoBuffer.matchKeys)
 * [defaults] SillyTavern default/content/settings.json (world_info_settings)
 */
import { describe, expect, it } from "vitest";
import {
  DEFAULT_LORE_SCAN_DEPTH,
  isTriggered,
  LORE_ENTRY_DEFAULTS,
  keyMatches,
  loreBudget,
  selectLore,
} from "../../src/personas/lore.js";
import type { LoreEntry } from "../../src/personas/persona.js";
import { testPersona } from "../helpers/personas.js";

function entry(overrides: Partial<LoreEntry>): LoreEntry {
  return {
    keys: [],
    secondaryKeys: [],
    selective: true,
    selectiveLogic: "and_any",
    content: "lore",
    constant: false,
    enabled: true,
    caseSensitive: false,
    matchWholeWords: true,
    probability: 100,
    position: "after_char",
    order: 100,
    ...LORE_ENTRY_DEFAULTS,
    ...overrides,
  };
}

/** Selects with every entry costing `cost` tokens. */
function select(
  entries: LoreEntry[],
  messages: string[],
  options: { budget?: number; depth?: number; cost?: number; random?: () => number } = {},
): string[] {
  return selectLore(entries, options.depth ?? DEFAULT_LORE_SCAN_DEPTH, {
    messages,
    budget: options.budget ?? 1000,
    cost: () => options.cost ?? 10,
    random: options.random,
  }).map((e) => e.content);
}

describe("lorebook activation (SillyTavern World Info)", () => {
  it("combines secondary keys with the four selective logics [WI docs, Optional Filter]", () => {
    const base = { keys: ["dragon"], secondaryKeys: ["fire", "ice"] };
    const cases: Array<[LoreEntry["selectiveLogic"], string, boolean]> = [
      ["and_any", "the dragon breathes fire", true],
      ["and_any", "the dragon sleeps", false],
      ["and_all", "the dragon breathes fire", false],
      ["and_all", "the dragon breathes fire and ice", true],
      ["not_any", "the dragon sleeps", true],
      ["not_any", "the dragon breathes ice", false],
      ["not_all", "the dragon breathes fire", true],
      ["not_all", "the dragon breathes fire and ice", false],
    ];
    for (const [selectiveLogic, text, expected] of cases) {
      expect([selectiveLogic, text, isTriggered(entry({ ...base, selectiveLogic }), text)]).toEqual([
        selectiveLogic,
        text,
        expected,
      ]);
    }
    // Without the primary key no logic fires; `selective: false` ignores the filter (spec_v2.md).
    expect(isTriggered(entry({ ...base, selectiveLogic: "not_any" }), "fire and ice")).toBe(false);
    expect(isTriggered(entry({ ...base, selective: false }), "the dragon sleeps")).toBe(true);
  });

  it("matches a one-word key as a whole word by default, and a phrase as a substring [WI docs, Match whole words; defaults]", () => {
    const king = entry({ keys: ["king"] });
    expect(keyMatches("long live the king!", "king", king)).toBe(true);
    expect(keyMatches("it's not to my liking", "king", king)).toBe(false);
    expect(keyMatches("it's not to my liking", "king", { ...king, matchWholeWords: false })).toBe(true);
    expect(keyMatches("the old king's road", "king's road", king)).toBe(true);
  });

  it("ignores case unless the entry is case-sensitive [WI docs, Case-sensitive keys]", () => {
    expect(isTriggered(entry({ keys: ["Rose"] }), "a rose in bloom")).toBe(true);
    expect(isTriggered(entry({ keys: ["Rose"], caseSensitive: true }), "a rose in bloom")).toBe(false);
    expect(isTriggered(entry({ keys: ["Rose"], caseSensitive: true }), "Rose said hi")).toBe(true);
  });

  it("includes constant entries without keys and never a disabled one [WI docs, Strategy]", () => {
    expect(
      select(
        [entry({ constant: true, content: "always" }), entry({ keys: ["moon"], enabled: false, content: "off" })],
        ["the moon rises"],
      ),
    ).toEqual(["always"]);
  });

  it("rolls the probability of a triggered entry [WI docs, Probability]", () => {
    const rare = entry({ keys: ["storm"], probability: 30, content: "rare" });
    expect(select([rare], ["a storm"], { random: () => 0.29 })).toEqual(["rare"]);
    expect(select([rare], ["a storm"], { random: () => 0.3 })).toEqual([]);
    expect(select([entry({ keys: ["storm"], probability: 0 })], ["a storm"], { random: () => 0 })).toEqual([]);
  });

  it("gives the budget to constant entries, then to higher order, and puts higher order last in the prompt [WI docs, Budget; Insertion Order]", () => {
    const entries = [
      entry({ keys: ["a"], order: 10, content: "low" }),
      entry({ keys: ["a"], order: 300, content: "high" }),
      entry({ constant: true, order: 1, content: "constant" }),
      entry({ keys: ["a"], order: 200, content: "middle" }),
    ];
    expect(select(entries, ["a"], { budget: 30, cost: 10 })).toEqual(["constant", "middle", "high"]);
    expect(select(entries, ["a"], { budget: 1000 })).toEqual(["constant", "low", "middle", "high"]);
  });

  it("stops at the first entry that would overrun the budget [WI code, checkWorldInfo breaks on overflow]", () => {
    const entries = [
      entry({ keys: ["a"], order: 300, content: "first" }),
      entry({ keys: ["a"], order: 200, content: "big" }),
      entry({ keys: ["a"], order: 100, content: "small" }),
    ];
    const costs: Record<string, number> = { first: 10, big: 100, small: 5 };
    const chosen = selectLore(entries, 2, { messages: ["a"], budget: 50, cost: (e) => costs[e.content] ?? 0 }).map(
      (e) => e.content,
    );
    expect(chosen).toEqual(["first"]);
  });

  it("puts before_char entries ahead of after_char ones", () => {
    const entries = [
      entry({ keys: ["a"], order: 1, content: "after" }),
      entry({ keys: ["a"], order: 500, position: "before_char", content: "before" }),
    ];
    expect(select(entries, ["a"])).toEqual(["before", "after"]);
  });

  it("scans only the newest scan-depth messages, 2 by default [WI docs, Scan Depth; defaults]", () => {
    const moon = [entry({ keys: ["moon"], content: "moon lore" })];
    const messages = ["Sam: hi", "Amy: hello", "Sam: look at the moon"];
    expect(DEFAULT_LORE_SCAN_DEPTH).toBe(2);
    expect(select(moon, messages)).toEqual([]);
    expect(select(moon, messages, { depth: 3 })).toEqual(["moon lore"]);
  });

  it("defaults the budget to 25% of the context, and keeps a card's own token_budget [defaults: world_info_budget 25]", () => {
    expect(loreBudget(testPersona({ id: "a" }), 8000)).toBe(2000);
    expect(loreBudget(testPersona({ id: "a" }), 1002)).toBe(251);
    expect(loreBudget(testPersona({ id: "a", loreTokenBudget: 400 }), 8000)).toBe(400);
  });
});
