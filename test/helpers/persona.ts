import type { MacroContext } from "../../src/personas/macros.js";
import type { Persona } from "../../src/personas/persona.js";

/** A small persona for prompt tests. */
export const JUNIPER: Persona = {
  id: "assistant",
  file: "personas/assistant.md",
  name: "Juniper",
  description: "A helpful assistant",
  examples: [],
  tags: [],
  aliases: [],
  talkativeness: 0.5,
  prompt: "You are Juniper, talking in {{channel}}.",
};

export const MACROS: MacroContext = { char: "Juniper", user: "Ali", server: "Test Server", channel: "general", date: new Date(Date.UTC(2025, 5, 1)) };
