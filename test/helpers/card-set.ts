/**
 * A test set of character cards shaped like the published ones Masque was tried with
 * (issue 32): SillyTavern's default Seraphina, SillyTavern-Content cards, RisuAI samples,
 * V1 cards saved on Windows, large V3 cards with lorebooks. Built here rather than copied,
 * so each shape is written down and nothing is someone else's text.
 */
import { pngChunk, pngWithText } from "./cards.js";

type Json = Record<string, unknown>;

/** One card file: its name and bytes, and the card's data as SillyTavern would read it from them. */
export interface CardFile {
  readonly fileName: string;
  readonly bytes: Buffer;
  readonly data: Json;
}

const base64 = (value: object) => Buffer.from(JSON.stringify(value), "utf8").toString("base64");
const v2 = (data: Json) => ({ spec: "chara_card_v2", spec_version: "2.0", data });
const v3 = (data: Json) => ({ spec: "chara_card_v3", spec_version: "3.0", data });

/** The fields every V2 card has, empty. */
const EMPTY: Json = {
  description: "",
  personality: "",
  scenario: "",
  first_mes: "",
  mes_example: "",
  creator_notes: "",
  system_prompt: "",
  post_history_instructions: "",
  alternate_greetings: [],
  tags: [],
  creator: "",
  character_version: "",
  extensions: {},
};

/** An entry as SillyTavern's convertWorldInfoToCharacterBook writes one (public/scripts/world-info.js). */
function entry(id: number, keys: string[], content: string, extensions: Json = {}, fields: Json = {}): Json {
  return {
    id,
    keys,
    secondary_keys: [],
    comment: `entry ${id}`,
    content,
    constant: false,
    selective: true,
    insertion_order: 100 + id,
    enabled: true,
    position: "after_char",
    use_regex: true,
    extensions: {
      position: 1,
      exclude_recursion: false,
      prevent_recursion: false,
      delay_until_recursion: false,
      display_index: id,
      probability: 100,
      useProbability: true,
      depth: 4,
      selectiveLogic: 0,
      group: "",
      group_override: false,
      group_weight: 100,
      scan_depth: null,
      case_sensitive: null,
      match_whole_words: null,
      use_group_scoring: null,
      automation_id: "",
      role: 0,
      vectorized: false,
      sticky: 0,
      cooldown: 0,
      delay: 0,
      ...extensions,
    },
    ...fields,
  };
}

/** A 14-entry book: recursion flags, at-depth entries with roles, groups, timed effects, probability, scan depth, globals left null. */
const BOOK = {
  name: "Eldoria",
  extensions: {},
  entries: [
    entry(0, ["Eldoria"], "Eldoria is a kingdom of rivers; its capital is Vell.", {}, { constant: true }),
    entry(1, ["Vell"], "Vell is ruled by the Tide Council.", { exclude_recursion: true }),
    entry(2, ["Tide Council"], "The Tide Council has seven seats.", { prevent_recursion: true }),
    entry(3, ["river"], "Rivers here flow uphill at night.", { position: 4, depth: 2, role: 1 }),
    entry(4, ["night"], "At night the lanterns are lit.", { position: 4, depth: 0, role: 2 }),
    entry(5, ["sword"], "The blade Ember.", { group: "weapon", group_weight: 70 }),
    entry(6, ["sword"], "The blade Frost.", { group: "weapon", group_weight: 30, group_override: true }),
    entry(7, ["storm"], "A storm gathers.", { sticky: 3, cooldown: 2 }),
    entry(8, ["market"], "The market opens.", { delay: 4 }),
    entry(9, ["omen"], "An omen is seen.", { probability: 25 }),
    entry(10, ["oath"], "The oath binds.", { scan_depth: 6, case_sensitive: true, match_whole_words: false }),
    entry(11, ["/dra(g|k)on/i"], "Dragons sleep under Vell.", {}),
    entry(12, ["ghost"], "A ghost walks.", {}, { enabled: undefined }),
    entry(13, ["secret"], "", {}),
  ].map((e) => (e.enabled === undefined ? Object.fromEntries(Object.entries(e).filter(([k]) => k !== "enabled")) : e)),
};

