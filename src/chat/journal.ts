import type { Logger } from "../log.js";
import type { ReplyInFlight } from "../memory/in-flight.js";
import type { Memory } from "../memory/index.js";
import type { ConversationRef, NewTurn, TurnStore } from "../memory/turns.js";
import type { Persona } from "../personas/persona.js";
import type { IncomingTurn } from "./reply.js";
import { countTurnTokens } from "./tokens.js";

/**
 * Every memory write of a reply lives in this module: a message kept on arrival
 * (recordSaid), a kept message withdrawn when it is refused (withdrawTurns), the reply's
 * note as in flight and the messages showing it (ReplyJournal), the record of what was
 * said (recordReply), which also ends that note, and at the next start the record of a
 * reply a crash cut short (recordCut).
 */

/** What a reply (or a greeting) leaves in memory. */
export interface ReplyRecord {
  readonly conversation: ConversationRef;
  readonly persona: Persona;
  /** What people said, in order; none for a greeting. */
  readonly userTurns: readonly IncomingTurn[];
  /** What the persona said; empty when nothing was said, or when nobody was shown it. */
  readonly text: string;
  readonly complete: boolean;
  /** The Discord messages that carry the text (a long reply is split); none outside Discord. */
  readonly messageIds: readonly string[];
  /** The turns the reply answers (see ReplyJournal); the people's turns kept already when absent. */
  readonly answers?: readonly number[];
}

/** Stored turns of `conversation`, as forget-me's eraser takes them. */
export interface KeptTurn {
  readonly id: number;
  readonly conversationKey: string;
}

/** The ids memory gave the turns. */
export interface RecordedTurns {
  readonly userTurnIds: readonly number[];
  /** Undefined when no text was stored as said. */
  readonly assistantTurnId?: number;
}

const userRow = (t: IncomingTurn, now: number): NewTurn => ({
  role: "user",
  authorId: t.authorId,
  authorName: t.authorName,
  messageId: t.messageId ?? null,
  content: t.content,
  tokenCount: countTurnTokens(t.authorName, t.content),
  createdAt: now,
});

/**
 * Stores a person's message the moment it is accepted for an answer, so a crash while it
 * waits or is being answered loses at most the unfinished reply. Returns its turn id.
 */
export function recordSaid(turns: TurnStore, conversation: ConversationRef, said: IncomingTurn): number {
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
  const kept = keptIds(record.userTurns);
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
      answers: record.answers ?? kept,
    });
  }
  const ids = rows.length > 0 ? turns.append(record.conversation, rows) : [];
  const freshIds = ids.slice(0, fresh.length);
  return {
    userTurnIds: record.userTurns.map((t) => t.turnId ?? freshIds.shift()!),
    assistantTurnId: text.length > 0 ? ids.at(-1) : undefined,
  };
}

/**
 * Takes messages that were kept on arrival back out of memory when they are refused (the
 * bot is busy, the message cannot fit a prompt): nothing refused is stored.
 */
export function withdrawTurns(memory: Pick<Memory, "eraser">, turns: readonly KeptTurn[]): void {
  memory.eraser.forgetTurns(turns);
}

/** The ids of the turns memory keeps already. */
export function keptIds(turns: readonly { readonly turnId?: number }[]): number[] {
  return turns.flatMap((t) => (t.turnId === undefined ? [] : [t.turnId]));
}

/** What one reply's journal is opened with. */
export interface JournalEntry {
  readonly conversation: ConversationRef;
  readonly persona: Persona;
  /** The people's messages it answers (those memory keeps carry their turn ids). */
  readonly turns: readonly { readonly turnId?: number }[];
  /**
   * Another persona's reply to the same messages that this one follows (a cast answering one
   * message in turn): the reply is linked to it instead of to the people's turns, so the
   * messages stay placed before the first reply and forget-me finds every reply to them.
   */
  readonly follows?: number;
  /** The channel the reply is posted in, when a crash could cut it on screen: it is then noted as in flight. */
  readonly showsIn?: string;
}

