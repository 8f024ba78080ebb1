/**
 * Cards are built here as the specs lay them out: V1 is flat (character-card-spec-v2,
 * spec_v1.md), V2 nests fields under `data` with spec "chara_card_v2" (spec_v2.md), V3 uses
 * spec "chara_card_v3" and the `ccv3` PNG chunk, preferred over `chara` (SPEC_V3.md). Lorebook
 * extensions (selectiveLogic, probability, useProbability, match_whole_words, position) are
 * where SillyTavern's convertCharacterBook reads them (public/scripts/world-info.js).
 */
import { describe, expect, it } from "vitest";
import { LORE_ENTRY_DEFAULTS } from "../../src/personas/lore.js";
import { parseCard } from "../../src/personas/cards.js";
import type { Persona } from "../../src/personas/persona.js";
import { AMY_CARD as V2_CARD, pngCard, pngWithText } from "../helpers/cards.js";

const V1_CARD = {
  name: "Moss",
  description: "{{char}} is a talking stone.",
  personality: "slow",
  scenario: "",
  first_mes: "...hello.",
  mes_example: "",
};

function persona(card: unknown, fileName = "card.json"): Persona {
  const bytes = Buffer.isBuffer(card) ? card : Buffer.from(JSON.stringify(card));
  const result = parseCard(`personas/${fileName}`, "card", fileName, bytes);
  if (!result.persona) throw new Error(`card refused: ${JSON.stringify(result.problems)}`);
  return result.persona;
}

function problems(card: unknown, fileName = "card.json"): string[] {
  const bytes = Buffer.isBuffer(card) ? card : Buffer.from(typeof card === "string" ? card : JSON.stringify(card));
  const result = parseCard(`personas/${fileName}`, "card", fileName, bytes);
  if (result.persona) throw new Error("expected the card to be refused");
  return result.problems.map((p) => `${p.field}: ${p.reason}`);
}