const SERAPHINA_LIKE = {
  ...EMPTY,
  name: "Seraphina",
  description: "{{char}} is a guardian of the forest.\r\n\r\n[{{char}}: gentle, protective]",
  personality: "gentle, protective, wise",
  scenario: "{{user}} wakes in {{char}}'s glade after an attack.",
  first_mes: '*You wake to birdsong.* "Easy now," {{char}} says.',
  mes_example:
    "<START>\r\n{{user}}: Where am I?\r\n{{char}}: *smiles* In my glade.\r\n{{user}}: Who are you?\r\n{{char}}: Seraphina, its keeper.\r\n<START>\r\n{{char}}: *tends the fire*",
  system_prompt: "You are {{char}}. {{original}}",
  post_history_instructions: "Keep {{char}} gentle.",
  creator_notes: "A calm companion.",
  tags: ["fantasy", "guardian"],
  creator: "forestfolk",
  character_version: "1.0",
  extensions: {
    talkativeness: "0.5",
    fav: false,
    world: "Eldoria",
    depth_prompt: { prompt: "{{char}} is worried about {{user}}.", depth: 4, role: "system" },
  },
  character_book: BOOK,
};

const V3_EXTRAS = {
  ...EMPTY,
  name: "Kestrel Varn",
  nickname: "Kes",
  description: "{{char}} flies cargo between moons.",
  first_mes: "Strap in.",
  group_only_greetings: ["Kes nods to the crew."],
  assets: [
    { type: "icon", uri: "ccdefault:", name: "main", ext: "png" },
    { type: "emotion", uri: "embeded://assets/happy.png", name: "happy", ext: "png" },
  ],
  creator_notes_multilingual: { en: "A pilot.", fr: "Une pilote." },
  source: ["https://example.org/kestrel"],
  creation_date: 1700000000,
  modification_date: 1710000000,
  extensions: {
    regex_scripts: [
      {
        id: "r1",
        scriptName: "no asterisks",
        findRegex: "/\\*/g",
        replaceString: "",
        placement: [2],
        markdownOnly: true,
        promptOnly: false,
        disabled: false,
      },
    ],
    chub: { id: 12345, full_path: "someone/kestrel" },
  },
};

const LOREBOOK_ONLY = {
  ...EMPTY,
  name: "The Archive",
  first_mes: "The archive hums.",
  character_book: { name: "Archive", entries: [entry(0, ["book"], "Every book here is alive.")] },
};

/** A card SillyTavern's V1 format, saved on Windows. */
const V1_CRLF = {
  name: "Moss",
  description: "{{char}} is a stone.\r\nVery old.",
  personality: "slow",
  scenario: "",
  first_mes: "...hello.\r\n",
  mes_example: "",
};

/** A PNG with the given tEXt chunks (keyword → JSON card), in order; `withoutIend` drops the last chunk. */
function png(chunks: Array<[string, object]>, withoutIend = false): Buffer {
  const whole = pngWithText({});
  // pngWithText puts text before IDAT; these go just before IEND, where SillyTavern writes them.
  const iend = pngChunk("IEND", Buffer.alloc(0));
  const body = whole.subarray(0, whole.length - iend.length);
  const texts = chunks.map(([keyword, card]) =>
    pngChunk("tEXt", Buffer.concat([Buffer.from(`${keyword}\0`, "latin1"), Buffer.from(base64(card), "latin1")])),
  );
  return Buffer.concat([body, ...texts, ...(withoutIend ? [] : [iend])]);
}

const json = (card: object) => Buffer.from(JSON.stringify(card, null, 2));

/** The set: each shape issue 32 lists, as the file a person would import. */
export function cardSet(): CardFile[] {
  const decoy = { ...SERAPHINA_LIKE, name: "Not Me" };
  return [
    { fileName: "seraphina.json", bytes: json(v2(SERAPHINA_LIKE)), data: SERAPHINA_LIKE },
    {
      fileName: "kestrel.png",
      bytes: png([
        ["chara", v2(V3_EXTRAS)],
        ["ccv3", v3(V3_EXTRAS)],
      ]),
      data: V3_EXTRAS,
    },
    {
      fileName: "星之守护者.json",
      bytes: json(v3({ ...V3_EXTRAS, name: "星之守护者" })),
      data: { ...V3_EXTRAS, name: "星之守护者" },
    },
    { fileName: "archive.json", bytes: json(v2(LOREBOOK_ONLY)), data: LOREBOOK_ONLY },
    { fileName: "moss.json", bytes: json(V1_CRLF), data: V1_CRLF },
    {
      fileName: "two-charas.png",
      bytes: png([
        ["chara", v2(SERAPHINA_LIKE)],
        ["chara", v2(decoy)],
      ]),
      data: SERAPHINA_LIKE,
    },
    { fileName: "capital-chunk.png", bytes: png([["Chara", v2(LOREBOOK_ONLY)]]), data: LOREBOOK_ONLY },
    { fileName: "no-iend.png", bytes: png([["chara", v2(V1_CRLF)]], true), data: V1_CRLF },
  ];
}
