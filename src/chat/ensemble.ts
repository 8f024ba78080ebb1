/** A cast answering one message: who answers it, and what each later persona is shown of the earlier replies. */
import type { Memory } from "../memory/index.js";
import type { ChannelMode } from "../memory/channel-modes.js";
import type { ConversationRef } from "../memory/turns.js";
import type { Persona } from "../personas/persona.js";
import type { PersonaRegistry } from "../personas/registry.js";
import { whoAnswers } from "./addressing.js";
import { type Cast, castOf } from "./cast.js";
import { otherPersonaName, type PendingTurn } from "./prompt-parts.js";
import { countTurnTokens } from "./tokens.js";

/** What decides who answers a message (or a batch, by its newest message). */
export interface AnswerersQuery {
  /** The message's text as people read it (the bot's own mention removed). */
  readonly text: string;
  /** The persona that wrote the message this one replies to, if a persona did. */
  readonly repliedToPersonaId?: string | null;
  /** Who wrote it: in `auto` channels, nobody addressed, the persona last talking with them answers. */
  readonly authorId: string;
  /** The channel's mode; only `auto` changes who answers a message that addresses nobody. */
  readonly mode?: ChannelMode;
}

/**
 * The personas that answer a message, in order: the one whose message it replies to, then
 * the cast members it addresses by name, in the order named; nobody addressed, the lead
 * (in `auto` channels: the cast member that last talked with its author, if any).
 */
export function answerersOf(
  memory: Memory,
  registry: PersonaRegistry,
  conversation: ConversationRef,
  query: AnswerersQuery,
  cast: Cast = castOf(memory, registry, conversation),
): Persona[] {
  const repliedTo = query.repliedToPersonaId ? registry.get(query.repliedToPersonaId) : undefined;
  // Without a cast there are no names to listen for: one voice answers, as before ensembles.
  if (cast.members.length < 2) return [repliedTo ?? cast.lead];
  return whoAnswers(cast.members, {
    text: query.text,
    repliedTo,
    fallback: fallbackOf(memory, cast.members, conversation, query) ?? cast.lead,
  });
}

/** In an `auto` channel: the cast member that last talked with the message's author. */
function fallbackOf(
  memory: Memory,
  members: readonly Persona[],
  conversation: ConversationRef,
  query: AnswerersQuery,
): Persona | undefined {
  if (query.mode !== "auto" || members.length < 2) return undefined;
  const last = memory.turns.lastAnswererOf(conversation.key, query.authorId);
  return members.find((persona) => persona.id === last);
}

/** A reply another persona of the cast gave to the same messages, just before. */
export interface EarlierReply {
  readonly persona: Persona;
  /** What it said; empty when it said nothing. */
  readonly text: string;
  /** Its stored turn; undefined when nothing was stored. */
  readonly turnId?: number;
}

/** The earlier replies as new turns after the messages they answer, each another persona's line. */
export function earlierTurns(after: readonly EarlierReply[]): PendingTurn[] {
  return after
    .filter((reply) => reply.text.length > 0)
    .map((reply) => ({
      authorId: `persona:${reply.persona.id}`,
      authorName: otherPersonaName(reply.persona.name),
      content: reply.text,
      tokenCount: countTurnTokens(otherPersonaName(reply.persona.name), reply.text),
      byPersona: true,
    }));
}

/** The stored turns of the earlier replies (left out of the window: they come after the messages). */
export function earlierTurnIds(after: readonly EarlierReply[]): number[] {
  return after.flatMap((reply) => (reply.turnId === undefined ? [] : [reply.turnId]));
}

/** Where a cast's turn stands after some of its personas answered: the messages (stored by then) and what was said. */
export interface CastTurnState<T extends { readonly turnId?: number }> {
  readonly turns: readonly T[];
  readonly after: readonly EarlierReply[];
}

/**
 * The state after `persona`'s reply, for the next persona of the cast to answer; undefined
 * when the turn ends there (the messages were refused before the model was asked, or not stored).
 */
export function followOn<T extends { readonly turnId?: number }>(
  state: CastTurnState<T>,
  persona: Persona,
  outcome: { readonly text: string; readonly userTurnIds: readonly number[]; readonly assistantTurnId?: number },
): CastTurnState<T> | undefined {
  if (outcome.userTurnIds.length !== state.turns.length) return undefined;
  const said = outcome.assistantTurnId === undefined ? "" : outcome.text;
  return {
    turns: state.turns.map((turn, i) => ({ ...turn, turnId: outcome.userTurnIds[i] })),
    after: [...state.after, { persona, text: said, turnId: outcome.assistantTurnId }],
  };
}
