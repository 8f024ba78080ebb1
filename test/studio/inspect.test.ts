import { describe, expect, it } from "vitest";
import { inspect } from "../../src/studio/inspect.js";

const PERSONA =
  "---\nname: Keeper\ndescription: Keeps the station.\nlore:\n  - keys: [reactor]\n    content: The reactor leaks.\n---\nYou are {{char}}.\n";

describe("inspect", () => {
  it("builds the bot's prompt for the sample: earlier lines as the window, the last as the new message, lore by its key", () => {
    const result = inspect(
      "personas",
      "keeper.md",
      PERSONA,
      "Alice: Hi.\n{{char}}: Hello.\nAlice: How is the reactor?",
      8000,
    );
    if (!result.ok) throw new Error(result.problem);
    expect(result.messages.map((m) => [m.part, m.role, m.cacheable])).toEqual([
      ["system", "system", true],
      ["window", "user", true],
      ["window", "assistant", true],
      ["new", "user", false],
    ]);
    expect(result.lore).toEqual([{ index: 0, comment: undefined, constant: false, key: "reactor" }]);
    expect(result.messages[3]?.content).toContain("The reactor leaks.");
  });

  it("says what is wrong instead of guessing: a draft that does not load, an empty sample", () => {
    expect(inspect("personas", "keeper.md", "no front matter", "Alice: hi", 8000)).toEqual({
      ok: false,
      problem: "draft",
    });
    expect(inspect("personas", "keeper.md", PERSONA, "  \n", 8000)).toEqual({ ok: false, problem: "sample" });
  });
});
