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

/**
 * The extra macros cards use, with SillyTavern's meanings (docs.sillytavern.app
 * usage/core-concepts/macros; evaluateMacros in public/scripts/macros.js).
 */
describe("renderMacros: SillyTavern's extra macros", () => {
  // A local time, so the rendered clock does not depend on the machine's time zone.
  const friday = { ...CONTEXT, date: new Date(2025, 2, 14, 15, 4) };

  it("renders {{time}}, {{isotime}} and {{weekday}} from the local clock", () => {
    expect(renderMacros("{{time}} / {{isotime}} / {{weekday}} / {{isodate}}", friday)).toBe(
      "3:04 PM / 15:04 / Friday / 2025-03-14",
    );
  });

  it("picks one choice of {{random::a::b}} and of {{random:a,b}}", () => {
    expect(renderMacros("{{random::red, dark::blue}}", { ...CONTEXT, random: () => 0 })).toBe("red, dark");
    expect(renderMacros("{{random::red, dark::blue}}", { ...CONTEXT, random: () => 0.99 })).toBe("blue");
    expect(renderMacros("{{random: tea , coffee\\, black}}", { ...CONTEXT, random: () => 0.99 })).toBe("coffee, black");
  });

  it("rolls dice with {{roll:d6}} and {{roll:2d6+1}}", () => {
    expect(renderMacros("{{roll:d6}}", { ...CONTEXT, random: () => 0.99 })).toBe("6");
    expect(renderMacros("{{roll:2d6+1}}", { ...CONTEXT, random: () => 0 })).toBe("3");
  });

  it("drops {{// notes}}, and {{trim}} with the line breaks around it", () => {
    expect(renderMacros("Hello{{// only for editors}} there.", CONTEXT)).toBe("Hello there.");
    expect(renderMacros("Line one\n\n{{trim}}\nline two", CONTEXT)).toBe("Line oneline two");
    expect(renderMacros("a{{newline}}b{{noop}}", CONTEXT)).toBe("a\nb");
  });

  it("reads SillyTavern's older <USER> and <BOT> placeholders", () => {
    expect(renderMacros("<BOT> greets <USER>.", CONTEXT)).toBe("Captain Quill greets Sam.");
  });
});
