/**
 * A persona as the character card it came from: Masque's fields (export.ts), with what the
 * card held besides put back (card-remainder.ts), entry by entry for its lorebook.
 */
import { cardEntryWithRemainder } from "./card-lore.js";
import { withRemainder } from "./card-remainder.js";
import { parseCardData } from "./cards.js";
import { cardWithoutRemainder } from "./export.js";
import type { Persona } from "./persona.js";

type CardV3 = ReturnType<typeof cardWithoutRemainder>;

/** What Masque reads from card data, written back as a card: a kept field is written as it was only if this stays the same with it. */
function meaningOf(persona: Persona): (data: Record<string, unknown>) => unknown {
  return (data) => {
    const reread = parseCardData(persona.file, persona.id, data);
    return reread.persona ? cardWithoutRemainder(reread.persona).data : undefined;
  };
}

/**
 * The persona as a Character Card V3 (SPEC_V3.md), with every field and extension of the
 * card it was imported from that Masque holds no field for, and every lorebook entry's.
 */
export function toCardV3(persona: Persona): CardV3 {
  const card = cardWithoutRemainder(persona);
  const data = withRemainder(card.data, persona.card, meaningOf(persona));
  const book = data.character_book as Record<string, unknown> | undefined;
  if (!book || !persona.lore?.length) return { ...card, data };
  const entries = persona.lore.map((entry, index) => cardEntryWithRemainder(entry, index));
  return { ...card, data: { ...data, character_book: { ...book, entries } } };
}
