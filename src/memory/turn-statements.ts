import type { Db } from "./db.js";
import { TURN_COLUMNS, type TurnRow, type TurnSize, turnColumnsOf } from "./turn-rows.js";

/** A turn that is history for a reply to messages stored from turn `@newFrom` on: said before them, or a reply of the persona. */
const NOT_NEWER_SAID = "(id < @newFrom OR role = 'assistant')";

/** A turn's size as the sizes queries return it. */
const SIZE_COLUMNS = "id, token_count AS tokenCount";

/** The statements that keep a conversation, its turns, their extra messages and which reply answered which turn. */
export function prepareTurnWrites(db: Db) {
  return {
    insertConversation: db.prepare(
      `INSERT INTO conversations (key, guild_id, channel_id, parent_id, created_at)
       VALUES (@key, @guildId, @channelId, @parentId, @now)
       ON CONFLICT (key) DO NOTHING`,
    ),
    insertTurn: db.prepare(
      `INSERT INTO turns (conversation_key, role, author_id, author_name, persona_id, message_id, content, token_count, status, created_at)
       VALUES (@conversationKey, @role, @authorId, @authorName, @personaId, @messageId, @content, @tokenCount, @status, @createdAt)`,
    ),
    linkMessage: db.prepare("INSERT OR IGNORE INTO turn_messages (message_id, turn_id) VALUES (@messageId, @turnId)"),
    markAnswered: db.prepare("UPDATE turns SET answered_by = @replyId WHERE id = @turnId"),
  };
}

/** The statements that read a conversation's window of turns, whole or as sizes, newest or in a range. */
export function prepareWindowReads(db: Db) {
  return {
    recent: db
      .prepare<{ key: string; afterId: number; newFrom: number; limit: number }, TurnRow>(
        `SELECT ${TURN_COLUMNS} FROM turns WHERE conversation_key = @key AND id > @afterId AND ${NOT_NEWER_SAID} ORDER BY id DESC LIMIT @limit`,
      )
      .raw(true),
    recentSizes: db.prepare<
      { key: string; afterId: number; beforeId: number; newFrom: number; limit: number },
      TurnSize
    >(
      `SELECT ${SIZE_COLUMNS} FROM turns WHERE conversation_key = @key AND id > @afterId AND id < @beforeId AND ${NOT_NEWER_SAID} ORDER BY id DESC LIMIT @limit`,
    ),
    range: db
      .prepare<{ key: string; afterId: number; beforeId: number; limit: number }, TurnRow>(
        `SELECT ${TURN_COLUMNS} FROM turns WHERE conversation_key = @key AND id > @afterId AND id < @beforeId ORDER BY id LIMIT @limit`,
      )
      .raw(true),
    rangeSizes: db.prepare<{ key: string; afterId: number; beforeId: number; limit: number }, TurnSize>(
      `SELECT ${SIZE_COLUMNS} FROM turns WHERE conversation_key = @key AND id > @afterId AND id < @beforeId ORDER BY id LIMIT @limit`,
    ),
    idBefore: db.prepare<{ key: string; beforeId: number; offset: number }, { id: number }>(
      "SELECT id FROM turns WHERE conversation_key = @key AND id < @beforeId ORDER BY id DESC LIMIT 1 OFFSET @offset",
    ),
    tokensBetween: db.prepare<{ key: string; afterId: number; beforeId: number; newFrom: number }, { tokens: number }>(
      `SELECT coalesce(sum(token_count), 0) AS tokens FROM turns WHERE conversation_key = @key AND id > @afterId AND id < @beforeId AND ${NOT_NEWER_SAID}`,
    ),
  };
}

/** The statements that find a turn by its message, who answered whom, and how many turns there are. */
export function prepareLookups(db: Db) {
  return {
    byMessage: db
      .prepare<{ messageId: string }, TurnRow>(
        `SELECT ${TURN_COLUMNS} FROM turns WHERE message_id = @messageId
         UNION ALL
         SELECT ${turnColumnsOf("t")} FROM turn_messages m JOIN turns t ON t.id = m.turn_id WHERE m.message_id = @messageId
         LIMIT 1`,
      )
      .raw(true),
    answeredBy: db
      .prepare<{ ids: string }, [number, number]>(
        "SELECT id, answered_by FROM turns WHERE id IN (SELECT value FROM json_each(@ids)) AND answered_by IS NOT NULL",
      )
      .raw(true),
    // The newest reply to the person's newest answered message, followed along the replies that came after it.
    lastAnswerer: db.prepare<{ key: string; authorId: string; window: number }, { personaId: string | null }>(
      `WITH RECURSIVE chain (id, persona_id, next) AS (
         SELECT t.id, t.persona_id, t.answered_by FROM turns t WHERE t.id = (
           SELECT answered_by FROM (SELECT id, role, author_id, answered_by FROM turns WHERE conversation_key = @key ORDER BY id DESC LIMIT @window)
           WHERE role = 'user' AND author_id = @authorId AND answered_by IS NOT NULL ORDER BY id DESC LIMIT 1)
         UNION SELECT t.id, t.persona_id, t.answered_by FROM turns t JOIN chain c ON t.id = c.next
       )
       SELECT persona_id AS personaId FROM chain ORDER BY id DESC LIMIT 1`,
    ),
    count: db.prepare<{ key: string }, { n: number }>("SELECT count(*) AS n FROM turns WHERE conversation_key = @key"),
    countByAuthor: db.prepare<{ authorId: string }, { n: number }>(
      "SELECT count(*) AS n FROM turns WHERE author_id = @authorId",
    ),
  };
}
