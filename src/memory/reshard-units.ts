import type { Db } from "./db.js";
import { GUILD_TABLES, SURROGATE_ID_TABLES } from "./layout.js";

/**
 * A unit of resharding: one server's rows (its id), or everything outside servers (DMs,
 * the terminal, audit entries without a server) as the empty string. A unit always moves
 * whole, from one file to another.
 */
export type Unit = string;

const guildOf = (unit: Unit) => (unit === "" ? null : unit);

/**
 * The server a persona choice for a conversation belongs to. `conversation_settings` has
 * no server column: it is found from the conversation, the channel's mode, or the audit
 * entry of the choice. A choice whose server cannot be found goes with the DMs.
 */
const SETTING_GUILD = `coalesce(
  (SELECT c.guild_id FROM conversations c WHERE c.key = s.conversation_key),
  (SELECT m.guild_id FROM channel_modes m WHERE 'channel:' || m.channel_id = s.conversation_key),
  (SELECT a.guild_id FROM audit_log a WHERE 'channel:' || a.channel_id = s.conversation_key AND a.guild_id IS NOT NULL LIMIT 1))`;

/** Every unit with rows in a file. */
export function unitsIn(db: Db): Unit[] {
  const selects = [
    "SELECT coalesce(guild_id, '') FROM conversations",
    `SELECT coalesce(${SETTING_GUILD}, '') FROM conversation_settings s`,
    ...GUILD_TABLES.map((table) => `SELECT coalesce(guild_id, '') FROM ${table}`),
  ];
  return db.prepare(selects.join(" UNION ")).pluck().all() as Unit[];
}

function columnsOf(db: Db, table: string): string[] {
  return (db.prepare(`SELECT name FROM pragma_table_info('${table}')`).pluck().all() as string[]).filter(
    (name) => name !== "id" || !SURROGATE_ID_TABLES.has(table),
  );
}

function insertInto(db: Db, table: string, columns: readonly string[], verb = "INSERT OR REPLACE") {
  return db.prepare(`${verb} INTO ${table} (${columns.join(", ")}) VALUES (${columns.map((c) => `@${c}`).join(", ")})`);
}

/** Copies one conversation's turns (new ids in `to`), their extra message ids and its summary; returns summaries dropped. */
function copyConversation(from: Db, to: Db, key: string): number {
  const turnColumns = columnsOf(to, "turns").filter((c) => c !== "id");
  const insertTurn = insertInto(to, "turns", turnColumns, "INSERT");
  const linkMessage = to.prepare(
    "INSERT OR IGNORE INTO turn_messages (message_id, turn_id) VALUES (@message_id, @turn_id)",
  );
  const messagesOf = from.prepare<{ id: number }, { message_id: string }>(
    "SELECT message_id FROM turn_messages WHERE turn_id = @id",
  );
  const newIds = new Map<number, number>();
  const answeredBy = new Map<number, number>();
  type TurnRow = Record<string, unknown> & { id: number; answered_by: number | null };
  for (const turn of from
    .prepare<{ key: string }, TurnRow>("SELECT * FROM turns WHERE conversation_key = @key ORDER BY id")
    .iterate({ key })) {
    newIds.set(turn.id, Number(insertTurn.run({ ...turn, answered_by: null }).lastInsertRowid));
    if (turn.answered_by !== null) answeredBy.set(turn.id, turn.answered_by);
  }
  // A reply comes after the messages it answers: link them once both have their new ids.
  const markAnswered = to.prepare("UPDATE turns SET answered_by = @reply WHERE id = @id");
  for (const [oldId, oldReply] of answeredBy) {
    const reply = newIds.get(oldReply);
    if (reply !== undefined) markAnswered.run({ id: newIds.get(oldId), reply });
  }
  for (const [oldId, newId] of newIds) {
    for (const link of messagesOf.all({ id: oldId })) linkMessage.run({ message_id: link.message_id, turn_id: newId });
  }
  const summary = from
    .prepare<{ key: string }, Record<string, unknown> & { first_turn_id: number; last_turn_id: number }>(
      "SELECT * FROM summaries WHERE conversation_key = @key",
    )
    .get({ key });
  if (!summary) return 0;
  // The summary stands in for the same turns under their new ids (kept in order, so the range still holds exactly them).
  const covered = [...newIds]
    .filter(([oldId]) => oldId >= summary.first_turn_id && oldId <= summary.last_turn_id)
    .map(([, newId]) => newId);
  if (covered.length === 0) return 1; // its turns are gone: the summarizer rebuilds it
  insertInto(to, "summaries", columnsOf(to, "summaries")).run({
    ...summary,
    first_turn_id: Math.min(...covered),
    last_turn_id: Math.max(...covered),
  });
  return 0;
}

/** Copies a unit's rows from `from` into `to` (rows `to` already has under the same key are replaced); returns summaries dropped. */
export function copyUnit(from: Db, to: Db, unit: Unit): number {
  const guild = { guild: guildOf(unit) };
  let dropped = 0;
  const conversations = from
    .prepare<typeof guild, Record<string, unknown> & { key: string }>(
      "SELECT * FROM conversations WHERE guild_id IS @guild",
    )
    .all(guild);
  const insertConversation = insertInto(to, "conversations", columnsOf(to, "conversations"), "INSERT OR IGNORE");
  for (const conversation of conversations) {
    insertConversation.run(conversation);
    dropped += copyConversation(from, to, conversation.key);
  }
  const settings = from
    .prepare(`SELECT s.* FROM conversation_settings s WHERE ${SETTING_GUILD} IS @guild`)
    .all(guild) as Array<Record<string, unknown>>;
  const insertSetting = insertInto(to, "conversation_settings", columnsOf(to, "conversation_settings"));
  for (const setting of settings) insertSetting.run(setting);
  for (const table of GUILD_TABLES) {
    const insert = insertInto(to, table, columnsOf(to, table));
    const order = SURROGATE_ID_TABLES.has(table) ? " ORDER BY id" : "";
    for (const row of from
      .prepare(`SELECT * FROM ${table} WHERE guild_id IS @guild${order}`)
      .iterate(guild) as Iterable<Record<string, unknown>>) {
      if (SURROGATE_ID_TABLES.has(table)) delete row.id;
      insert.run(row);
    }
  }
  return dropped;
}

/** Deletes a unit's rows from a file (turns, their index terms, messages and summaries follow their conversation). */
export function deleteUnit(db: Db, unit: Unit): void {
  const guild = { guild: guildOf(unit) };
  // Persona choices first: finding their server reads the conversations, modes and audit entries.
  db.prepare(`DELETE FROM conversation_settings AS s WHERE ${SETTING_GUILD} IS @guild`).run(guild);
  db.prepare("DELETE FROM conversations WHERE guild_id IS @guild").run(guild);
  for (const table of GUILD_TABLES) db.prepare(`DELETE FROM ${table} WHERE guild_id IS @guild`).run(guild);
}
