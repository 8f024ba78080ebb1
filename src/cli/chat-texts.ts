/** The terminal chat's texts: plain text, no Discord markdown (Discord's texts are in texts.ts). */
import { DEFAULT_SCENE_TURNS, MAX_SCENE_TURNS } from "../chat/scene.js";

/** The terminal chat's `/cast` (plain text, no Discord markdown). */
export const TERMINAL_CAST_TEXTS = {
  usage:
    "Use /cast add <id> or /cast remove <id>; /cast lists the cast. Start a message with a name to talk to that persona.",
  list: (lead: string, others: readonly string[]) =>
    `Cast: ${lead} (lead)${others.map((name) => `, ${name}`).join("")}.`,
  added: (name: string) => `${name} joins the cast: start a message with its name to talk to it.`,
  full: (max: number) =>
    `The cast is full (${max} personas beside the lead, MAX_CAST). Remove one first with /cast remove <id>.`,
  noSuchPersona: (id: string) => `There is no persona called "${id}". Try /personas.`,
  isLead: (name: string) => `${name} leads here already; it answers every message that names nobody.`,
  leadStays: (name: string) => `${name} leads here, so it stays; use /persona <id> to choose another lead.`,
  alreadyIn: (name: string) => `${name} is in the cast already.`,
  notIn: (name: string) => `${name} is not in the cast.`,
  removed: (name: string) => `${name} left the cast.`,
} as const;

/** The terminal's `/scene`. */
export const TERMINAL_SCENE_TEXTS = {
  usage: `Usage: /scene <topic> [turns]   (turns: 1 to ${MAX_SCENE_TURNS}, default ${DEFAULT_SCENE_TURNS}; Ctrl+C stops it)`,
  castTooSmall: "A scene needs at least two personas in this conversation: add one with /cast add <id>.",
  starting: (topic: string, names: readonly string[], turns: number) =>
    `[Scene: ${topic} — ${names.join(", ")}, ${turns} line(s). Ctrl+C stops it.]`,
  ended: (how: string, lines: number) => `[Scene ${how} after ${lines} line(s).]`,
} as const;
