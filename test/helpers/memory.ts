import { countTurnTokens } from "../../src/chat/tokens.js";
import type { NewTurn } from "../../src/memory/turns.js";

/** A fixed clock value for stored turns, so tests do not depend on the time they run. */
export const T0 = Date.UTC(2025, 0, 1);

/** A person's turn, with its real token count. */
export function said(authorName: string, content: string, options: { authorId?: string; createdAt?: number } = {}): NewTurn {
  return {
    role: "user",
    authorId: options.authorId ?? `id-${authorName.toLowerCase()}`,
    authorName,
    content,
    tokenCount: countTurnTokens(authorName, content),
    createdAt: options.createdAt ?? T0,
  };
}

/** A persona's turn. */
export function replied(personaId: string, personaName: string, content: string, createdAt = T0): NewTurn {
  return {
    role: "assistant",
    authorId: `persona:${personaId}`,
    authorName: personaName,
    personaId,
    content,
    tokenCount: countTurnTokens(personaName, content),
    createdAt,
  };
}
