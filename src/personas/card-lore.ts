/**
 * A card's `character_book` (spec_v2.md "CharacterBook"; SPEC_V3.md "Lorebook") to and from
 * the `lore:` list of a Markdown persona. SillyTavern keeps what the spec has no field for
 * under each entry's `extensions` (selectiveLogic, probability, useProbability,
 * match_whole_words, position...), read and written as its convertCharacterBook and
 * convertWorldInfoToCharacterBook do (public/scripts/world-info.js, src/endpoints/characters.js).
 */
import { z } from "zod";
import { CERTAIN_PROBABILITY } from "./lore.js";
import { type LoreEntry, SELECTIVE_LOGICS, type SelectiveLogic } from "./persona.js";
import { remainderOf, withRemainder, withUnixLineEndings } from "./card-remainder.js";
import { DEFAULT_LORE_ORDER, describeValue, type FrontMatter, loreEntryOf } from "./schema.js";

/** SillyTavern's `world_info_position`: 0 is before the character's definition, 1 after. */
const ST_POSITION_BEFORE_CHAR = 0;
const ST_POSITION_AFTER_CHAR = 1;

const found = (what: string) => (issue: { input?: unknown }) => `expected ${what}, found ${describeValue(issue.input)}`;
const nullable = <T extends z.ZodType>(schema: T) => z.preprocess((v) => (v === null ? undefined : v), schema.optional());
/** Keys are a list in the spec; a few tools write one comma-separated string instead. */
const keyList = z.preprocess(
  (v) => (v === null ? undefined : typeof v === "string" ? v.split(",") : v),
  z.array(z.string({ error: found("text") }), { error: found("a list of keys") }).optional(),
);
const flag = nullable(z.boolean({ error: found("true or false") }));
const number = nullable(z.number({ error: found("a number") }));

const entrySchema = z.looseObject({
  keys: keyList,
  secondary_keys: keyList,
  content: nullable(z.string({ error: found("text") })),
  enabled: flag,
  insertion_order: number,
  case_sensitive: flag,
  constant: flag,
  selective: flag,
  position: nullable(z.string({ error: found("before_char or after_char") })),
  comment: nullable(z.string({ error: found("text") })),
  name: nullable(z.string({ error: found("text") })),
  extensions: nullable(
    z.looseObject({
      selectiveLogic: nullable(z.number().int().min(0).max(SELECTIVE_LOGICS.length - 1)).catch(undefined),
      probability: nullable(z.number().min(0).max(CERTAIN_PROBABILITY)).catch(undefined),
      useProbability: flag.catch(undefined),
      match_whole_words: flag.catch(undefined),
      case_sensitive: flag.catch(undefined),
      position: number.catch(undefined),
    }),
  ).catch(undefined),
});

const bookSchema = z.looseObject({
  scan_depth: nullable(z.number({ error: found("a whole number") }).int("must be a whole number").positive("must be at least 1")),
  token_budget: nullable(z.number({ error: found("a whole number") }).int("must be a whole number").positive("must be at least 1")),
  entries: z.array(z.unknown(), { error: found("a list of entries") }),
});

type CardEntry = z.infer<typeof entrySchema>;
type LoreFrontMatter = Pick<FrontMatter, "lore" | "lore_scan_depth" | "lore_token_budget">;
type FrontMatterEntry = NonNullable<FrontMatter["lore"]>[number];

const clean = (keys: readonly string[] | undefined) => (keys ?? []).map((k) => k.replace(/\r\n?/g, "\n").trim()).filter(Boolean);