/**
 * One reply's memory, from its start to its record: the note as in flight (so the next
 * start after a crash stores what Discord shows of it), the messages showing it as they
 * are posted, and at the end either the record of what was said or the withdrawal of its
 * messages, each ending the note in the same transaction. The engine holds one per reply;
 * nothing else writes a reply's memory.
 */
export class ReplyJournal {
  readonly #memory: Memory;
  readonly #log: Logger;
  readonly #entry: JournalEntry;
  /** What the reply answers, worked out once: the reply it follows, else the people's messages kept. */
  readonly #answers: readonly number[];
  #inFlightId: number | undefined;

  constructor(memory: Memory, log: Logger, entry: JournalEntry) {
    this.#memory = memory;
    this.#log = log;
    this.#entry = entry;
    this.#answers = entry.follows === undefined ? keptIds(entry.turns) : [entry.follows];
  }

  /** Notes the reply as in flight, when it is shown somewhere a crash could cut it. */
  begin(): void {
    const { conversation, persona, showsIn } = this.#entry;
    if (showsIn === undefined) return;
    this.#inFlightId = this.#noted(() => {
      // A scene's first line may answer nobody: its conversation is kept before anything is said.
      if (this.#answers.length === 0) this.#memory.turns.open(conversation);
      return this.#memory.inFlight.begin({
        conversationKey: conversation.key,
        channelId: showsIn,
        personaId: persona.id,
        personaName: persona.name,
        answers: this.#answers,
      });
    });
  }

  /** The messages now showing the reply, all of them so far. */
  shownIn(messageIds: readonly string[]): void {
    const id = this.#inFlightId;
    if (id !== undefined) this.#noted(() => this.#memory.inFlight.shownIn(id, messageIds));
  }

  /** Records what was said and ends the note as in flight, in one transaction (see recordReply). */
  record(said: Pick<ReplyRecord, "userTurns" | "text" | "complete" | "messageIds">): RecordedTurns {
    const { conversation, persona } = this.#entry;
    const memory = this.#memory;
    return memory.db.transaction(() => {
      this.#end();
      return recordReply(memory.turns, { conversation, persona, ...said, answers: this.#answers });
    })();
  }

  /** The reply was refused before the model was asked (its messages do not fit): its kept messages leave memory with the note. */
  refuse(): void {
    const { conversation, turns } = this.#entry;
    const memory = this.#memory;
    memory.db.transaction(() => {
      this.#end();
      withdrawTurns(
        memory,
        keptIds(turns).map((id) => ({ id, conversationKey: conversation.key })),
      );
    })();
  }

  #end(): void {
    if (this.#inFlightId !== undefined) this.#memory.inFlight.end(this.#inFlightId);
    this.#inFlightId = undefined;
  }

  /** A failure to note the reply in flight costs only the recovery after a crash: logged, and the reply goes on. */
  #noted<T>(note: () => T): T | undefined {
    try {
      return note();
    } catch (error) {
      this.#log.warn({ err: error, conversation: this.#entry.conversation.key }, "could not note the reply in flight");
      return undefined;
    }
  }
}

/**
 * Stores a reply a crash cut short as interrupted, with what Discord shows of it, after the
 * messages it answered, and forgets it as in flight: one transaction.
 */
export function recordCut(
  memory: Memory,
  reply: ReplyInFlight,
  shown: { readonly text: string; readonly messageIds: readonly string[] },
): void {
  const { text, messageIds } = shown;
  memory.db.transaction(() => {
    if (text.length > 0) {
      memory.turns.append({ key: reply.conversationKey }, [
        {
          role: "assistant",
          authorId: `persona:${reply.personaId}`,
          authorName: reply.personaName,
          personaId: reply.personaId,
          messageId: messageIds[0] ?? null,
          moreMessageIds: messageIds.slice(1),
          content: text,
          tokenCount: countTurnTokens(reply.personaName, text),
          status: "interrupted",
          createdAt: Date.now(),
          answers: reply.answers,
        },
      ]);
    }
    memory.inFlight.end(reply.id);
  })();
}
