import type { Db } from "./db.js";

/** Where a conversation lives. */
export interface ConversationRef {
  /** `channel:<id>` for a Discord channel, thread or DM; `cli:<name>` for the terminal. */
  readonly key: string;
  readonly guildId?: string | null;
  readonly channelId?: string | null;
  /** A thread's parent channel. */
  readonly parentId?: string | null;
}

export type TurnRole = "user" | "assistant";
export type TurnStatus = "complete" | "interrupted";

/** A turn about to be stored. */
export interface NewTurn {
  readonly role: TurnRole;
  readonly authorId: string;
  readonly authorName: string;
  /** Set on the bot's turns only. */
  readonly personaId?: string | null;
  readonly messageId?: string | null;
  readonly content: string;
  readonly tokenCount: number;
  readonly status?: TurnStatus;
  readonly createdAt: number;
}

/** A stored turn. */
export interface Turn extends Required<Omit<NewTurn, "personaId" | "messageId">> {
  readonly id: number;
  readonly conversationKey: string;
  readonly personaId: string | null;
  readonly messageId: string | null;
}

/** Every column of a turn, for queries that read whole turns. */
export const TURN_COLUMNS = "id, conversation_key, role, author_id, author_name, persona_id, message_id, content, token_count, status, created_at";

/** A row of `turns` as SQLite returns it. */
export interface TurnRow {
  id: number;
  conversation_key: string;
  role: TurnRole;
  author_id: string;
  author_name: string;
  persona_id: string | null;
  message_id: string | null;
  content: string;
  token_count: number;
  status: TurnStatus;
  created_at: number;
}

/** Maps a row of `turns` to a Turn. */
export function toTurn(row: TurnRow): Turn {
  return {
    id: row.id,
    conversationKey: row.conversation_key,
    role: row.role,
    authorId: row.author_id,
    authorName: row.author_name,
    personaId: row.persona_id,
    messageId: row.message_id,
    content: row.content,
    tokenCount: row.token_count,
    status: row.status,
    createdAt: row.created_at,
  };
}

/** Stores and reads conversation turns. Every query is backed by an index. */
export class TurnStore {
  readonly #insertConversation;
  readonly #insertTurn;
  readonly #recent;
  readonly #byMessage;
  readonly #linkMessage;
  readonly #setMessage;
  readonly #linkAll;
  readonly #count;
  readonly #countByAuthor;
  readonly #range;
  readonly #idBefore;
  readonly #appendAll;

  constructor(db: Db) {
    this.#insertConversation = db.prepare(
      `INSERT INTO conversations (key, guild_id, channel_id, parent_id, created_at)
       VALUES (@key, @guildId, @channelId, @parentId, @now)
       ON CONFLICT (key) DO NOTHING`,
    );
    this.#insertTurn = db.prepare(
      `INSERT INTO turns (conversation_key, role, author_id, author_name, persona_id, message_id, content, token_count, status, created_at)
       VALUES (@conversationKey, @role, @authorId, @authorName, @personaId, @messageId, @content, @tokenCount, @status, @createdAt)`,
    );
    this.#recent = db.prepare<{ key: string; afterId: number; limit: number }, TurnRow>(
      `SELECT ${TURN_COLUMNS} FROM turns WHERE conversation_key = @key AND id > @afterId ORDER BY id DESC LIMIT @limit`,
    );
    this.#range = db.prepare<{ key: string; afterId: number; beforeId: number; limit: number }, TurnRow>(
      `SELECT ${TURN_COLUMNS} FROM turns WHERE conversation_key = @key AND id > @afterId AND id < @beforeId ORDER BY id LIMIT @limit`,
    );
    this.#idBefore = db.prepare<{ key: string; beforeId: number; offset: number }, { id: number }>(
      "SELECT id FROM turns WHERE conversation_key = @key AND id < @beforeId ORDER BY id DESC LIMIT 1 OFFSET @offset",
    );
    this.#byMessage = db.prepare<{ messageId: string }, TurnRow>(
      `SELECT ${TURN_COLUMNS} FROM turns WHERE message_id = @messageId
       UNION ALL
       SELECT ${TURN_COLUMNS.split(", ").map((c) => `t.${c}`).join(", ")}
         FROM turn_messages m JOIN turns t ON t.id = m.turn_id WHERE m.message_id = @messageId
       LIMIT 1`,
    );
    this.#linkMessage = db.prepare("INSERT OR IGNORE INTO turn_messages (message_id, turn_id) VALUES (@messageId, @turnId)");
    this.#setMessage = db.prepare("UPDATE turns SET message_id = @messageId WHERE id = @turnId AND message_id IS NULL");
    this.#linkAll = db.transaction((turnId: number, messageIds: readonly string[]) => {
      const [first, ...rest] = messageIds;
      if (first !== undefined) this.#setMessage.run({ messageId: first, turnId });
      for (const messageId of rest) this.#linkMessage.run({ messageId, turnId });
    });
    this.#count = db.prepare<{ key: string }, { n: number }>("SELECT count(*) AS n FROM turns WHERE conversation_key = @key");
    this.#countByAuthor = db.prepare<{ authorId: string }, { n: number }>("SELECT count(*) AS n FROM turns WHERE author_id = @authorId");
    this.#appendAll = db.transaction((conversation: ConversationRef, turns: readonly NewTurn[]) => {
      this.#insertConversation.run({
        key: conversation.key,
        guildId: conversation.guildId ?? null,
        channelId: conversation.channelId ?? null,
        parentId: conversation.parentId ?? null,
        now: Date.now(),
      });
      return turns.map(
        (turn) =>
          Number(
            this.#insertTurn.run({
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
          ),
      );
    });
  }

  /** Stores turns in one transaction (creating the conversation if new); returns their ids in order. */
  append(conversation: ConversationRef, turns: readonly NewTurn[]): number[] {
    return this.#appendAll(conversation, turns);
  }

  /** The newest `limit` turns of a conversation with ids above `afterId`, newest first. */
  recent(conversationKey: string, limit: number, afterId = 0): Turn[] {
    return this.#recent.all({ key: conversationKey, afterId, limit }).map(toTurn);
  }

  /** Up to `limit` turns of a conversation with ids strictly between `afterId` and `beforeId`, oldest first. */
  range(conversationKey: string, afterId: number, beforeId: number, limit: number): Turn[] {
    return this.#range.all({ key: conversationKey, afterId, beforeId, limit }).map(toTurn);
  }

  /**
   * The id of the turn `count` turns back from `beforeId` in a conversation, so that
   * exactly `count` turns lie strictly between the two; undefined when there are fewer.
   */
  idBefore(conversationKey: string, beforeId: number, count: number): number | undefined {
    return this.#idBefore.get({ key: conversationKey, beforeId, offset: count })?.id;
  }

  /** The turn that came from, or was sent as, a Discord message. */
  findByMessageId(messageId: string): Turn | undefined {
    const row = this.#byMessage.get({ messageId });
    return row ? toTurn(row) : undefined;
  }

  /**
   * Records the Discord messages a bot turn was sent as: the first becomes the turn's
   * message id, the rest (a long reply is split) are linked to it.
   */
  linkMessages(turnId: number, messageIds: readonly string[]): void {
    this.#linkAll(turnId, messageIds);
  }

  count(conversationKey: string): number {
    return this.#count.get({ key: conversationKey })?.n ?? 0;
  }

  /** How many stored turns someone wrote, in every conversation. */
  countByAuthor(authorId: string): number {
    return this.#countByAuthor.get({ authorId })?.n ?? 0;
  }
}
