/** The terminal chat's texts: plain text, no Discord markdown (Discord's texts are in texts.ts). */

/** The terminal chat's `/cast` (plain text, no Discord markdown). */
export const TERMINAL_CAST_TEXTS = {
  usage: "Use /cast add <id> or /cast remove <id>; /cast lists the cast. Start a message with a name to talk to that persona.",
  list: (lead: string, others: readonly string[]) => `Cast: ${lead} (lead)${others.map((name) => `, ${name}`).join("")}.`,
  added: (name: string) => `${name} joins the cast: start a message with its name to talk to it.`,
  full: (max: number) => `The cast is full (${max} personas beside the lead, MAX_CAST). Remove one first with /cast remove <id>.`,
  noSuchPersona: (id: string) => `There is no persona called "${id}". Try /personas.`,
  isLead: (name: string) => `${name} leads here already; it answers every message that names nobody.`,
  leadStays: (name: string) => `${name} leads here, so it stays; use /persona <id> to choose another lead.`,
  alreadyIn: (name: string) => `${name} is in the cast already.`,
  notIn: (name: string) => `${name} is not in the cast.`,
  removed: (name: string) => `${name} left the cast.`,
} as const;
