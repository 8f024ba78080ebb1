import type { Db } from "./db.js";
import type { TurnRole, TurnRow, TurnSize, TurnStatus } from "./turn-rows.js";
import { prepareLookups, prepareTurnWrites, prepareWindowReads } from "./turn-statements.js";

/** Where a conversation lives. */
export interface ConversationRef {
  /** `channel:<id>` for a Discord channel, thread or DM; `cli:<name>` for the terminal. */
  readonly key: string;
  readonly guildId?: string | null;
  readonly channelId?: string | null;
  /** A thread's parent channel. */
  readonly parentId?: string | null;
  /** The parent channel's conversation key, built by whoever builds `key`: a thread inherits its persona. */
  readonly parentKey?: string | null;
}

/** A turn about to be stored. */
export interface NewTurn {
  readonly role: TurnRole;
  readonly authorId: string;
  readonly authorName: string;
  /** Set on the bot's turns only. */
  readonly personaId?: string | null;
  readonly messageId?: string | null;
  /** Further messages the turn was sent as (a reply split past Discord's length limit); it is found by any of them. */
  readonly moreMessageIds?: readonly string[];
  readonly content: string;
  readonly tokenCount: number;
  readonly status?: TurnStatus;
  readonly createdAt: number;
  /**
   * On a bot turn: the turns, stored earlier, that it answers: the people's, or (when a second
   * persona of a cast answers the same message) the reply it follows. The people's turns
   * stored in the same `append` before it count as answered too.
   */
  readonly answers?: readonly number[];
}

/** A stored turn. */
export interface Turn extends Required<Omit<NewTurn, "personaId" | "messageId" | "moreMessageIds" | "answers">> {
  readonly id: number;
  readonly conversationKey: string;
  readonly personaId: string | null;
  readonly messageId: string | null;
}

/**
 * Builds a Turn from a raw row. Whole turns are read in raw mode (arrays), which
 * better-sqlite3 returns faster than objects, because every prompt reads a window of up to
 * a few hundred turns (see docs/benchmarks.md).
 */
export function turnFromRow(row: TurnRow): Turn {
  const [
    id,
    conversationKey,
    role,
    authorId,
    authorName,
    personaId,
    messageId,
    content,
    tokenCount,
    status,
    createdAt,
  ] = row;
  return {
    id,
    conversationKey,
    role,
    authorId,
    authorName,
    personaId,
    messageId,
    content,
    tokenCount,
    status,
    createdAt,
  };
}

/** Who last talked with someone is looked for among this many of a conversation's newest turns. */
export const RECENT_TALK_TURNS = 200;

/** Turn sizes read per query by recentSizes: about the window of a typical context in one or two reads. */
const SIZES_CHUNK = 100;

/** Stores and reads conversation turns. Every query is backed by an index. */
export class TurnStore {
  readonly #write;
  readonly #window;
  readonly #lookup;
  readonly #appendAll;

  constructor(db: Db) {
    this.#write = prepareTurnWrites(db);
    this.#window = prepareWindowReads(db);
    this.#lookup = prepareLookups(db);
    this.#appendAll = this.#appendTransaction(db);
  }

