/** The pieces a prompt is made of: new, quoted, recalled and stored turns as messages (triggered lore is in lore-section.ts). */
import type { ChatMessage, ContentPart } from "../llm/client.js";
import type { Turn } from "../memory/turns.js";
import type { Persona } from "../personas/persona.js";
import {
  DIRECTION_CLOSING,
  DIRECTION_OPENING,
  INTERRUPTED_MARK,
  neutralName,
  neutralText,
  OWN_LINE_LABEL,
  otherPersonaName,
  PEOPLE_HEADING,
  type PersonaNames,
  QUOTE_OPENING,
} from "./labels.js";
import { countTokens } from "./tokens.js";

export {
  DIRECTION_CLOSING,
  DIRECTION_OPENING,
  INTERRUPTED_MARK,
  LORE_HEADING,
  NOTE_CLOSING,
  NOTE_OPENING,
  otherPersonaName,
  PEOPLE_HEADING,
  type PersonaNames,
  personaNames,
  RECALL_HEADING,
  SUMMARY_HEADING,
} from "./labels.js";

/** A quoted earlier message is cut to this many characters. */
export const MAX_QUOTE_CHARS = 500;
/** Recalled turns get at most this share of the budget, so the recent window keeps most of it. */
export const RECALL_MAX_SHARE = 0.15;
/** A recalled turn is cut to this many characters. */
export const MAX_RECALLED_CHARS = 400;
/** At most what a recalled line's date and labels ("[2025-01-01, in another channel] … (another persona)") add to the turn's stored token count. */
const RECALLED_LABEL_TOKENS = 16;
/** People notes take at most this share of the budget; people past it are left out. */
export const PEOPLE_MAX_SHARE = 0.05;
/** A direction as the prompt shows it: Masque's words, the people's words in them (a scene's topic) neutralised like any line's. */
export function directionLine(direction: string): string {
  return `${DIRECTION_OPENING} ${neutralText(direction)}${DIRECTION_CLOSING}`;
}
/** What joining a section onto the system prompt or the note costs beyond its text (the blank line between them). */
export const SECTION_JOIN_TOKENS = 2;
/** A section heading's cost, counted on first use (the tokenizer is not loaded at import). */
const headingTokens = new Map<string, number>();
export function sectionHeadingTokens(heading: string): number {
  let tokens = headingTokens.get(heading);
  if (tokens === undefined) {
    tokens = countTokens(heading) + SECTION_JOIN_TOKENS;
    headingTokens.set(heading, tokens);
  }
  return tokens;
}

/** An image shown to a vision model with a new message. */
export interface ImageRef {
  readonly url: string;
  readonly name: string;
}

/** What the budget counts for one image (OpenAI's high-detail 512px tiles come to about this). */
export const IMAGE_TOKENS = 800;

/** A new message to answer; not stored yet. */
export interface PendingTurn {
  readonly authorId: string;
  readonly authorName: string;
  readonly content: string;
  readonly messageId?: string | null;
  /** Images for a vision model; counted in tokenCount. */
  readonly images?: readonly ImageRef[];
  readonly tokenCount: number;
  /** Another persona's reply to the same message, shown after it as that persona's line. */
  readonly byPersona?: boolean;
}

/** An earlier message the new one replies to (may be outside the window). */
export interface QuotedMessage {
  readonly messageId: string;
  /** The stored turn it is, when memory holds it. */
  readonly turnId?: number;
  /** Set when it was a persona's message. */
  readonly personaId?: string | null;
  readonly authorName: string;
  readonly content: string;
}

/** The rolling summary as the prompt needs it. */
export interface SummaryNote {
  readonly content: string;
  readonly tokenCount: number;
}

/** What the prompt shows about one person in the conversation: their notes, oldest first. */
export interface PersonNotes {
  readonly name: string;
  readonly notes: readonly string[];
}

/** One person's notes as a few lines under their name; a note is the person's words (told back by the note pass), neutralised like any line of theirs. */
export function personLines(person: PersonNotes, personas: PersonaNames): string {
  return [`${neutralName(person.name, personas)}:`, ...person.notes.map((note) => `- ${neutralText(note)}`)].join("\n");
}

/** The people notes for the end of the system prompt: as many people as fit PEOPLE_MAX_SHARE and the budget. */
export function peopleSection(
  people: readonly PersonNotes[] | undefined,
  personas: PersonaNames,
  budget: number,
  used: number,
): { section?: string; cost: number } {
  const room = Math.min(budget - used, Math.floor(budget * PEOPLE_MAX_SHARE));
  const blocks: string[] = [];
  let cost = sectionHeadingTokens(PEOPLE_HEADING);
  for (const person of people ?? []) {
    const block = personLines(person, personas);
    const blockCost = countTokens(block) + 1;
    if (cost + blockCost > room) break;
    blocks.push(block);
    cost += blockCost;
  }
  return blocks.length > 0 ? { section: `${PEOPLE_HEADING}\n${blocks.join("\n")}`, cost } : { cost: 0 };
}

