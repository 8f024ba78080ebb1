/**
 * A card's `character_book` (spec_v2.md "CharacterBook"; SPEC_V3.md "Lorebook") to and from
 * the `lore:` list of a Markdown persona. SillyTavern keeps what the spec has no field for
 * under each entry's `extensions` (selectiveLogic, probability, useProbability,
 * match_whole_words, position...), read and written as its convertCharacterBook and
 * convertWorldInfoToCharacterBook do (public/scripts/world-info.js, src/endpoints/characters.js).
 */
import { z } from "zod";
import { CERTAIN_PROBABILITY, DEFAULT_GROUP_WEIGHT, DEFAULT_LORE_DEPTH } from "./lore.js";
import { LORE_ROLES, type LoreEntry, SELECTIVE_LOGICS, type SelectiveLogic } from "./persona.js";
import { remainderOf, withRemainder, withUnixLineEndings } from "./card-remainder.js";
import { DEFAULT_LORE_ORDER, describeValue, type FrontMatter, loreEntryOf } from "./schema.js";

/**
 * SillyTavern's `world_info_position`: 0 is before the character's definition, 1 after, 4 at
 * a depth among the messages (2, 3, 5 and 6, the author's note and example spots, Masque
 * places after the character, and keeps for export).
 */
const ST_POSITION_BEFORE_CHAR = 0;
const ST_POSITION_AFTER_CHAR = 1;
const ST_POSITION_AT_DEPTH = 4;

const found = (what: string) => (issue: { input?: unknown }) => `expected ${what}, found ${describeValue(issue.input)}`;
const nullable = <T extends z.ZodType>(schema: T) =>
  z.preprocess((v) => (v === null ? undefined : v), schema.optional());
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
      selectiveLogic: nullable(
        z
          .number()
          .int()
          .min(0)
          .max(SELECTIVE_LOGICS.length - 1),
      ).catch(undefined),
      probability: nullable(z.number().min(0).max(CERTAIN_PROBABILITY)).catch(undefined),
      useProbability: flag.catch(undefined),
      match_whole_words: flag.catch(undefined),
      case_sensitive: flag.catch(undefined),
      position: number.catch(undefined),
      depth: nullable(z.number().int().min(0)).catch(undefined),
      role: nullable(
        z
          .number()
          .int()
          .min(0)
          .max(LORE_ROLES.length - 1),
      ).catch(undefined),
      exclude_recursion: flag.catch(undefined),
      prevent_recursion: flag.catch(undefined),
      group: nullable(z.string()).catch(undefined),
      group_override: flag.catch(undefined),
      group_weight: nullable(z.number().positive()).catch(undefined),
      sticky: nullable(z.number().int().min(0)).catch(undefined),
      cooldown: nullable(z.number().int().min(0)).catch(undefined),
      delay: nullable(z.number().int().min(0)).catch(undefined),
      scan_depth: nullable(z.number().int().min(0)).catch(undefined),
    }),
  ).catch(undefined),
});

const bookSchema = z.looseObject({
  scan_depth: nullable(
    z
      .number({ error: found("a whole number") })
      .int("must be a whole number")
      .positive("must be at least 1"),
  ),
  token_budget: nullable(
    z
      .number({ error: found("a whole number") })
      .int("must be a whole number")
      .positive("must be at least 1"),
  ),
  entries: z.array(z.unknown(), { error: found("a list of entries") }),
});

type CardEntry = z.infer<typeof entrySchema>;
type LoreFrontMatter = Pick<FrontMatter, "lore" | "lore_scan_depth" | "lore_token_budget">;
type FrontMatterEntry = NonNullable<FrontMatter["lore"]>[number];

