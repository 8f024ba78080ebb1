import { copyFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import {
  type Db,
  DatabaseError,
  MIGRATIONS_DIR,
  migrate,
  openDatabase,
  readMigrations,
  schemaVersion,
} from "../../src/memory/db.js";
import { tempDirForTest } from "../helpers/temp-dir.js";

const REAL_MIGRATIONS = readMigrations();
const LATEST_VERSION = REAL_MIGRATIONS.length;
const TABLES = [
  "admin_roles",
  "allowed_bots",
  "audit_log",
  "blocked_users",
  "blocked_words",
  "channel_modes",
  "conversation_cast",
  "conversation_settings",
  "conversations",
  "embedding_index",
  "guild_memory_settings",
  "guild_moderation",
  "guild_settings",
  "masque_threads",
  "person_note_choices",
  "person_notes",
  "replies_in_flight",
  "reshard_journal",
  "shard_layout",
  "sqlite_sequence",
  "studio_logins",
  "studio_sessions",
  "summaries",
  "turn_messages",
  "turns",
  "turns_fts",
  "turns_fts_config",
  "turns_fts_data",
  "turns_fts_docsize",
  "turns_fts_idx",
  "turns_to_embed",
];

/** The file name of a test migration numbered `ahead` past the real ones. */
function nextMigration(name: string, ahead = 1): string {
  return `${String(LATEST_VERSION + ahead).padStart(3, "0")}_${name}.sql`;
}

function tableNames(db: Db): string[] {
  return db
    .prepare<[], { name: string }>("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name")
    .all()
    .map((row) => row.name);
}

function insertConversation(db: Db, key: string): void {
  db.prepare("INSERT INTO conversations (key, created_at) VALUES (?, 1)").run(key);
}

function conversationKeys(db: Db): string[] {
  return db
    .prepare<[], { key: string }>("SELECT key FROM conversations ORDER BY key")
    .all()
    .map((row) => row.key);
}

/** A migrations folder holding the real migrations and the given extra files. */
function migrationsDirWith(files: Record<string, string>): string {
  const dir = tempDirForTest();
  for (const { file } of REAL_MIGRATIONS) copyFileSync(path.join(MIGRATIONS_DIR, file), path.join(dir, file));
  for (const [name, sql] of Object.entries(files)) writeFileSync(path.join(dir, name), sql);
  return dir;
}

describe("openDatabase", () => {
  it("brings a fresh database to the latest version with the expected tables", () => {
    const db = openDatabase(":memory:");
    expect(schemaVersion(db)).toBe(LATEST_VERSION);
    expect(tableNames(db)).toEqual(TABLES);
    db.close();
  });

  it("opens a file database in WAL mode with foreign keys and a busy timeout", () => {
    const file = path.join(tempDirForTest(), "masque.db");
    const db = openDatabase(file);
    expect(db.pragma("journal_mode", { simple: true })).toBe("wal");
    expect(db.pragma("foreign_keys", { simple: true })).toBe(1);
    expect(db.pragma("busy_timeout", { simple: true })).toBe(5000);
    // Deleted rows are overwritten with zeros, so what /memory forget-me erases is gone from the file's bytes.
    expect(db.pragma("secure_delete", { simple: true })).toBe(1);
    db.close();
  });

  it("creates the folder that holds the database file", () => {
    const file = path.join(tempDirForTest(), "data", "masque.db");
    const db = openDatabase(file);
    expect(db.name).toBe(file);
    db.close();
  });

  it("applies nothing to an up-to-date database and keeps its data", () => {
    const file = path.join(tempDirForTest(), "masque.db");
    const first = openDatabase(file);
    insertConversation(first, "channel:1");
    first.close();

    const again = openDatabase(file);
    expect(schemaVersion(again)).toBe(LATEST_VERSION);
    expect(migrate(again)).toBe(LATEST_VERSION);
    expect(conversationKeys(again)).toEqual(["channel:1"]);
    again.close();
  });

  it("enforces foreign keys", () => {
    const db = openDatabase(":memory:");
    expect(() =>
      db
        .prepare(
          "INSERT INTO turns (conversation_key, role, author_id, author_name, content, token_count, created_at) VALUES ('channel:none', 'user', 'u', 'U', 'hi', 1, 1)",
        )
        .run(),
    ).toThrow("FOREIGN KEY constraint failed");
    db.close();
  });

  it("rolls back a failing migration, leaving the last good version and its data", () => {
    const file = path.join(tempDirForTest(), "masque.db");
    const first = openDatabase(file);
    insertConversation(first, "channel:1");
    first.close();
    const migrations = readMigrations(
      migrationsDirWith({
        [nextMigration("broken")]:
          "CREATE TABLE extra (id INTEGER PRIMARY KEY);\nDELETE FROM conversations;\nINSERT INTO no_such_table VALUES (1);\n",
      }),
    );

    expect(() => openDatabase(file, migrations)).toThrow(DatabaseError);

    const after = new Database(file);
    expect(schemaVersion(after)).toBe(LATEST_VERSION);
    expect(tableNames(after)).toEqual(TABLES);
    expect(conversationKeys(after)).toEqual(["channel:1"]);
    after.close();
  });

  it("says which database failed and why, pointing at DATABASE_PATH", () => {
    const file = path.join(tempDirForTest(), "masque.db");
    const migrations = readMigrations(
      migrationsDirWith({ [nextMigration("broken")]: "INSERT INTO no_such_table VALUES (1);" }),
    );

    expect(() => openDatabase(file, migrations)).toThrow(
      `Cannot open the database ${file}: no such table: no_such_table. Check DATABASE_PATH and that the folder is writable.`,
    );
  });

  it("applies a new migration to a database at an older version", () => {
    const file = path.join(tempDirForTest(), "masque.db");
    openDatabase(file).close();
    const migrations = readMigrations(
      migrationsDirWith({ [nextMigration("notes")]: "CREATE TABLE notes (id INTEGER PRIMARY KEY) STRICT;" }),
    );

    const db = openDatabase(file, migrations);
    expect(schemaVersion(db)).toBe(LATEST_VERSION + 1);
    expect(tableNames(db)).toEqual([...TABLES, "notes"].sort());
    db.close();
  });

  it("refuses a database newer than the code", () => {
    const file = path.join(tempDirForTest(), "masque.db");
    const raw = new Database(file);
    const newer = LATEST_VERSION + 1;
    raw.pragma(`user_version = ${newer}`);
    raw.close();

    expect(() => openDatabase(file)).toThrow(
      `The database is at schema version ${newer}, newer than this code knows (${LATEST_VERSION}); update Masque.`,
    );
  });
});

describe("readMigrations", () => {
  it("reads the numbered SQL files in order, ignoring other files", () => {
    const dir = migrationsDirWith({
      [nextMigration("second")]: "SELECT 2;",
      "010_notes.txt": "not a migration",
      "README.md": "# notes",
    });
    expect(readMigrations(dir).map((m) => [m.version, m.file])).toEqual([
      ...REAL_MIGRATIONS.map((m) => [m.version, m.file]),
      [LATEST_VERSION + 1, nextMigration("second")],
    ]);
    expect(REAL_MIGRATIONS[0]!.file).toBe("001_initial.sql");
  });

  it("refuses a gap in the numbers", () => {
    const dir = migrationsDirWith({ [nextMigration("third", 2)]: "SELECT 3;" });
    expect(() => readMigrations(dir)).toThrow(
      `Migration ${nextMigration("third", 2)} should be numbered ${LATEST_VERSION + 1}: migrations must be numbered 1, 2, 3... without gaps.`,
    );
  });
});
