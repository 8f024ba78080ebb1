import { writeFileSync } from "node:fs";
import path from "node:path";
import type { MacroContext } from "../../src/personas/macros.js";
import type { Persona } from "../../src/personas/persona.js";

/** A persona as the registry would hold it; only `id` is required, the rest has plain defaults. */
export function testPersona(overrides: Partial<Persona> & Pick<Persona, "id">): Persona {
  return {
    file: `personas/${overrides.id}.md`,
    name: overrides.id,
    description: `The ${overrides.id} persona.`,
    examples: [],
    tags: [],
    aliases: [],
    talkativeness: 0.5,
    prompt: `You are ${overrides.id}.`,
    ...overrides,
  };
}

/** The text of a minimal valid persona file. */
export function personaFileText(name: string, body = `You are ${name}.`): string {
  return `---\nname: ${name}\ndescription: A test persona.\n---\n${body}\n`;
}

/** Writes `{ "quill.md": "---\n..." }` into `dir`. */
export function writePersonaFiles(dir: string, files: Record<string, string>): void {
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
}

/** A small persona for prompt tests. */
export const JUNIPER: Persona = testPersona({
  id: "assistant",
  file: "personas/assistant.md",
  name: "Juniper",
  description: "A helpful assistant",
  prompt: "You are Juniper, talking in {{channel}}.",
});

/** The macros of a message from Ali in Test Server's #general, on a fixed date. */
export const MACROS: MacroContext = {
  char: "Juniper",
  user: "Ali",
  server: "Test Server",
  channel: "general",
  date: new Date(Date.UTC(2025, 5, 1)),
};