describe("parseCard", () => {
  it("reads a JSON card saved with a byte order mark, as Windows editors write it", () => {
    const result = parseCard(
      "personas/moss.json",
      "moss",
      "moss.json",
      Buffer.from(`\uFEFF${JSON.stringify(V1_CARD)}`),
    );

    expect(result.problems).toBeUndefined();
    expect(result.persona).toMatchObject({
      id: "moss",
      name: "Moss",
      prompt: "{{char}} is a talking stone.",
      personality: "slow",
      greeting: "...hello.",
    });
  });

  it("keeps every field of a V2 card, with Windows line endings turned into \\n", () => {
    const amy = persona(V2_CARD);

    expect(amy).toEqual({
      id: "card",
      file: "personas/card.json",
      source: "card",
      name: "Amy",
      description:
        "Made for long night chats. Tested with several models over many weeks. Tested with several models o…",
      greeting: 'As {{user}} logs in, Amy appears on the screen.\n"Late again?"',
      greetings: ["{{char}} waves at {{user}}.", "Amy is asleep at the console."],
      creator: "nightowl",
      characterVersion: "1.2",
      notes: `Made for long night chats. ${"Tested with several models over many weeks. ".repeat(3).trim()}\nSecond paragraph of notes.`,
      examples: [{ user: "Any news?", assistant: "Only static." }, { assistant: "*hums to herself*" }],
      tags: ["sci-fi", "station"],
      aliases: [],
      talkativeness: 0.8,
      avatar: undefined,
      // Kept apart, assembled only when the prompt is built (story.ts).
      prompt: "{{char}} runs the night shift\nat the orbital station.",
      personality: "dry, kind",
      scenario: "The station's lights flicker.",
      systemPrompt: undefined,
      postHistoryInstructions: "Stay in character as {{char}}.",
      // What Masque reads differently (or not at all) is kept as the card wrote it, for export.
      card: {
        mes_example: "<START>\n{{user}}: Any news?\n{{char}}: Only static.\n<START>\n{{char}}: *hums to herself*\n",
        post_history_instructions: "Stay in character as <BOT>.",
        alternate_greetings: ["<BOT> waves at <USER>.", "  ", "Amy is asleep at the console."],
        tags: ["sci-fi", "", "  ", "station"],
        extensions: { fav: false, world: "" },
      },
      lore: [
        {
          keys: ["reactor"],
          secondaryKeys: ["leak", "alarm"],
          selective: true,
          selectiveLogic: "and_all",
          content: "The reactor leaks when the alarm sounds.",
          constant: false,
          enabled: true,
          caseSensitive: true,
          matchWholeWords: false,
          probability: 30,
          position: "before_char",
          order: 250,
          comment: "Reactor trouble",
          card: undefined,
          ...LORE_ENTRY_DEFAULTS,
        },
        {
          keys: ["Bob"],
          secondaryKeys: [],
          selective: true,
          selectiveLogic: "and_any",
          content: "Bob is the old engineer.",
          constant: false,
          enabled: false,
          caseSensitive: false,
          matchWholeWords: true,
          probability: 100,
          position: "before_char",
          order: 5,
          comment: undefined,
          card: undefined,
          ...LORE_ENTRY_DEFAULTS,
        },
        // An empty entry is never included, but SillyTavern keeps it, so an export does too.
        {
          keys: [],
          secondaryKeys: [],
          selective: true,
          selectiveLogic: "and_any",
          content: "",
          constant: false,
          enabled: true,
          caseSensitive: false,
          matchWholeWords: true,
          probability: 100,
          position: "after_char",
          order: 1,
          comment: undefined,
          card: { content: "   " },
          ...LORE_ENTRY_DEFAULTS,
        },
      ],
      loreScanDepth: 3,
      loreTokenBudget: 400,
    });
    expect(JSON.stringify(amy)).not.toContain("\\r");
  });

  it("reads the ccv3 chunk of a PNG that carries both, as SillyTavern writes them", () => {
    const v3 = {
      spec: "chara_card_v3",
      spec_version: "3.0",
      data: { ...V1_CARD, name: "Moss III", alternate_greetings: [], group_only_greetings: [] },
    };
    const png = pngCard(v3, "ccv3", {
      chara: { spec: "chara_card_v2", spec_version: "2.0", data: { ...V1_CARD, name: "Moss II" } },
    });

    const moss = persona(png, "moss.png");

    expect(moss.name).toBe("Moss III");
    expect(moss.avatar).toBe("moss.png");
  });

  it("keeps a greeting longer than one Discord message, and refuses one past ten", () => {
    const long = "Once upon a time. ".repeat(200).trim();
    expect(persona({ ...V1_CARD, first_mes: long }).greeting).toBe(long);

    expect(problems({ ...V1_CARD, first_mes: "x".repeat(20_001) })).toEqual([
      "first_mes: must be at most 20000 characters (10 Discord messages)",
    ]);
    expect(problems({ ...V1_CARD, alternate_greetings: ["fine", "y".repeat(20_001)] })).toEqual([
      "alternate_greetings[1]: must be at most 20000 characters (10 Discord messages)",
    ]);
  });

  it("names the field and what was found when a field has the wrong type", () => {
    expect(problems({ ...V1_CARD, description: ["a", "b"] })).toEqual(["description: expected text, found a list"]);
    expect(problems({ spec: "chara_card_v2", data: { ...V1_CARD, tags: "fun" } })).toEqual([
      "tags: expected a list of text, found text",
    ]);
    expect(problems({ ...V1_CARD, character_book: { entries: [{ keys: ["a"], content: 5 }] } })).toEqual([
      "character_book.entries[0].content: expected text, found a number",
    ]);
    expect(problems({ spec: "chara_card_v2", data: { description: "nameless" } })).toEqual([
      "name: is missing; a character card needs the character's name",
    ]);
  });

  it("reads SillyTavern's talkativeness (text in extensions) and names it when it is out of range", () => {
    // SillyTavern saves a group member's talkativeness as text, "0.5" by default (public/script.js, charaFormatData).
    const card = (talkativeness: unknown) => ({
      spec: "chara_card_v2",
      spec_version: "2.0",
      data: { ...V1_CARD, extensions: { talkativeness } },
    });
    expect(persona(card("0.25")).talkativeness).toBe(0.25);
    expect(persona(card("")).talkativeness).toBe(0.5);
    expect(problems(card("2"))).toEqual(["extensions.talkativeness: must be from 0 to 1"]);
    expect(problems(card("chatty"))).toEqual(["extensions.talkativeness: expected a number from 0 to 1, found text"]);
  });

  it("recognises a lorebook file given as a card", () => {
    const lorebook = {
      spec: "lorebook_v3",
      data: { entries: [{ keys: ["a"], content: "b", enabled: true, insertion_order: 0, extensions: {} }] },
    };
    const worldInfo = { entries: { 0: { uid: 0, key: ["a"], content: "b" } } };
    const message =
      "card: is a lorebook (World Info) file, not a character card; a persona comes from a character card with a name and a description";

    expect(problems(lorebook)).toEqual([message]);
    expect(problems(worldInfo)).toEqual([message]);
  });

  it("describes a broken card without printing its bytes", () => {
    const binary = pngWithText({ chara: "\u0001\u0002\u00ff\u00fe garbage {{{" });
    const notJson = pngWithText({ chara: Buffer.from("\u0007{not json\u0000").toString("base64") });

    expect(problems(binary, "x.png")).toEqual(["card: the chara chunk is not base64 text, so it holds no card"]);
    const [jsonProblem] = problems(notJson, "x.png");
    expect(jsonProblem).toMatch(/^card: is not valid JSON( \(the error is at character \d+\))?$/);
    expect(problems("{ \u0001 oops")[0]).toMatch(/^card: is not valid JSON( \(the error is at character \d+\))?$/);
  });
});