  /** Inserts the conversation if new, then the turns and their extra message links; returns the turn ids. */
  #appendTransaction(db: Db) {
    return db.transaction((conversation: ConversationRef, turns: readonly NewTurn[]) => {
      this.#write.insertConversation.run({
        key: conversation.key,
        guildId: conversation.guildId ?? null,
        channelId: conversation.channelId ?? null,
        parentId: conversation.parentId ?? null,
        now: Date.now(),
      });
      const unanswered: number[] = [];
      return turns.map((turn) => {
        const turnId = Number(
          this.#write.insertTurn.run({
            conversationKey: conversation.key,
            role: turn.role,
            authorId: turn.authorId,
            authorName: turn.authorName,
            personaId: turn.personaId ?? null,
            messageId: turn.messageId ?? null,
            content: turn.content,
            tokenCount: turn.tokenCount,
            status: turn.status ?? "complete",
            createdAt: turn.createdAt,
          }).lastInsertRowid,
        );
        for (const messageId of turn.moreMessageIds ?? []) this.#write.linkMessage.run({ messageId, turnId });
        // Which reply answered which message: forget-me deletes a person's messages with the replies to them.
        if (turn.role === "user") unanswered.push(turnId);
        else
          for (const answered of [...(turn.answers ?? []), ...unanswered.splice(0)])
            this.#write.markAnswered.run({ replyId: turnId, turnId: answered });
        return turnId;
      });
    });
  }

  /** Keeps the conversation if new, before any turn of it: a scene's first line is noted in flight before anything is said. */
  open(conversation: ConversationRef): void {
    this.#appendAll(conversation, []);
  }

  /** Stores turns in one transaction (creating the conversation if new); returns their ids in order. */
  append(conversation: ConversationRef, turns: readonly NewTurn[]): number[] {
    return this.#appendAll(conversation, turns);
  }

  /**
   * The newest `limit` turns of a conversation with ids above `afterId`, newest first;
   * without what people said from turn `newFrom` on (the messages being answered, kept since
   * they were accepted, and any after them), while the persona's replies stay.
   */
  recent(conversationKey: string, limit: number, afterId = 0, newFrom = Number.MAX_SAFE_INTEGER): Turn[] {
    return this.#window.recent.all({ key: conversationKey, afterId, newFrom, limit }).map(turnFromRow);
  }

  /**
   * The ids and token counts of the turns `recent` would return, newest first: a few
   * numbers per turn instead of its text, for decisions that only need the sizes. With a
   * `budget`, reading stops at the first turn that does not fit in it (that turn is the
   * last one returned): whether all turns fit, and which do, reads the same either way,
   * and a long conversation's window is a few hundred rows shorter to read.
   */
  recentSizes(
    conversationKey: string,
    limit: number,
    afterId = 0,
    budget = Number.POSITIVE_INFINITY,
    newFrom = Number.MAX_SAFE_INTEGER,
  ): TurnSize[] {
    const sizes: TurnSize[] = [];
    let tokens = 0;
    let beforeId = Number.MAX_SAFE_INTEGER;
    // In chunks: better-sqlite3 returns a chunk of rows at once faster per row than it steps
    // through them one by one (see docs/benchmarks.md).
    while (sizes.length < limit) {
      const wanted = Math.min(SIZES_CHUNK, limit - sizes.length);
      const chunk = this.#window.recentSizes.all({ key: conversationKey, afterId, beforeId, newFrom, limit: wanted });
      for (const size of chunk) {
        sizes.push(size);
        tokens += size.tokenCount;
        if (tokens > budget) return sizes;
      }
      if (chunk.length < wanted) break;
      beforeId = sizes[sizes.length - 1]!.id;
    }
    return sizes;
  }

  /** For those of `ids` that are people's turns already answered: the id of the persona's turn that answered each. */
  answeredBy(ids: readonly number[]): Map<number, number> {
    return new Map(ids.length === 0 ? [] : this.#lookup.answeredBy.all({ ids: JSON.stringify(ids) }));
  }

  /**
   * The persona that last talked with someone in a conversation: the last of the replies to
   * their newest answered message among the conversation's RECENT_TALK_TURNS newest turns.
   */
  lastAnswererOf(conversationKey: string, authorId: string): string | undefined {
    return (
      this.#lookup.lastAnswerer.get({ key: conversationKey, authorId, window: RECENT_TALK_TURNS })?.personaId ??
      undefined
    );
  }

  /** Up to `limit` turns of a conversation with ids strictly between `afterId` and `beforeId`, oldest first. */
  range(conversationKey: string, afterId: number, beforeId: number, limit: number): Turn[] {
    return this.#window.range.all({ key: conversationKey, afterId, beforeId, limit }).map(turnFromRow);
  }

  /** The ids and token counts of the turns `range` would return, oldest first. */
  rangeSizes(conversationKey: string, afterId: number, beforeId: number, limit: number): TurnSize[] {
    return this.#window.rangeSizes.all({ key: conversationKey, afterId, beforeId, limit });
  }

  /** The tokens of the turns between two ids (both left out), the new messages from `newFrom` on left out as in recentSizes. */
  tokensBetween(conversationKey: string, afterId: number, beforeId: number, newFrom = Number.MAX_SAFE_INTEGER): number {
    return this.#window.tokensBetween.get({ key: conversationKey, afterId, beforeId, newFrom })!.tokens;
  }

  /**
   * The id of the turn `count` turns back from `beforeId` in a conversation, so that
   * exactly `count` turns lie strictly between the two; undefined when there are fewer.
   */
  idBefore(conversationKey: string, beforeId: number, count: number): number | undefined {
    return this.#window.idBefore.get({ key: conversationKey, beforeId, offset: count })?.id;
  }

  /** The turn that came from, or was sent as, a Discord message. */
  findByMessageId(messageId: string): Turn | undefined {
    const row = this.#lookup.byMessage.get({ messageId });
    return row ? turnFromRow(row) : undefined;
  }

  count(conversationKey: string): number {
    return this.#lookup.count.get({ key: conversationKey })?.n ?? 0;
  }

  /** How many stored turns someone wrote, in every conversation. */
  countByAuthor(authorId: string): number {
    return this.#lookup.countByAuthor.get({ authorId })?.n ?? 0;
  }
}
