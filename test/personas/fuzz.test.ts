import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parseCard } from "../../src/personas/cards.js";
import { MAX_DESCRIPTION_LENGTH, MAX_NAME_LENGTH, PERSONA_ID, parsePersona } from "../../src/personas/parse.js";
import type { Persona, PersonaProblem } from "../../src/personas/persona.js";
import { loadPersonaFile } from "../../src/personas/registry.js";
import { pngCard } from "../helpers/cards.js";
import { tempDirForTest } from "../helpers/temp-dir.js";
import { seededRandom } from "../helpers/random.js";

/** Fixed, so a failure names a case that can be replayed. */
const SEED = 0x5eed_f00d;
const PERSONA_CASES = 1200;
const CARD_CASES = 1000;
const PNG_CASES = 300;
/** Every this-many-th persona case also goes through the file loader, from disk. */
const DISK_EVERY = 10;
const HUGE_LENGTH = 20_000;
const DEEP_LEVELS = 500;

type Random = () => number;
const pick = <T>(random: Random, items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
const below = (random: Random, n: number) => Math.floor(random() * n);

/** Values of the wrong type (or shape) for any field. */
const WRONG_VALUES = [
  "[1, 2, 3]",
  "{ a: 1 }",
  "12345",
  "-1",
  "3.5",
  "true",
  "null",
  "~",
  '""',
  "[]",
  "{}",
  "- dangling",
  "!!binary aGVsbG8=",
  "*nowhere",
  "&anchor",
  "'unclosed",
  '"unclosed',
  "|",
  ">-",
  "? complex key",
  "0x1F",
  ".nan",
  "@reserved",
  "`backtick",
];

/** Characters that tend to break parsers: NUL, controls, lone surrogates, BOMs, odd newlines. */
const NASTY = [
  "\0",
  "\u0001",
  "\u001b[31m",
  "\uFEFF",
  "\uD800",
  "\uDFFF",
  "\u2028",
  "\u2029",
  "\r",
  "\r\n",
  "\t",
  "\u0085",
  "\u202E",
  "\u0301".repeat(50),
  ":",
  "---",
  "#",
  "%YAML 1.2",
  "{{char}}",
  "<|im_start|>",
];

/** One mutation of a persona file's text: the name says what it does. */
const TEXT_MUTATIONS: Record<string, (text: string, random: Random) => string> = {
  deleteLine: (text, random) => {
    const lines = text.split("\n");
    lines.splice(below(random, lines.length), 1);
    return lines.join("\n");
  },
  duplicateLine: (text, random) => {
    const lines = text.split("\n");
    const i = below(random, lines.length);
    lines.splice(i, 0, lines[i]!);
    return lines.join("\n");
  },
  swapLines: (text, random) => {
    const lines = text.split("\n");
    const [i, j] = [below(random, lines.length), below(random, lines.length)];
    [lines[i], lines[j]] = [lines[j]!, lines[i]!];
    return lines.join("\n");
  },
  randomCharacters: (text, random) => {
    const at = below(random, text.length + 1);
    const noise = Array.from({ length: 1 + below(random, 16) }, () => String.fromCharCode(below(random, 0x10000))).join(
      "",
    );
    return text.slice(0, at) + noise + text.slice(at);
  },
  nastyCharacter: (text, random) => {
    const at = below(random, text.length + 1);
    return text.slice(0, at) + pick(random, NASTY) + text.slice(at);
  },
  truncate: (text, random) => text.slice(0, below(random, text.length)),
  deepNesting: (text, random) => {
    const levels = 1 + below(random, DEEP_LEVELS);
    const deep =
      random() < 0.5
        ? `deep: ${"[".repeat(levels)}${"]".repeat(levels)}`
        : Array.from({ length: Math.min(levels, 100) }, (_, i) => `${"  ".repeat(i)}k${i}:`).join("\n");
    return insertInFrontMatter(
      text,
      random() < 0.5 ? deep : deep.replace(/^deep/, pick(random, ["name", "examples", "lore", "tags"])),
      random,
    );
  },
  aliasBomb: (text, random) =>
    insertInFrontMatter(
      text,
      `a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: [*c, *c, *c, *c, *c, *c, *c, *c, *c]`,
      random,
    ),
  hugeString: (text, random) => {
    const huge = pick(random, ["x", "é", "\u0301", "🦜", " ", "\\n"]).repeat(HUGE_LENGTH);
    return random() < 0.5 ? setValue(text, random, huge) : insertInFrontMatter(text, `${huge}: 1`, random);
  },
  wrongType: (text, random) => setValue(text, random, pick(random, WRONG_VALUES)),
  nulBytes: (text, random) => {
    const at = below(random, text.length + 1);
    return `${text.slice(0, at)}\0\0${text.slice(at)}`;
  },
  bom: (text) => `\uFEFF${text}`,
  crlf: (text) => text.replace(/\n/g, "\r\n"),
  loneCr: (text) => text.replace(/\n/g, "\r"),
  emptyBody: (text) => text.replace(/\n---\s*\n[\s\S]*$/, "\n---\n"),
  unknownField: (text, random) =>
    insertInFrontMatter(
      text,
      `${pick(random, ["nmae", "Name", "system_prompt", "__proto__", "constructor", "toString"])}: ${pick(random, WRONG_VALUES)}`,
      random,
    ),
  duplicateKey: (text, random) => insertInFrontMatter(text, `name: ${pick(random, ["Again", "[1]", ""])}`, random),
  tabsForIndent: (text) => text.replace(/^ {2}/gm, "\t"),
};

/** Replaces the value of one `key: value` line of the front matter. */
function setValue(text: string, random: Random, value: string): string {
  const lines = text.split("\n");
  const keyed = lines.map((line, i) => (/^\s*-?\s*[a-z_]+:/.test(line) ? i : -1)).filter((i) => i >= 0);
  if (keyed.length === 0) return text;
  const i = pick(random, keyed);
  lines[i] = lines[i]!.replace(/:.*$/, `: ${value}`);
  return lines.join("\n");
}

/** Puts `block` on its own line somewhere inside the front matter (after the opening ---). */
function insertInFrontMatter(text: string, block: string, random: Random): string {
  const lines = text.split("\n");
  const closing = lines.indexOf("---", 1);
  const at = 1 + below(random, Math.max(1, (closing > 0 ? closing : lines.length) - 1));
  lines.splice(at, 0, block);
  return lines.join("\n");
}

/** Valid persona files to start from: the shipped ones and one using every field. */
function seedPersonas(): Array<{ fileName: string; text: string }> {
  const shipped = readdirSync("personas")
    .filter((name) => name.endsWith(".md"))
    .map((fileName) => ({ fileName, text: readFileSync(path.join("personas", fileName), "utf8") }));
  const everyField = [
    "---",
    "name: Lorekeeper",
    "description: Keeps the lore.",
    "avatar: https://example.com/a.png",
    "model: some-model",
    "temperature: 0.7",
    "top_p: 0.9",
    "max_tokens: 300",
    "greeting: Hello, {{user}}.",
    "vision: true",
    "post_history_instructions: Stay in character.",
    "examples:",
    "  - user: Who are you?",
    "    assistant: The keeper.",
    "tags: [lore, test]",
    "lore:",
    "  - keys: [dragon, wyrm]",
    "    content: Dragons sleep under the hill.",
    "    case_sensitive: true",
    "  - content: It always rains.",
    "    constant: true",
    "lore_scan_depth: 3",
    "lore_token_budget: 200",
    "---",
    "You are {{char}}.",
    "",
  ].join("\n");
  return [...shipped, { fileName: "lorekeeper.md", text: everyField }];
}

type ParseResult =
  | { persona: Persona; problems?: undefined }
  | { persona?: undefined; problems: readonly PersonaProblem[] };

/** Why a result breaks the contract (a valid persona, or problems naming file, field and reason); undefined when it keeps it. */
function contractBreach(result: ParseResult, file: string): string | undefined {
  if (result.persona) {
    const p = result.persona;
    if (!PERSONA_ID.test(p.id)) return `persona id ${JSON.stringify(p.id)}`;
    if (p.name.trim() === "" || p.name.length > MAX_NAME_LENGTH) return `persona name of length ${p.name.length}`;
    if (p.description.trim() === "" || p.description.length > MAX_DESCRIPTION_LENGTH)
      return `persona description of length ${p.description.length}`;
    // A card may describe its character only in personality, scenario, system prompt or lorebook, as SillyTavern allows.
    if (p.prompt.trim() === "" && !p.personality && !p.scenario && !p.systemPrompt && !p.lore?.length)
      return "empty persona prompt";
    return undefined;
  }
  if (result.problems.length === 0) return "neither a persona nor a problem";
  const bad = result.problems.find(
    (problem) =>
      problem.file !== file ||
      typeof problem.field !== "string" ||
      problem.field === "" ||
      typeof problem.reason !== "string" ||
      problem.reason.trim() === "",
  );
  return bad ? `problem without file, field or reason: ${JSON.stringify(bad).slice(0, 200)}` : undefined;
}

interface Failure {
  readonly case: number;
  readonly mutations: readonly string[];
  readonly breach: string;
}

/** Runs `check` and turns a throw or a broken contract into a failure record. */
function attempt(
  caseNumber: number,
  mutations: readonly string[],
  check: () => string | undefined,
): Failure | undefined {
  try {
    const breach = check();
    return breach ? { case: caseNumber, mutations, breach } : undefined;
  } catch (error) {
    return {
      case: caseNumber,
      mutations,
      breach: `threw ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`.slice(0, 300),
    };
  }
}

describe("persona files mutated at random (seeded)", () => {
  it(`parsePersona and loadPersonaFile never throw on ${PERSONA_CASES} mutated files, and every failure is a clear problem`, () => {
    const random = seededRandom(SEED);
    const seeds = seedPersonas();
    const dir = tempDirForTest();
    const names = Object.keys(TEXT_MUTATIONS);
    const failures: Failure[] = [];
    const outcomes = { persona: 0, problems: 0 };

    for (let n = 0; n < PERSONA_CASES; n++) {
      const base = pick(random, seeds);
      const mutations = Array.from({ length: 1 + below(random, 3) }, () => pick(random, names));
      const text = mutations.reduce((current, name) => TEXT_MUTATIONS[name]!(current, random), base.text);
      const file = `personas/${base.fileName}`;
      const failure = attempt(n, mutations, () => {
        const result = parsePersona(file, base.fileName, text);
        outcomes[result.persona ? "persona" : "problems"] += 1;
        return contractBreach(result, file);
      });
      if (failure) failures.push(failure);

      if (n % DISK_EVERY === 0) {
        // From disk, with a few bytes that are not UTF-8 at all.
        const fileName = `case-${n}.md`;
        const bytes =
          random() < 0.5
            ? Buffer.from(text)
            : Buffer.concat([Buffer.from(text), Buffer.from([0xff, 0xfe, 0xc3, 0x28, 0x80])]);
        writeFileSync(path.join(dir, fileName), bytes);
        const diskFailure = attempt(n, [...mutations, "fromDisk"], () => {
          const loaded = loadPersonaFile(dir, fileName);
          if (loaded.kind === "ignored") return "a Markdown file was ignored";
          return contractBreach(
            loaded.kind === "persona" ? { persona: loaded.persona } : { problems: loaded.problems },
            path.join(dir, fileName),
          );
        });
        if (diskFailure) failures.push(diskFailure);
      }
    }

    expect(failures).toEqual([]);
    // The mutations reach both sides: some files survive them, most do not.
    expect(outcomes.persona).toBeGreaterThan(0);
    expect(outcomes.problems).toBeGreaterThan(PERSONA_CASES / 2);
  });
});

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const V2_CARD: Json = {
  spec: "chara_card_v2",
  spec_version: "2.0",
  data: {
    name: "Seraphina",
    description: "<BOT> guards the forest for {{user}}.",
    personality: "gentle",
    scenario: "{{user}} wakes in her glade.",
    first_mes: "You're safe now, <USER>.",
    mes_example: "<START>\n{{user}}: Where am I?\n{{char}}: In my glade.",
    creator_notes: "A forest guardian.",
    system_prompt: "Write as {{char}}. {{original}}",
    post_history_instructions: "Stay gentle.",
    tags: ["fantasy"],
    character_book: {
      scan_depth: 3,
      token_budget: 200,
      entries: [
        { keys: ["Eldoria"], content: "Eldoria is the forest.", enabled: true, insertion_order: 1 },
        { keys: [], content: "Magic is quiet.", constant: true },
      ],
    },
  },
};
const V3_CARD: Json = {
  spec: "chara_card_v3",
  spec_version: "3.0",
  data: {
    name: "Kestrel",
    description: "{{char}} flies.",
    personality: "cocky",
    scenario: "",
    first_mes: "Strap in.",
    mes_example: "",
    tags: [],
  },
};
const V1_CARD: Json = {
  name: "Moss",
  description: "{{char}} is a stone.",
  personality: "slow",
  scenario: "",
  first_mes: "...hello.",
  mes_example: "",
};

/** Values of every JSON type, and some that are large or deep. */
function wrongJson(random: Random): Json {
  const deep = (levels: number): Json =>
    levels === 0 ? "bottom" : random() < 0.5 ? [deep(levels - 1)] : { d: deep(levels - 1) };
  return pick<() => Json>(random, [
    () => null,
    () => true,
    () => -1,
    () => 1e308,
    () => "",
    () => " \n\t ",
    () => pick(random, NASTY),
    () => "x".repeat(HUGE_LENGTH),
    () => [],
    () => [1, "two", null],
    () => ({}),
    () => ({ name: 1 }),
    () => deep(1 + below(random, 500)),
  ])();
}

/** Every object (and array) inside a card, so a mutation can reach any depth. */
function containers(
  value: Json,
  found: Array<Json[] | { [key: string]: Json }> = [],
): Array<Json[] | { [key: string]: Json }> {
  if (value !== null && typeof value === "object") {
    found.push(value);
    for (const child of Object.values(value)) containers(child, found);
  }
  return found;
}

/** Any object or array in the card; a bare value has none, so a fresh object stands in. */
function pickContainer(card: Json, random: Random): Json[] | { [key: string]: Json } {
  const found = containers(card);
  return found.length > 0 ? pick(random, found) : {};
}

/** One mutation of a card's JSON structure. */
const CARD_MUTATIONS: Record<string, (card: Json, random: Random) => Json> = {
  deleteKey: (card, random) => {
    const target = pickContainer(card, random);
    const keys = Object.keys(target);
    if (keys.length > 0) delete (target as Record<string, Json>)[pick(random, keys)];
    return card;
  },
  wrongValue: (card, random) => {
    const target = pickContainer(card, random);
    const keys = Object.keys(target);
    if (keys.length > 0) (target as Record<string, Json>)[pick(random, keys)] = wrongJson(random);
    return card;
  },
  extraKey: (card, random) => {
    const target = pickContainer(card, random);
    const key = pick(random, ["__proto__", "constructor", "extensions", "data", "spec", "name"]);
    // An own property, so "__proto__" ends up in the JSON text as a plain key.
    if (!Array.isArray(target))
      Object.defineProperty(target, key, {
        value: wrongJson(random),
        enumerable: true,
        configurable: true,
        writable: true,
      });
    return card;
  },
  replaceWhole: (_card, random) => wrongJson(random),
};

/** One mutation of a card's serialized text. */
const CARD_TEXT_MUTATIONS: Record<string, (text: string, random: Random) => string> = {
  truncate: TEXT_MUTATIONS.truncate!,
  randomCharacters: TEXT_MUTATIONS.randomCharacters!,
  nastyCharacter: TEXT_MUTATIONS.nastyCharacter!,
  nulBytes: TEXT_MUTATIONS.nulBytes!,
  bom: TEXT_MUTATIONS.bom!,
  crlf: (text) => JSON.stringify(JSON.parse(text), null, 2).replace(/\n/g, "\r\n"),
  swapCharacters: (text, random) => {
    const chars = [...text];
    const [i, j] = [below(random, chars.length), below(random, chars.length)];
    [chars[i], chars[j]] = [chars[j]!, chars[i]!];
    return chars.join("");
  },
};

/** One mutation of a PNG card's bytes. */
const PNG_MUTATIONS: Record<string, (bytes: Buffer, random: Random) => Buffer> = {
  flipByte: (bytes, random) => {
    const copy = Buffer.from(bytes);
    copy[below(random, copy.length)] = below(random, 256);
    return copy;
  },
  truncate: (bytes, random) => bytes.subarray(0, below(random, bytes.length)),
  insertBytes: (bytes, random) => {
    const at = below(random, bytes.length);
    return Buffer.concat([
      bytes.subarray(0, at),
      Buffer.from(Array.from({ length: 1 + below(random, 8) }, () => below(random, 256))),
      bytes.subarray(at),
    ]);
  },
  hugeChunkLength: (bytes, random) => {
    const copy = Buffer.from(bytes);
    // Chunk lengths sit right after the 8-byte signature, then after every chunk; aim at one.
    copy.writeUInt32BE(
      pick(random, [0xffffffff, 0x7fffffff, copy.length]),
      8 + 4 * below(random, Math.max(1, (copy.length - 12) / 4)),
    );
    return copy;
  },
};

describe("character cards mutated at random (seeded)", () => {
  const cards: Json[] = [V2_CARD, V3_CARD, V1_CARD];

  it(`parseCard never throws on ${CARD_CASES} mutated JSON cards, and every failure is a clear problem`, () => {
    const random = seededRandom(SEED + 1);
    const failures: Failure[] = [];
    const outcomes = { persona: 0, problems: 0 };

    for (let n = 0; n < CARD_CASES; n++) {
      let card = structuredClone(pick(random, cards));
      const mutations = Array.from({ length: 1 + below(random, 3) }, () => pick(random, Object.keys(CARD_MUTATIONS)));
      for (const name of mutations) card = CARD_MUTATIONS[name]!(card, random);
      let text = JSON.stringify(card);
      if (random() < 0.3) {
        const name = pick(random, Object.keys(CARD_TEXT_MUTATIONS));
        mutations.push(name);
        text = attemptText(() => CARD_TEXT_MUTATIONS[name]!(text, random), text);
      }
      const failure = attempt(n, mutations, () => {
        const result = parseCard("personas/card.json", "card", "card.json", Buffer.from(text));
        outcomes[result.persona ? "persona" : "problems"] += 1;
        return contractBreach(result, "personas/card.json");
      });
      if (failure) failures.push(failure);
    }

    expect(failures).toEqual([]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(outcomes.persona).toBeGreaterThan(0);
    expect(outcomes.problems).toBeGreaterThan(0);
  });

  it(`loadPersonaFile never throws on ${PNG_CASES} corrupted PNG cards`, () => {
    const random = seededRandom(SEED + 2);
    const dir = tempDirForTest();
    const png = pngCard(V2_CARD as object);
    const failures: Failure[] = [];

    for (let n = 0; n < PNG_CASES; n++) {
      const mutations = Array.from({ length: 1 + below(random, 2) }, () => pick(random, Object.keys(PNG_MUTATIONS)));
      const bytes = mutations.reduce((current, name) => PNG_MUTATIONS[name]!(current, random), png);
      const fileName = `card-${n}.png`;
      writeFileSync(path.join(dir, fileName), bytes);
      const failure = attempt(n, mutations, () => {
        const loaded = loadPersonaFile(dir, fileName);
        if (loaded.kind === "ignored") return undefined; // no card left in it: just an image
        return contractBreach(
          loaded.kind === "persona" ? { persona: loaded.persona } : { problems: loaded.problems },
          path.join(dir, fileName),
        );
      });
      if (failure) failures.push(failure);
    }

    expect(failures).toEqual([]);
  });
});

/** Text mutations that need valid JSON (re-indenting) fall back to the text as it was. */
function attemptText(mutate: () => string, fallback: string): string {
  try {
    return mutate();
  } catch {
    return fallback;
  }
}
