/**
 * Export to Character Card V3 (kwaroran/character-card-spec-v3, SPEC_V3.md) and back. The PNG
 * is checked against how SillyTavern writes one (src/character-card-parser.js, `write`): the
 * card in a `chara` tEXt chunk with spec chara_card_v2 and in a `ccv3` chunk with spec
 * chara_card_v3 / 3.0, both base64 of UTF-8 JSON, just before IEND.
 */
import { describe, expect, it } from "vitest";
import { parseCard } from "../../src/personas/cards.js";
import { toCardV3 } from "../../src/personas/card-export.js";
import { toMarkdown } from "../../src/personas/export.js";
import { parsePersona } from "../../src/personas/parse.js";
import type { Persona } from "../../src/personas/persona.js";
import { readPngChunks, readPngTextChunks } from "../../src/personas/png.js";
import { cardPng } from "../../src/personas/transfer.js";
import { AMY_CARD } from "../helpers/cards.js";

function imported(bytes: Buffer, fileName: string): Persona {
  const result = parseCard(`personas/${fileName}`, "amy", fileName, bytes);
  if (!result.persona) throw new Error(JSON.stringify(result.problems));
  return result.persona;
}

/** The character itself: what a round trip must keep (not where it was read from). */
function character(persona: Persona): Omit<Persona, "id" | "file" | "source" | "avatar"> {
  const { id: _id, file: _file, source: _source, avatar: _avatar, ...rest } = persona;
  return JSON.parse(JSON.stringify(rest));
}

const decode = (base64: string | undefined) => JSON.parse(Buffer.from(base64 ?? "", "base64").toString("utf8"));

describe("export as a character card V3", () => {
  const amy: Persona = {
    ...imported(Buffer.from(JSON.stringify(AMY_CARD)), "amy.json"),
    model: "gpt-4o-mini",
    temperature: 0.7,
    greetingUser: "traveller",
    params: { reasoning_effort: "low" },
    showReasoning: "spoiler",
  };

  it("writes a card that parses as V3, with the persona's fields where SillyTavern reads them", () => {
    const card = JSON.parse(JSON.stringify(toCardV3(amy)));

    expect(card.spec).toBe("chara_card_v3");
    expect(card.spec_version).toBe("3.0");
    expect(card.data).toMatchObject({
      name: "Amy",
      description: amy.prompt,
      first_mes: amy.greeting,
      // As the card wrote them (only \r\n became \n): SillyTavern reads <BOT> itself, and keeps blank greetings and tags.
      alternate_greetings: ["<BOT> waves at <USER>.", "  ", "Amy is asleep at the console."],
      group_only_greetings: [],
      mes_example: "<START>\n{{user}}: Any news?\n{{char}}: Only static.\n<START>\n{{char}}: *hums to herself*\n",
      creator_notes: amy.notes,
      creator: "nightowl",
      character_version: "1.2",
      tags: ["sci-fi", "", "  ", "station"],
      post_history_instructions: "Stay in character as <BOT>.",
      personality: "dry, kind",
      scenario: "The station's lights flicker.",
      extensions: {
        fav: false,
        world: "",
        talkativeness: "0.8",
        masque: {
          description: amy.description,
          model: "gpt-4o-mini",
          temperature: 0.7,
          greeting_user: "traveller",
          params: { reasoning_effort: "low" },
          show_reasoning: "spoiler",
        },
      },
    });
    expect(card.data.character_book).toMatchObject({ scan_depth: 3, token_budget: 400 });
    // A field edited since import is written from Masque's value, not the card's old one.
    const edited = toCardV3({ ...amy, postHistoryInstructions: "Stay calm.", tags: ["space"] }).data;
    expect([edited.post_history_instructions, edited.tags, edited.alternate_greetings]).toEqual([
      "Stay calm.",
      ["space"],
      ["<BOT> waves at <USER>.", "  ", "Amy is asleep at the console."],
    ]);
    expect(card.data.character_book.entries[0]).toEqual({
      id: 0,
      keys: ["reactor"],
      secondary_keys: ["leak", "alarm"],
      comment: "Reactor trouble",
      content: "The reactor leaks when the alarm sounds.",
      constant: false,
      selective: true,
      insertion_order: 250,
      enabled: true,
      position: "before_char",
      case_sensitive: true,
      use_regex: false,
      extensions: {
        position: 0,
        probability: 30,
        useProbability: true,
        selectiveLogic: 3,
        // SillyTavern's advanced World Info fields, at their defaults, as it writes them.
        depth: 4,
        role: 0,
        exclude_recursion: false,
        prevent_recursion: false,
        group: "",
        group_override: false,
        group_weight: 100,
        sticky: 0,
        cooldown: 0,
        delay: 0,
        scan_depth: null,
        case_sensitive: true,
        match_whole_words: false,
      },
    });
    expect(card.data.character_book.entries[1]).toMatchObject({ enabled: false, insertion_order: 5 });
  });

  it("import → export → import gives the same persona, through JSON and through a PNG", () => {
    const json = imported(Buffer.from(JSON.stringify(toCardV3(amy))), "amy.json");
    const png = imported(cardPng(amy, "personas"), "amy.png");

    expect(character(json)).toEqual(character(amy));
    expect(character(png)).toEqual(character(amy));
  });

  it("writes a Markdown persona that reads back as the same persona", () => {
    const reread = parsePersona("personas/amy.md", "amy.md", toMarkdown(amy));

    expect(reread.problems).toBeUndefined();
    expect(character(reread.persona!)).toEqual(character(amy));
    expect(toMarkdown(amy)).not.toContain("\r");
  });

  it("puts both chunks before IEND, as SillyTavern writes them, and no other text", () => {
    const png = cardPng(amy, "personas");
    const chunks = readPngChunks(png).map((c) => c.type);
    const texts = readPngTextChunks(png);

    expect(chunks.slice(-3)).toEqual(["tEXt", "tEXt", "IEND"]);
    expect([...texts.keys()]).toEqual(["chara", "ccv3"]);
    expect(decode(texts.get("chara"))).toMatchObject({
      spec: "chara_card_v2",
      spec_version: "2.0",
      data: { name: "Amy" },
    });
    expect(decode(texts.get("ccv3"))).toEqual(JSON.parse(JSON.stringify(toCardV3(amy))));
  });
});
