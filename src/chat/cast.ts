import type { CastStore } from "../memory/cast.js";
import type { PersonaChoiceStore } from "../memory/persona-choices.js";
import type { ConversationRef } from "../memory/turns.js";
import type { Persona } from "../personas/persona.js";
import type { PersonaRegistry } from "../personas/registry.js";
import { activePersona } from "./active-persona.js";

/** The personas that speak in a conversation. */
export interface Cast {
  /** The persona /persona set chose: it answers whatever addresses nobody in particular. */
  readonly lead: Persona;
  /** The lead first, then the others in the order they were added; personas no longer loaded are left out. */
  readonly members: readonly Persona[];
}

/**
 * A conversation's cast: its lead persona and the personas added beside it. A thread
 * without a cast of its own has its parent channel's.
 */
export function castOf(stores: { personaChoices: PersonaChoiceStore; casts: CastStore }, registry: PersonaRegistry, conversation: ConversationRef): Cast {
  const lead = activePersona(stores.personaChoices, registry, conversation).persona;
  let added = stores.casts.members(conversation.key);
  if (added.length === 0 && conversation.parentKey) added = stores.casts.members(conversation.parentKey);
  const others = added.flatMap((member) => {
    const persona = registry.get(member.personaId);
    return persona && persona.id !== lead.id ? [persona] : [];
  });
  return { lead, members: [lead, ...others] };
}