const clean = (keys: readonly string[] | undefined) =>
  (keys ?? []).map((k) => k.replace(/\r\n?/g, "\n").trim()).filter(Boolean);

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
    ...(stPosition === ST_POSITION_AT_DEPTH
      ? { position: "at_depth" as const, depth: ext.depth ?? DEFAULT_LORE_DEPTH, role: LORE_ROLES[ext.role ?? 0] }
      : {}),
    ...(ext.exclude_recursion ? { exclude_recursion: true } : {}),
    ...(ext.prevent_recursion ? { prevent_recursion: true } : {}),
    ...(ext.group?.trim() ? { group: ext.group.trim() } : {}),
    ...(ext.group_override ? { group_override: true } : {}),
    ...(ext.group_weight !== undefined && ext.group_weight !== DEFAULT_GROUP_WEIGHT
      ? { group_weight: ext.group_weight }
      : {}),
    ...(ext.sticky ? { sticky: ext.sticky } : {}),
    ...(ext.cooldown ? { cooldown: ext.cooldown } : {}),
    ...(ext.delay ? { delay: ext.delay } : {}),
    ...(ext.scan_depth !== undefined ? { scan_depth: ext.scan_depth } : {}),
    order: e.insertion_order ?? DEFAULT_LORE_ORDER,
    ...(comment ? { comment } : {}),
  };
}

/** A card's `character_book` as Markdown lore fields, or the problems with its shape. */
export function cardLore(
  book: unknown,
): { frontMatter: LoreFrontMatter } | { problems: Array<{ field: string; reason: string }> } {
  if (book === undefined) return { frontMatter: {} };
  const parsedBook = bookSchema.safeParse(book);
  if (!parsedBook.success) {
    return {
      problems: parsedBook.error.issues.map((i) => ({
        field: ["character_book", ...i.path].join("."),
        reason: i.message,
      })),
    };
  }
  const lore: FrontMatterEntry[] = [];
  const problems: Array<{ field: string; reason: string }> = [];
  parsedBook.data.entries.forEach((raw, index) => {
    const parsed = entrySchema.safeParse(raw);
    if (!parsed.success) {
      const where = `character_book.entries[${index}]`;
      problems.push(
        ...parsed.error.issues.map((i) => ({
          field: [where, ...i.path].join("."),
          reason: i.path.length ? i.message : found("an entry")({ input: raw }),
        })),
      );
      return;
    }
    const entry = entryOf(parsed.data);
    const card = remainderOf(
      withUnixLineEndings(raw) as Record<string, unknown>,
      cardEntryOf(loreEntryOf(entry), index),
    );
    lore.push(card ? { ...entry, card } : entry);
  });
  if (problems.length > 0) return { problems };
  if (lore.length === 0) return { frontMatter: {} };
  return {
    frontMatter: { lore, lore_scan_depth: parsedBook.data.scan_depth, lore_token_budget: parsedBook.data.token_budget },
  };
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
  const stPosition = {
    before_char: ST_POSITION_BEFORE_CHAR,
    after_char: ST_POSITION_AFTER_CHAR,
    at_depth: ST_POSITION_AT_DEPTH,
  }[entry.position];
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
    // The spec knows only before_char and after_char; at-depth is in the extensions, as SillyTavern writes it.
    position: entry.position === "before_char" ? "before_char" : "after_char",
    case_sensitive: entry.caseSensitive,
    use_regex: false,
    extensions: {
      position: stPosition,
      probability: entry.probability,
      useProbability: entry.probability < CERTAIN_PROBABILITY,
      selectiveLogic: SELECTIVE_LOGICS.indexOf(entry.selectiveLogic),
      case_sensitive: entry.caseSensitive,
      match_whole_words: entry.matchWholeWords,
      depth: entry.depth,
      role: LORE_ROLES.indexOf(entry.role),
      exclude_recursion: entry.excludeRecursion,
      prevent_recursion: entry.preventRecursion,
      group: entry.group ?? "",
      group_override: entry.groupOverride,
      group_weight: entry.groupWeight,
      sticky: entry.sticky,
      cooldown: entry.cooldown,
      delay: entry.delay,
      scan_depth: entry.scanDepth ?? null,
    },
  };
}
