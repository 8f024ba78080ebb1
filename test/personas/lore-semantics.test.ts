/**
 * World Info behaviours beyond keys, each from SillyTavern's documented example:
 * [WI docs] SillyTavern-Docs Usage/World_Info/World_Info.md ("Recursive scanning",
 * "Inclusion Group", "Scan Depth", "Trigger %", "Regular expression keys") and
 * [WI advanced] Usage/World_Info/Advanced.md ("Timed Effects Example").
 */
import { describe, expect, it } from "vitest";
import { explainLore, LORE_ENTRY_DEFAULTS, MAX_LORE_RECURSION_STEPS, selectLore } from "../../src/personas/lore.js";
import type { LoreEntry } from "../../src/personas/persona.js";

function entry(comment: string, keys: string[], content: string, overrides: Partial<LoreEntry> = {}): LoreEntry {
  return {
    keys,
    secondaryKeys: [],
    selective: true,
    selectiveLogic: "and_any",
    content,
    constant: false,
    enabled: true,
    caseSensitive: false,
    matchWholeWords: true,
    probability: 100,
    position: "after_char",
    order: 100,
    comment,
    ...LORE_ENTRY_DEFAULTS,
    ...overrides,
  };
}

const scan = (messages: string[], random = () => 0) => ({ messages, budget: 10_000, cost: () => 1, random });
const names = (entries: LoreEntry[]) => entries.map((e) => e.comment);

describe("World Info as SillyTavern documents it", () => {
  // [WI docs, "Recursive scanning"]: Bessie's entry mentions Rufus, whose entry is then included too.
  const bessie = entry("Bessie", ["Bessie"], "Bessie is a cow and is friend with Rufus.");
  const rufus = entry("Rufus", ["Rufus"], "Rufus is a dog.");
  const question = ["Ana: What is Bessie's friend doing?"];

  it("recursion: an included entry's text triggers others, and explain says so", () => {
    expect(names(selectLore([bessie, rufus], 2, scan(question)))).toEqual(["Bessie", "Rufus"]);
    expect(explainLore([bessie, rufus], 2, scan(question)).map((d) => d.reason)).toEqual([
      'key "Bessie" in the messages',
      'key "Rufus" in entry "Bessie" (recursion)',
    ]);
  });

  it("recursion: prevent_recursion on the source, or exclude_recursion on the target, stops it", () => {
    expect(names(selectLore([{ ...bessie, preventRecursion: true }, rufus], 2, scan(question)))).toEqual(["Bessie"]);
    expect(names(selectLore([bessie, { ...rufus, excludeRecursion: true }], 2, scan(question)))).toEqual(["Bessie"]);
  });

  it("recursion: a chain stops after MAX_LORE_RECURSION_STEPS passes", () => {
    const chain = Array.from({ length: 10 }, (_, i) => entry(`e${i}`, [`k${i}`], `see k${i + 1}`));
    expect(selectLore(chain, 2, scan(["Ana: k0"]))).toHaveLength(MAX_LORE_RECURSION_STEPS + 1);
  });

  it("inclusion groups: one entry per group, by weight, or the prioritized one", () => {
    const sunny = entry("sunny", ["weather"], "It is sunny.", { group: "weather", groupWeight: 30, order: 10 });
    const rainy = entry("rainy", ["weather"], "It rains.", { group: "weather", groupWeight: 70, order: 20 });
    const chat = ["Ana: How is the weather?"];
    // Weight 70 of 100: a roll below 0.7 lands on rainy (listed first by order), above on sunny.
    expect(
      names(
        selectLore(
          [sunny, rainy],
          2,
          scan(chat, () => 0.5),
        ),
      ),
    ).toEqual(["rainy"]);
    expect(
      names(
        selectLore(
          [sunny, rainy],
          2,
          scan(chat, () => 0.9),
        ),
      ),
    ).toEqual(["sunny"]);
    expect(
      names(
        selectLore(
          [{ ...sunny, groupOverride: true }, rainy],
          2,
          scan(chat, () => 0.5),
        ),
      ),
    ).toEqual(["sunny"]);
    expect(
      explainLore(
        [sunny, rainy],
        2,
        scan(chat, () => 0.5),
      )[1]?.reason,
    ).toBe('key "weather" in the messages, but inclusion group "weather" took "rainy"');
  });

  it("timed effects: sticky 3, cooldown 2, delay 2, counted in messages", () => {
    const timed = entry("timed", ["storm"], "A storm.", { sticky: 3, cooldown: 2, delay: 2 });
    // Message n of the chat mentions the storm each time; state at message n scans messages 0..n.
    const states = Array.from({ length: 9 }, (_, n) => {
      const messages = Array.from({ length: n + 1 }, (_, i) => `Ana: storm ${n - i}`);
      const [decision] = explainLore([timed], 1, scan(messages));
      return decision!.included
        ? decision!.reason.startsWith("sticky")
          ? "sticky"
          : "activated"
        : decision!.reason.split(":")[0];
    });
    expect(states).toEqual([
      "delayed",
      "activated",
      "sticky",
      "sticky",
      "sticky",
      "cooling down",
      "cooling down",
      "activated",
      "sticky",
    ]);
  });

  it("a sticky entry stays in after its key has left the scanned messages", () => {
    const timed = entry("timed", ["storm"], "A storm.", { sticky: 2 });
    expect(names(selectLore([timed], 1, scan(["Ana: calm", "Ana: storm"])))).toEqual(["timed"]);
    expect(names(selectLore([timed], 1, scan(["Ana: calm", "Ana: calm", "Ana: calm", "Ana: storm"])))).toEqual([]);
  });

  it("per-entry scan depth overrides the book's", () => {
    const old = ["Ana: now", "Ana: before", "Ana: the dragon, long ago"];
    expect(names(selectLore([entry("deep", ["dragon"], "x")], 1, scan(old)))).toEqual([]);
    expect(names(selectLore([entry("deep", ["dragon"], "x", { scanDepth: 3 })], 1, scan(old)))).toEqual(["deep"]);
  });

  it("probability: a triggered entry is included when the roll is under its trigger %", () => {
    const omen = entry("omen", ["omen"], "An omen.", { probability: 25 });
    expect(
      names(
        selectLore(
          [omen],
          2,
          scan(["Ana: an omen"], () => 0.2),
        ),
      ),
    ).toEqual(["omen"]);
    expect(
      explainLore(
        [omen],
        2,
        scan(["Ana: an omen"], () => 0.3),
      )[0]?.reason,
    ).toBe('key "omen" in the messages, but lost its 25% roll');
  });

  it("regex keys: /pattern/flags matches, and a hostile or oversized one counts as no match without stalling", () => {
    expect(names(selectLore([entry("dragon", ["/dra(g|k)on/i"], "x")], 2, scan(["Ana: a DRAKON!"])))).toEqual([
      "dragon",
    ]);
    const started = performance.now();
    const hostile = explainLore([entry("evil", ["/(a+)+$/"], "x")], 2, scan([`${"a".repeat(40)}!`]));
    expect(performance.now() - started).toBeLessThan(1000);
    expect(hostile[0]).toMatchObject({ included: false, reason: "regex key /(a+)+$/ timed out, counted as no match" });
    expect(explainLore([entry("long", [`/${"a".repeat(600)}/`], "x")], 2, scan(["a"]))[0]?.reason).toMatch(
      /too long, counted as no match$/,
    );
  });
});
