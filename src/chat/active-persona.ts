import type { PersonaChoiceStore } from "../memory/persona-choices.js";
import type { ConversationRef } from "../memory/turns.js";
import type { Persona } from "../personas/persona.js";
import type { PersonaRegistry } from "../personas/registry.js";

/** Where the active persona was chosen: this conversation, its parent channel, the server, or the bot's default. */
export type PersonaSource = "conversation" | "parent" | "server" | "default";

/** The persona active in a conversation, and where that choice came from. */
export interface ActivePersona {
  readonly persona: Persona;
  readonly source: PersonaSource;
}

/**
 * The persona active in a conversation: thread → parent channel → server default →
 * global default. A choice naming a persona that is no longer loaded is skipped.
 */
export function activePersona(
  choices: PersonaChoiceStore,
  registry: PersonaRegistry,
  conversation: ConversationRef,
): ActivePersona {
  const candidates: Array<[PersonaSource, string | undefined]> = [
    ["conversation", choices.conversationPersona(conversation.key)],
    ["parent", conversation.parentKey ? choices.conversationPersona(conversation.parentKey) : undefined],
    ["server", conversation.guildId ? choices.guildPersona(conversation.guildId) : undefined],
  ];
  for (const [source, id] of candidates) {
    const persona = id ? registry.get(id) : undefined;
    if (persona) return { persona, source };
  }
  return { persona: registry.default, source: "default" };
}
