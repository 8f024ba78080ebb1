/** A lorebook entry in a persona's front matter: its schema, and the `LoreEntry` it becomes. */
import { z } from "zod";
import { DEFAULT_GROUP_WEIGHT, DEFAULT_LORE_DEPTH } from "./lore.js";
import { LORE_POSITIONS, LORE_ROLES, type LoreEntry, SELECTIVE_LOGICS } from "./persona.js";
import { cardRemainder, describeValue, flag, found, text, textList, wholeNumber } from "./schema-fields.js";

/** The insertion order a lore entry gets when the file gives none (SillyTavern's new-entry default). */
export const DEFAULT_LORE_ORDER = 100;

/** One lorebook entry of the front matter's `lore`, in SillyTavern's terms, defaults filled in. */
export const loreEntrySchema = z.strictObject(
  {
    keys: textList("a list of words that trigger the entry").default([]),
    secondary_keys: textList("a list of words").default([]),
    selective: flag.default(true),
    selective_logic: z
      .enum(SELECTIVE_LOGICS, { error: `must be one of ${SELECTIVE_LOGICS.join(", ")}` })
      .default("and_any"),
    // An empty entry is never included; SillyTavern keeps one, so a card's is kept for export.
    content: z
      .string({ error: found("text") })
      .trim()
      .default(""),
    constant: flag.default(false),
    enabled: flag.default(true),
    case_sensitive: flag.default(false),
    match_whole_words: flag.default(true),
    probability: z
      .number({ error: found("a number from 0 to 100") })
      .min(0, "must be from 0 to 100")
      .max(100, "must be from 0 to 100")
      .default(100),
    position: z.enum(LORE_POSITIONS, { error: `must be ${LORE_POSITIONS.join(" or ")}` }).default("after_char"),
    depth: wholeNumber.min(0, "must be 0 or more").default(DEFAULT_LORE_DEPTH),
    role: z.enum(LORE_ROLES, { error: `must be ${LORE_ROLES.join(", ")}` }).default("system"),
    exclude_recursion: flag.default(false),
    prevent_recursion: flag.default(false),
    group: text().optional(),
    group_override: flag.default(false),
    group_weight: z
      .number({ error: found("a number") })
      .positive("must be more than 0")
      .default(DEFAULT_GROUP_WEIGHT),
    sticky: wholeNumber.min(0, "must be 0 or more").default(0),
    cooldown: wholeNumber.min(0, "must be 0 or more").default(0),
    delay: wholeNumber.min(0, "must be 0 or more").default(0),
    scan_depth: wholeNumber.min(0, "must be 0 or more").optional(),
    order: z.number({ error: found("a number") }).default(DEFAULT_LORE_ORDER),
    comment: text().optional(),
    card: cardRemainder.optional(),
  },
  {
    error: (issue) =>
      issue.code === "unrecognized_keys"
        ? `unknown field(s) ${issue.keys.join(", ")}; a lore entry has keys, secondary_keys, selective, selective_logic, content, constant, enabled, case_sensitive, match_whole_words, probability, position, depth, role, exclude_recursion, prevent_recursion, group, group_override, group_weight, sticky, cooldown, delay, scan_depth, order, comment, card`
        : `expected an entry with keys: and content:, found ${describeValue(issue.input)}`,
  },
);

type ParsedLoreEntry = z.output<typeof loreEntrySchema>;

/** A parsed front-matter lore entry as the persona holds it. */
export function loreEntryFrom(e: ParsedLoreEntry): LoreEntry {
  return {
    keys: e.keys,
    secondaryKeys: e.secondary_keys,
    selective: e.selective,
    selectiveLogic: e.selective_logic,
    content: e.content,
    constant: e.constant,
    enabled: e.enabled,
    caseSensitive: e.case_sensitive,
    matchWholeWords: e.match_whole_words,
    probability: e.probability,
    position: e.position,
    depth: e.depth,
    role: e.role,
    excludeRecursion: e.exclude_recursion,
    preventRecursion: e.prevent_recursion,
    group: e.group,
    groupOverride: e.group_override,
    groupWeight: e.group_weight,
    sticky: e.sticky,
    cooldown: e.cooldown,
    delay: e.delay,
    scanDepth: e.scan_depth,
    order: e.order,
    comment: e.comment,
    card: e.card,
  };
}

/** A front-matter lore entry as the persona holds it, defaults filled in; throws on an entry the schema refuses. */
export function loreEntryOf(entry: z.input<typeof loreEntrySchema>): LoreEntry {
  return loreEntryFrom(loreEntrySchema.parse(entry));
}
