import type { ConversationRef, NewTurn, TurnStore } from "../memory/turns.js";
import type { Persona } from "../personas/persona.js";
import { countTurnTokens } from "./tokens.js";

/** A message from a person as memory keeps it. */
export interface SaidTurn {
  readonly authorId: string;
  readonly authorName: string;
  readonly content: string;
  readonly messageId?: string | null;
  readonly tokenCount: number;
  /** Set once memory keeps it: a message is stored when it is accepted, before its reply (see recordSaid). */
  readonly turnId?: number;
}

/** What a reply (or a greeting) leaves in memory. */
export interface ReplyRecord {
  readonly conversation: ConversationRef;
  readonly persona: Persona;
  /** What people said, in order; none for a greeting. */
  readonly userTurns: readonly SaidTurn[];
  /** What the persona said; empty when nothing was said, or when nobody was shown it. */
  readonly text: string;
  readonly complete: boolean;
  /** The Discord messages that carry the text (a long reply is split); none outside Discord. */
  readonly messageIds: readonly string[];
  /**
   * Another persona's reply to the same messages that this one follows (a cast answering one
   * message in turn): the reply is linked to it instead of to the people's turns, so the
   * messages stay placed before the first reply and forget-me finds every reply to them.
   */
  readonly follows?: number;
}

/** The ids memory gave the turns. */
export interface RecordedTurns {
  readonly userTurnIds: readonly number[];
  /** Undefined when no text was stored as said. */
  readonly assistantTurnId?: number;
}

const userRow = (t: SaidTurn, now: number): NewTurn => ({
  role: "user",
  authorId: t.authorId,
  authorName: t.authorName,
  messageId: t.messageId ?? null,
  content: t.content,
  tokenCount: t.tokenCount,
  createdAt: now,
});

/**
 * Stores a person's message the moment it is accepted for an answer, so a crash while it
 * waits or is being answered loses at most the unfinished reply. Returns its turn id.
 */
export function recordSaid(turns: TurnStore, conversation: ConversationRef, said: SaidTurn): number {
  return turns.append(conversation, [userRow(said, Date.now())])[0]!;
}

/**
 * Stores what was said, once, in one transaction: the people's turns not stored yet, then
 * the persona's turn linked to the messages it was shown in (an unfinished one marked
 * `interrupted`) and to the turns it answers. The engine records every reply through
 * here, and `/persona set` its greeting.
 */
export function recordReply(turns: TurnStore, record: ReplyRecord): RecordedTurns {
  const now = Date.now();
  const fresh = record.userTurns.filter((t) => t.turnId === undefined);
  const kept = record.userTurns.flatMap((t) => (t.turnId === undefined ? [] : [t.turnId]));
  const rows = fresh.map((t) => userRow(t, now));
  const { persona, text } = record;
  if (text.length > 0) {
    rows.push({
      role: "assistant",
      authorId: `persona:${persona.id}`,
      authorName: persona.name,
      personaId: persona.id,
      messageId: record.messageIds[0] ?? null,
      moreMessageIds: record.messageIds.slice(1),
      content: text,
      tokenCount: countTurnTokens(persona.name, text),
      status: record.complete ? "complete" : "interrupted",
      createdAt: now,
      answers: record.follows === undefined ? kept : [record.follows],
    });
  }
  const ids = rows.length > 0 ? turns.append(record.conversation, rows) : [];
  const freshIds = ids.slice(0, fresh.length);
  return { userTurnIds: record.userTurns.map((t) => t.turnId ?? freshIds.shift()!), assistantTurnId: text.length > 0 ? ids.at(-1) : undefined };
}
