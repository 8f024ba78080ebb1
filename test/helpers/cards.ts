import { crc32, deflateSync } from "node:zlib";

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** One PNG chunk: length, type, data and CRC. */
export function pngChunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const typeAndData = Buffer.concat([Buffer.from(type, "latin1"), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(typeAndData));
  return Buffer.concat([length, typeAndData, crc]);
}

/** A real 1×1 PNG carrying `texts` as tEXt chunks (base64 JSON for cards), as SillyTavern writes them. */
export function pngWithText(texts: Record<string, string>): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(1, 0);
  header.writeUInt32BE(1, 4);
  header[8] = 8; // bit depth
  header[9] = 2; // truecolour
  const textChunks = Object.entries(texts).map(([keyword, text]) =>
    pngChunk("tEXt", Buffer.concat([Buffer.from(`${keyword}\0`, "latin1"), Buffer.from(text, "latin1")])),
  );
  return Buffer.concat([
    PNG_SIGNATURE,
    pngChunk("IHDR", header),
    ...textChunks,
    pngChunk("IDAT", deflateSync(Buffer.from([0, 200, 30, 30]))),
    pngChunk("IEND", Buffer.alloc(0)),
  ]);
}

/** A PNG character card with the card's JSON under `keyword` (chara for V2, ccv3 for V3). */
export function pngCard(card: object, keyword: "chara" | "ccv3" = "chara", extra: Record<string, object> = {}): Buffer {
  const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64");
  return pngWithText({
    [keyword]: encode(card),
    ...Object.fromEntries(Object.entries(extra).map(([k, v]) => [k, encode(v)])),
  });
}

/** A card as chub and SillyTavern users share them, saved on Windows (\r\n line endings). */
export const AMY_CARD = {
  spec: "chara_card_v2",
  spec_version: "2.0",
  data: {
    name: "Amy",
    description: "{{char}} runs the night shift\r\nat the orbital station.",
    personality: "dry, kind",
    scenario: "The station's lights flicker.",
    first_mes: 'As {{user}} logs in, Amy appears on the screen.\r\n"Late again?"',
    mes_example:
      "<START>\r\n{{user}}: Any news?\r\n{{char}}: Only static.\r\n<START>\r\n{{char}}: *hums to herself*\r\n",
    creator_notes: `Made for long night chats. ${"Tested with several models over many weeks. ".repeat(3).trim()}\r\nSecond paragraph of notes.`,
    system_prompt: "",
    post_history_instructions: "Stay in character as <BOT>.",
    alternate_greetings: ["<BOT> waves at <USER>.", "  ", "Amy is asleep at the console."],
    tags: ["sci-fi", "", "  ", "station"],
    creator: "nightowl",
    character_version: "1.2",
    // As SillyTavern saves a character (talkativeness as text; fav and world are its own UI state).
    extensions: { talkativeness: "0.8", fav: false, world: "" },
    character_book: {
      scan_depth: 3,
      token_budget: 400,
      extensions: {},
      entries: [
        {
          keys: ["reactor"],
          secondary_keys: ["leak", "alarm"],
          selective: true,
          content: "The reactor leaks when the alarm sounds.",
          extensions: {
            selectiveLogic: 3,
            probability: 30,
            useProbability: true,
            match_whole_words: false,
            position: 0,
          },
          enabled: true,
          insertion_order: 250,
          comment: "Reactor trouble",
          case_sensitive: true,
        },
        {
          keys: ["Bob"],
          content: "Bob is the old engineer.",
          extensions: {},
          enabled: false,
          insertion_order: 5,
          position: "before_char",
        },
        { keys: [], content: "   ", extensions: {}, enabled: true, insertion_order: 1 },
      ],
    },
  },
};
