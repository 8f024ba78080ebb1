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
export function castOf(
  stores: { personaChoices: PersonaChoiceStore; casts: CastStore },
  registry: PersonaRegistry,
  conversation: ConversationRef,
): Cast {
  const lead = activePersona(stores.personaChoices, registry, conversation).persona;
  let added = stores.casts.members(conversation.key);
  if (added.length === 0 && conversation.parentKey) added = stores.casts.members(conversation.parentKey);
  const others = added.flatMap((member) => {
    const persona = registry.get(member.personaId);
    return persona && persona.id !== lead.id ? [persona] : [];
  });
  return { lead, members: [lead, ...others] };
}

/** Why a persona cannot join a cast: no such persona, it leads already, it is in already, the cast is full. */
export type JoinRefusal = "unknown" | "lead" | "member" | "full";

/** Whether `persona` may join `cast` with at most `maxCast` personas beside the lead; undefined when it may. */
export function joinRefusal(cast: Cast, persona: Persona | undefined, maxCast: number): JoinRefusal | undefined {
  if (!persona) return "unknown";
  if (persona.id === cast.lead.id) return "lead";
  if (cast.members.some((member) => member.id === persona.id)) return "member";
  return cast.members.length - 1 >= maxCast ? "full" : undefined;
}

/**
 * Whether the persona `personaId` may leave a cast: the lead stays, and one not in it cannot
 * leave (`stored`: the ids the store holds, so a persona whose file is gone can still leave).
 */
export function leaveRefusal(cast: Cast, personaId: string, stored: readonly string[]): "lead" | "absent" | undefined {
  if (personaId === cast.lead.id) return "lead";
  return cast.members.some((member) => member.id === personaId) || stored.includes(personaId) ? undefined : "absent";
}
