/**
 * The core prompt a persona's fields make, assembled when the prompt is built, in the order
 * of SillyTavern's default story string (its "Default" context template:
 * system, description, `{{char}}'s personality: ...`, `Scenario: ...`; SillyTavern
 * default/content/presets/context/Default.json). The fields stay apart in the persona, so a
 * card exported again has them where it had them.
 */
import type { Persona } from "./persona.js";

/** The macro a card's `system_prompt` uses for the prompt it replaces (spec_v2.md, `system_prompt`). */
const ORIGINAL_MACRO = /\{\{original\}\}/gi;

/**
 * The persona's core prompt: its system prompt, then its description, personality and
 * scenario. A system prompt with `{{original}}` places the rest there instead. SillyTavern's
 * `{{original}}` is its global main prompt; Masque has none but the persona's own, so here it
 * stands for the description, personality and scenario.
 */
export function corePrompt(persona: Pick<Persona, "prompt" | "personality" | "scenario" | "systemPrompt">): string {
  const original = [
    persona.prompt.trim(),
    persona.personality && `{{char}}'s personality: ${persona.personality}`,
    persona.scenario && `Scenario: ${persona.scenario}`,
  ]
    .filter(Boolean)
    .join("\n\n");
  const system = persona.systemPrompt?.trim();
  if (!system) return original;
  if (system.search(ORIGINAL_MACRO) >= 0) return system.replace(ORIGINAL_MACRO, () => original).trim();
  return [system, original].filter(Boolean).join("\n\n");
}