/** An entry as Masque reads it; what the card held beyond that is added by cardLore as its `card` remainder. */
function entryOf(e: CardEntry): FrontMatterEntry {
  // An empty entry adds nothing to any prompt, but SillyTavern keeps it, so it is kept for export.
  const content = e.content?.replace(/\r\n?/g, "\n").trim() ?? "";
  const ext = e.extensions ?? {};
  const logic: SelectiveLogic = SELECTIVE_LOGICS[ext.selectiveLogic ?? 0] ?? "and_any";
  const stPosition = ext.position ?? (e.position === "before_char" ? ST_POSITION_BEFORE_CHAR : ST_POSITION_AFTER_CHAR);
  const probability = ext.useProbability === false ? CERTAIN_PROBABILITY : (ext.probability ?? CERTAIN_PROBABILITY);
  const comment = (e.comment || e.name)?.trim();
  return {
    keys: clean(e.keys),
    ...(clean(e.secondary_keys).length > 0 ? { secondary_keys: clean(e.secondary_keys) } : {}),
    ...(e.selective === false && clean(e.secondary_keys).length > 0 ? { selective: false } : {}),
    ...(logic !== "and_any" ? { selective_logic: logic } : {}),
    content,
    ...(e.constant ? { constant: true } : {}),
    // SillyTavern reads an entry without `enabled` as disabled (`disable: !entry.enabled`, convertCharacterBook [WI code]).
    ...(e.enabled !== true ? { enabled: false } : {}),
    ...((e.case_sensitive ?? ext.case_sensitive) ? { case_sensitive: true } : {}),
    ...(ext.match_whole_words === false ? { match_whole_words: false } : {}),
    ...(probability < CERTAIN_PROBABILITY ? { probability } : {}),
    ...(stPosition === ST_POSITION_BEFORE_CHAR ? { position: "before_char" as const } : {}),
    order: e.insertion_order ?? DEFAULT_LORE_ORDER,
    ...(comment ? { comment } : {}),
  };
}

/** A card's `character_book` as Markdown lore fields, or the problems with its shape. */
export function cardLore(book: unknown): { frontMatter: LoreFrontMatter } | { problems: Array<{ field: string; reason: string }> } {
  if (book === undefined) return { frontMatter: {} };
  const parsedBook = bookSchema.safeParse(book);
  if (!parsedBook.success) {
    return { problems: parsedBook.error.issues.map((i) => ({ field: ["character_book", ...i.path].join("."), reason: i.message })) };
  }
  const lore: FrontMatterEntry[] = [];
  const problems: Array<{ field: string; reason: string }> = [];
  parsedBook.data.entries.forEach((raw, index) => {
    const parsed = entrySchema.safeParse(raw);
    if (!parsed.success) {
      const where = `character_book.entries[${index}]`;
      problems.push(...parsed.error.issues.map((i) => ({ field: [where, ...i.path].join("."), reason: i.path.length ? i.message : found("an entry")({ input: raw }) })));
      return;
    }
    const entry = entryOf(parsed.data);
    const card = remainderOf(withUnixLineEndings(raw) as Record<string, unknown>, cardEntryOf(loreEntryOf(entry), index));
    lore.push(card ? { ...entry, card } : entry);
  });
  if (problems.length > 0) return { problems };
  if (lore.length === 0) return { frontMatter: {} };
  return { frontMatter: { lore, lore_scan_depth: parsedBook.data.scan_depth, lore_token_budget: parsedBook.data.token_budget } };
}

/** What Masque reads from a card's entry, as the card entry Masque would write for it: the entry's meaning, for comparing. */
function entryMeaning(raw: Record<string, unknown>, id: number): unknown {
  const parsed = entrySchema.safeParse(raw);
  return parsed.success ? cardEntryOf(loreEntryOf(entryOf(parsed.data)), id) : undefined;
}

/** A lore entry as a card's `character_book` entry, with what the card's own entry held besides put back (card-remainder.ts). */
export function cardEntryWithRemainder(entry: LoreEntry, id: number): Record<string, unknown> {
  return withRemainder(cardEntryOf(entry, id), entry.card, (raw) => entryMeaning(raw, id));
}

/** A lore entry as a card's `character_book` entry, with SillyTavern's extensions, so SillyTavern reads it back the same. */
export function cardEntryOf(entry: LoreEntry, id: number): Record<string, unknown> {
  const stPosition = entry.position === "before_char" ? ST_POSITION_BEFORE_CHAR : ST_POSITION_AFTER_CHAR;
  return {
    id,
    keys: [...entry.keys],
    secondary_keys: [...entry.secondaryKeys],
    comment: entry.comment ?? "",
    content: entry.content,
    constant: entry.constant,
    selective: entry.selective,
    insertion_order: entry.order,
    enabled: entry.enabled,
    position: entry.position,
    case_sensitive: entry.caseSensitive,
    use_regex: false,
    extensions: {
      position: stPosition,
      probability: entry.probability,
      useProbability: entry.probability < CERTAIN_PROBABILITY,
      selectiveLogic: SELECTIVE_LOGICS.indexOf(entry.selectiveLogic),
      case_sensitive: entry.caseSensitive,
      match_whole_words: entry.matchWholeWords,
    },
  };
}
