import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type Db, openDatabase, readMigrations, schemaVersion } from "../../src/memory/db.js";
import { scopeToken } from "../../src/memory/recall.js";

const tableNames = (db: Db) =>
  (db.prepare("SELECT name FROM sqlite_schema WHERE type IN ('table', 'index', 'trigger') ORDER BY name").all() as Array<{ name: string }>).map((r) => r.name);

function insertTurn(db: Db, conversationKey: string, content: string): number {
  return Number(
    db
      .prepare(
        `INSERT INTO turns (conversation_key, role, author_id, author_name, content, token_count, created_at)
         VALUES (@conversationKey, 'user', 'u1', 'Ali', @content, 5, 1000)`,
      )
      .run({ conversationKey, content }).lastInsertRowid,
  );
}

/** Turn ids the full-text index holds for a word in a conversation (read from the index, not from turns). */
function indexed(db: Db, conversationKey: string, word: string): number[] {
  const query = `conversation : "${scopeToken(conversationKey)}" AND content : "${word}"`;
  return (db.prepare("SELECT rowid FROM turns_fts WHERE turns_fts MATCH @query ORDER BY rowid").all({ query }) as Array<{ rowid: number }>).map((r) => r.rowid);
}

describe("migration 002_memory", () => {
  let dir: string;
  let db: Db | undefined;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), "masque-migrations-"));
  });
  afterEach(() => {
    db?.close();
    db = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  it("brings a fresh database to the latest version with the summary, recall and setting tables", () => {
    db = openDatabase(path.join(dir, "fresh.db"));
    expect(schemaVersion(db)).toBe(readMigrations().length);
    const names = tableNames(db);
    for (const name of ["summaries", "turns_fts", "guild_memory_settings", "turns_by_time", "turns_fts_after_insert", "turns_fts_after_delete", "turns_fts_after_update"]) {
      expect(names).toContain(name);
    }
  });

  it("indexes the turns stored before it ran", () => {
    const file = path.join(dir, "old.db");
    const [first] = readMigrations();
    const old = openDatabase(file, [first!]);
    old.prepare("INSERT INTO conversations (key, guild_id, created_at) VALUES ('channel:1', 'g1', 0)").run();
    const id = insertTurn(old, "channel:1", "My dog is called Biscuit");
    old.close();

    db = openDatabase(file);
    expect(schemaVersion(db)).toBe(readMigrations().length);
    expect(indexed(db, "channel:1", "biscuit")).toEqual([id]);
  });

  it("keeps the index in step with inserts, edits, deletes and deletes cascading from a conversation", () => {
    db = openDatabase(path.join(dir, "sync.db"));
    db.prepare("INSERT INTO conversations (key, guild_id, created_at) VALUES ('channel:1', 'g1', 0), ('channel:2', NULL, 0)").run();
    const a = insertTurn(db, "channel:1", "Biscuit is a dog");
    const b = insertTurn(db, "channel:1", "Biscuit again");
    const c = insertTurn(db, "channel:2", "Biscuit in a DM");
    expect(indexed(db, "channel:1", "biscuit")).toEqual([a, b]);

    db.prepare("UPDATE turns SET content = 'Pancake is a dog' WHERE id = @a").run({ a });
    expect(indexed(db, "channel:1", "biscuit")).toEqual([b]);
    expect(indexed(db, "channel:1", "pancake")).toEqual([a]);

    db.prepare("DELETE FROM turns WHERE id = @b").run({ b });
    expect(indexed(db, "channel:1", "biscuit")).toEqual([]);

    db.prepare("DELETE FROM conversations WHERE key = 'channel:2'").run();
    expect(db.prepare("SELECT count(*) AS n FROM turns WHERE id = @c").get({ c })).toEqual({ n: 0 });
    expect(indexed(db, "channel:2", "biscuit")).toEqual([]);
  });

  it("refuses a summary whose turn range is backwards", () => {
    db = openDatabase(path.join(dir, "check.db"));
    db.prepare("INSERT INTO conversations (key, created_at) VALUES ('channel:1', 0)").run();
    const insert = db.prepare(
      "INSERT INTO summaries (conversation_key, content, first_turn_id, last_turn_id, token_count, updated_at) VALUES ('channel:1', 's', @first, @last, 1, 0)",
    );
    expect(() => insert.run({ first: 5, last: 4 })).toThrow(/CHECK constraint failed/);
  });
});
