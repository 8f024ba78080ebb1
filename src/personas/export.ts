import { stringify } from "yaml";
import { cardEntryOf } from "./card-lore.js";
import { DEFAULT_GROUP_WEIGHT } from "./lore.js";
import type { LoreEntry, Persona, PersonaExample } from "./persona.js";
import { DEFAULT_LORE_ORDER, DEFAULT_TALKATIVENESS, type FrontMatter } from "./schema.js";

/** The namespace Masque keeps its own fields under in a card's `extensions` (spec_v2.md asks for namespaced keys). */
export const CARD_EXTENSION = "masque";

function loreFrontMatter(entry: LoreEntry): NonNullable<FrontMatter["lore"]>[number] {
  return {
    keys: [...entry.keys],
    ...(entry.secondaryKeys.length > 0 ? { secondary_keys: [...entry.secondaryKeys] } : {}),
    ...(!entry.selective ? { selective: false } : {}),
    ...(entry.selectiveLogic !== "and_any" ? { selective_logic: entry.selectiveLogic } : {}),
    content: entry.content,
    ...(entry.constant ? { constant: true } : {}),
    ...(!entry.enabled ? { enabled: false } : {}),
    ...(entry.caseSensitive ? { case_sensitive: true } : {}),
    ...(!entry.matchWholeWords ? { match_whole_words: false } : {}),
    ...(entry.probability < 100 ? { probability: entry.probability } : {}),
    ...(entry.position !== "after_char" ? { position: entry.position } : {}),
    ...(entry.position === "at_depth" ? { depth: entry.depth, role: entry.role } : {}),
    ...(entry.excludeRecursion ? { exclude_recursion: true } : {}),
    ...(entry.preventRecursion ? { prevent_recursion: true } : {}),
    ...(entry.group ? { group: entry.group } : {}),
    ...(entry.groupOverride ? { group_override: true } : {}),
    ...(entry.groupWeight !== DEFAULT_GROUP_WEIGHT ? { group_weight: entry.groupWeight } : {}),
    ...(entry.sticky > 0 ? { sticky: entry.sticky } : {}),
    ...(entry.cooldown > 0 ? { cooldown: entry.cooldown } : {}),
    ...(entry.delay > 0 ? { delay: entry.delay } : {}),
    ...(entry.scanDepth !== undefined ? { scan_depth: entry.scanDepth } : {}),
    ...(entry.order !== DEFAULT_LORE_ORDER ? { order: entry.order } : {}),
    ...(entry.comment ? { comment: entry.comment } : {}),
    ...(entry.card ? { card: entry.card } : {}),
  };
}

/** The persona's fields as front matter, only those that are set. */
function frontMatterOf(persona: Persona): Record<string, unknown> {
  const fm: Record<string, unknown> = { name: persona.name, description: persona.description };
  const optional: Array<[string, unknown]> = [
    ["nickname", persona.nickname],
    ["avatar", persona.avatar],
    ["model", persona.model],
    ["temperature", persona.temperature],
    ["top_p", persona.topP],
    ["max_tokens", persona.maxTokens],
    ["vision", persona.vision],
    ["creator", persona.creator],
    ["character_version", persona.characterVersion],
    ["notes", persona.notes],
    ["notes_by_language", persona.notesByLanguage],
    ["group_greetings", persona.groupGreetings?.length ? [...persona.groupGreetings] : undefined],
    ["greeting", persona.greeting],
    ["greetings", persona.greetings?.length ? [...persona.greetings] : undefined],
    ["greeting_user", persona.greetingUser],
    [
      "examples",
      persona.examples.length > 0
        ? persona.examples.map((e) =>
            e.user === undefined ? { assistant: e.assistant } : { user: e.user, assistant: e.assistant },
          )
        : undefined,
    ],
    ["tags", persona.tags.length > 0 ? [...persona.tags] : undefined],
    ["aliases", persona.aliases.length > 0 ? [...persona.aliases] : undefined],
    ["talkativeness", persona.talkativeness === DEFAULT_TALKATIVENESS ? undefined : persona.talkativeness],
    ["personality", persona.personality],
    ["scenario", persona.scenario],
    ["system_prompt", persona.systemPrompt],
    ["post_history_instructions", persona.postHistoryInstructions],
    ["lore", persona.lore?.length ? persona.lore.map(loreFrontMatter) : undefined],
    ["lore_scan_depth", persona.lore?.length ? persona.loreScanDepth : undefined],
    ["lore_token_budget", persona.loreTokenBudget],
    ["params", persona.params],
    ["show_reasoning", persona.showReasoning],
    ["card", persona.card],
  ];
  for (const [key, value] of optional) if (value !== undefined) fm[key] = value;
  return fm;
}

