import { describe, expect, it } from "vitest";
import { type MacroContext, renderMacros } from "../../src/personas/macros.js";

const CONTEXT: MacroContext = {
  char: "Captain Quill",
  user: "Sam",
  server: "The Harbour",
  channel: "general",
  date: new Date("2025-03-14T12:00:00Z"),
};

describe("renderMacros", () => {
  it("replaces every macro", () => {
    expect(renderMacros("{{char}} greets {{user}} in {{server}} #{{channel}} on {{date}}.", CONTEXT)).toBe(
      "Captain Quill greets Sam in The Harbour #general on 2025-03-14.",
    );
  });

  it("replaces macros in any case and with spaces inside the braces", () => {
    expect(renderMacros("{{CHAR}} / {{User}} / {{ server }} / {{Channel}} / {{DATE}}", CONTEXT)).toBe(
      "Captain Quill / Sam / The Harbour / general / 2025-03-14",
    );
  });

  it("replaces a macro every time it appears", () => {
    expect(renderMacros("{{user}}, {{user}}!", CONTEXT)).toBe("Sam, Sam!");
  });

  it("leaves other braces alone", () => {
    const text = "{{mood}} {char} {{ char } {{{{}}}} ```js\nconst o = {{a: 1}};\n```";
    expect(renderMacros(text, CONTEXT)).toBe(text);
  });

  it("does not render macros found in the values it inserts", () => {
    expect(renderMacros("Hi {{user}}", { ...CONTEXT, user: "{{char}}" })).toBe("Hi {{char}}");
  });
});
