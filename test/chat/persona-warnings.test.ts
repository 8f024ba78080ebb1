import { describe, expect, it } from "vitest";
import { LORE_ENTRY_DEFAULTS } from "../../src/personas/lore.js";
import { contextProblem, fixedPromptTokens, loreWarnings } from "../../src/chat/persona-warnings.js";
import { loadPersonas } from "../../src/personas/registry.js";
import { tempDirForTest } from "../helpers/temp-dir.js";
import { personaFileText, testPersona, writePersonaFiles } from "../helpers/personas.js";

describe("personas sized against CONTEXT_TOKENS at load", () => {
  it("reports a persona whose fixed prompt cannot fit, with its size and the limit", () => {
    const huge = testPersona({ id: "huge", prompt: "word ".repeat(3000) });
    const needed = fixedPromptTokens(huge, 2000);

    expect(needed).toBeGreaterThan(3000);
    expect(contextProblem(huge, 2000)).toEqual({
      file: "personas/huge.md",
      field: "prompt",
      reason: `needs ${needed} tokens (core prompt, rules, post-history instructions and the reply's room) but CONTEXT_TOKENS is 2000; shorten the persona or raise CONTEXT_TOKENS`,
    });
    expect(contextProblem(huge, 16000)).toBeUndefined();
  });

  it("skips such a persona when the folder loads, and keeps the others", () => {
    const dir = tempDirForTest();
    writePersonaFiles(dir, {
      "assistant.md": personaFileText("Juniper"),
      "huge.md": personaFileText("Huge", "word ".repeat(3000)),
    });

    const registry = loadPersonas(dir, "assistant", (persona) =>
      [contextProblem(persona, 2000)].filter((p) => p !== undefined),
    );

    expect(registry.list().map((p) => p.id)).toEqual(["assistant"]);
    expect(registry.problems.map((p) => `${p.field}: ${p.reason.split(" (")[0]}`)).toEqual([
      `prompt: needs ${fixedPromptTokens(testPersona({ id: "huge", name: "Huge", prompt: "word ".repeat(3000).trim() }), 2000)} tokens`,
    ]);
  });

  it("warns about an enabled lore entry larger than the budget, not a disabled one", () => {
    const entry = {
      keys: ["a"],
      secondaryKeys: [],
      selective: true,
      selectiveLogic: "and_any" as const,
      constant: false,
      caseSensitive: false,
      matchWholeWords: true,
      probability: 100,
      position: "after_char" as const,
      order: 100,
      ...LORE_ENTRY_DEFAULTS,
    };
    const keeper = testPersona({
      id: "keeper",
      loreTokenBudget: 10,
      lore: [
        { ...entry, enabled: true, content: "short" },
        { ...entry, enabled: true, content: "The tower is very old and very tall. ".repeat(3) },
        { ...entry, enabled: false, content: "The tower is very old and very tall. ".repeat(3) },
      ],
    });

    expect(loreWarnings(keeper, 8000).map((w) => w.field)).toEqual(["lore[1]"]);
  });
});