/** An older turn brought back because the new message relates to it. */
export interface RecalledTurn {
  readonly turn: Turn;
  /** Said in another channel of the server (server-wide recall). */
  readonly elsewhere: boolean;
}

/** The quoted message as one line: whose it was and what it said (cut), the way any line shows them. */
export function quoteLine(quoted: QuotedMessage, personas: PersonaNames): string {
  const text =
    quoted.content.length > MAX_QUOTE_CHARS ? `${quoted.content.slice(0, MAX_QUOTE_CHARS)}…` : quoted.content;
  const author = quoted.personaId ? quoted.authorName : neutralName(quoted.authorName, personas);
  return `${QUOTE_OPENING} ${author}: "${neutralText(text)}")`;
}

/** A stored turn's speaker as a prompt line names it: a person by their name as shown, a persona as itself (you) or as another persona. */
function speakerOf(turn: Turn, persona: Persona, personas: PersonaNames): string {
  if (turn.role !== "assistant") return neutralName(turn.authorName, personas);
  return turn.personaId === persona.id ? `${turn.authorName} ${OWN_LINE_LABEL}` : otherPersonaName(turn.authorName);
}

/** A recalled turn as one dated line: whose it was (the persona's own, another persona's, another channel's) and what was said. */
function recalledLine(
  recalled: RecalledTurn,
  persona: Persona,
  personas: PersonaNames,
): { line: string; cost: number } {
  const { turn } = recalled;
  const where = recalled.elsewhere ? ", in another channel" : "";
  const isCut = turn.content.length > MAX_RECALLED_CHARS;
  const text = isCut ? `${turn.content.slice(0, MAX_RECALLED_CHARS)}…` : turn.content;
  const line = `[${new Date(turn.createdAt).toISOString().slice(0, 10)}${where}] ${speakerOf(turn, persona, personas)}: ${neutralText(text)}`;
  // The stored count covers "name: text"; only a cut line is worth counting again.
  return { line, cost: isCut ? countTokens(line) + 1 : turn.tokenCount + RECALLED_LABEL_TOKENS };
}

/** The recalled turns that fit `room` tokens, most relevant first; returns the lines oldest first and their cost. */
export function fitRecalled(
  recalled: readonly RecalledTurn[],
  persona: Persona,
  personas: PersonaNames,
  room: number,
): { lines: string[]; tokens: number } {
  const chosen: Array<{ id: number; line: string }> = [];
  let tokens = 0;
  for (const r of recalled) {
    const { line, cost } = recalledLine(r, persona, personas);
    if (tokens + cost > room) continue;
    tokens += cost;
    chosen.push({ id: r.turn.id, line });
  }
  return { lines: chosen.sort((a, b) => a.id - b.id).map((c) => c.line), tokens };
}

/**
 * How a stored turn is shown to `persona`: its own words as the assistant, everyone else as a
 * named user line, people's names and everyone's words neutralised (see labels.ts).
 */
export function turnMessage(turn: Turn, persona: Persona, personas: PersonaNames): ChatMessage {
  if (turn.role === "assistant" && turn.personaId === persona.id) {
    return {
      role: "assistant",
      content: turn.status === "interrupted" ? `${turn.content}\n${INTERRUPTED_MARK}` : turn.content,
    };
  }
  return { role: "user", content: `${speakerOf(turn, persona, personas)}: ${neutralText(turn.content)}` };
}

/**
 * A new turn as its user message's text: the speaker (another persona's reply comes named
 * already), then its words; a quoted message goes between them, so the words start a line.
 */
export function newTurnText(turn: PendingTurn, personas: PersonaNames, quote?: string): string {
  const speaker = turn.byPersona ? turn.authorName : neutralName(turn.authorName, personas);
  return quote === undefined
    ? `${speaker}: ${neutralText(turn.content)}`
    : `${speaker}: ${quote}\n${neutralText(turn.content, true)}`;
}

function asParts(content: string | readonly ContentPart[]): readonly ContentPart[] {
  return typeof content === "string" ? [{ type: "text", text: content }] : content;
}

/** Joins neighbouring user lines into one message: some local models' templates require alternating roles. */
export function mergeNeighbours(messages: readonly ChatMessage[]): ChatMessage[] {
  const merged: ChatMessage[] = [];
  for (const message of messages) {
    const last = merged.at(-1);
    if (last?.role === "user" && message.role === "user") {
      merged[merged.length - 1] =
        typeof last.content === "string" && typeof message.content === "string"
          ? { role: "user", content: `${last.content}\n${message.content}` }
          : {
              role: "user",
              content: [...asParts(last.content), { type: "text", text: "\n" }, ...asParts(message.content)],
            };
    } else {
      merged.push(message);
    }
  }
  return merged;
}