/** Writes a persona as a Markdown persona file (YAML front matter + core prompt). */
export function toMarkdown(persona: Persona): string {
  return `---\n${stringify(frontMatterOf(persona), { lineWidth: 0 })}---\n${persona.prompt}\n`;
}

/** Example dialogue as SillyTavern writes `mes_example`: `<START>` blocks of `{{user}}:` and `{{char}}:` lines. */
function mesExample(examples: readonly PersonaExample[]): string {
  return examples
    .map((e) => `<START>\n${e.user === undefined ? "" : `{{user}}: ${e.user}\n`}{{char}}: ${e.assistant}`)
    .join("\n");
}

/** Masque's own settings, which no card field holds; kept under `extensions.masque` so a round trip keeps them. */
function masqueExtension(persona: Persona): Record<string, unknown> {
  const settings: Record<string, unknown> = {
    description: persona.description,
    model: persona.model,
    temperature: persona.temperature,
    top_p: persona.topP,
    max_tokens: persona.maxTokens,
    vision: persona.vision,
    greeting_user: persona.greetingUser,
    params: persona.params,
    show_reasoning: persona.showReasoning,
    aliases: persona.aliases.length > 0 ? [...persona.aliases] : undefined,
  };
  return Object.fromEntries(Object.entries(settings).filter(([, value]) => value !== undefined));
}

/**
 * The persona as a Character Card V3 (SPEC_V3.md) from Masque's fields alone, without what
 * the card it came from held besides (card-export.ts puts that back). The core prompt is the
 * card's description; V2's fields are filled too, as the V3 spec allows, so V2-only tools read it.
 */
export function cardWithoutRemainder(persona: Persona): {
  spec: "chara_card_v3";
  spec_version: "3.0";
  data: Record<string, unknown>;
} {
  const book = persona.lore?.length
    ? {
        extensions: {},
        scan_depth: persona.loreScanDepth,
        ...(persona.loreTokenBudget !== undefined ? { token_budget: persona.loreTokenBudget } : {}),
        entries: persona.lore.map((entry, index) => cardEntryOf(entry, index)),
      }
    : undefined;
  return {
    spec: "chara_card_v3",
    spec_version: "3.0",
    data: {
      name: persona.name,
      description: persona.prompt,
      personality: persona.personality ?? "",
      scenario: persona.scenario ?? "",
      first_mes: persona.greeting ?? "",
      mes_example: mesExample(persona.examples),
      creator_notes: persona.notes ?? "",
      system_prompt: persona.systemPrompt ?? "",
      post_history_instructions: persona.postHistoryInstructions ?? "",
      alternate_greetings: [...(persona.greetings ?? [])],
      group_only_greetings: [...(persona.groupGreetings ?? [])],
      ...(persona.nickname ? { nickname: persona.nickname } : {}),
      ...(persona.notesByLanguage ? { creator_notes_multilingual: { ...persona.notesByLanguage } } : {}),
      tags: [...persona.tags],
      creator: persona.creator ?? "",
      character_version: persona.characterVersion ?? "",
      // SillyTavern's own place for it, as text, so its group chats read it too; a missing one is its default.
      extensions: {
        ...(persona.talkativeness === DEFAULT_TALKATIVENESS ? {} : { talkativeness: String(persona.talkativeness) }),
        [CARD_EXTENSION]: masqueExtension(persona),
      },
      ...(book ? { character_book: book } : {}),
    },
  };
}
