import { stringify } from "yaml";
import type { Persona } from "./persona.js";

/** Writes a persona as a Markdown persona file (YAML front matter + core prompt). */
export function toMarkdown(persona: Persona): string {
  const frontMatter: Record<string, unknown> = { name: persona.name, description: persona.description };
  if (persona.avatar) frontMatter.avatar = persona.avatar;
  if (persona.model) frontMatter.model = persona.model;
  if (persona.temperature !== undefined) frontMatter.temperature = persona.temperature;
  if (persona.topP !== undefined) frontMatter.top_p = persona.topP;
  if (persona.maxTokens !== undefined) frontMatter.max_tokens = persona.maxTokens;
  if (persona.vision !== undefined) frontMatter.vision = persona.vision;
  if (persona.greeting) frontMatter.greeting = persona.greeting;
  if (persona.examples.length > 0) frontMatter.examples = persona.examples.map((e) => ({ user: e.user, assistant: e.assistant }));
  if (persona.tags.length > 0) frontMatter.tags = [...persona.tags];
  if (persona.postHistoryInstructions) frontMatter.post_history_instructions = persona.postHistoryInstructions;
  if (persona.lore?.length) {
    frontMatter.lore = persona.lore.map((entry) => ({
      keys: [...entry.keys],
      content: entry.content,
      ...(entry.constant ? { constant: true } : {}),
      ...(entry.caseSensitive ? { case_sensitive: true } : {}),
    }));
    if (persona.loreScanDepth !== undefined) frontMatter.lore_scan_depth = persona.loreScanDepth;
    if (persona.loreTokenBudget !== undefined) frontMatter.lore_token_budget = persona.loreTokenBudget;
  }
  return `---\n${stringify(frontMatter, { lineWidth: 0 })}---\n${persona.prompt}\n`;
}
