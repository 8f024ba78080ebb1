import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type Db, openDatabase, readMigrations, schemaVersion } from "../../src/memory/db.js";
import { RECALL_TERMS_FUNCTION, recallTerms } from "../../src/memory/terms.js";
import { tempDirForTest } from "../helpers/temp-dir.js";
import { indexBytesHold, indexedTurnIds, indexRowCount, indexTermCount } from "../helpers/memory.js";

const tableNames = (db: Db) =>
  (
    db
      .prepare("SELECT name FROM sqlite_schema WHERE type IN ('table', 'index', 'trigger') ORDER BY name")
      .all() as Array<{ name: string }>
  ).map((r) => r.name);

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

const indexed = indexedTurnIds;

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
    for (const name of [
      "summaries",
      "turns_fts",
      "guild_memory_settings",
      "turns_by_time",
      "turns_fts_after_insert",
      "turns_fts_after_delete",
      "turns_fts_after_update",
      "conversations_before_delete",
      "conversations_server_is_fixed",
    ]) {
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

  it("keeps the index in step with inserts, edits, deletes and deleted conversations", () => {
    db = openDatabase(path.join(dir, "sync.db"));
    db.prepare(
      "INSERT INTO conversations (key, guild_id, created_at) VALUES ('channel:1', 'g1', 0), ('channel:2', NULL, 0)",
    ).run();
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
    expect(indexTermCount(db, "biscuit")).toBe(0);
    expect(indexRowCount(db)).toBe(1);
    db.prepare("INSERT INTO turns_fts (turns_fts, rank) VALUES ('integrity-check', 0)").run();
  });

  it("wipes a deleted turn's terms from the index pages, not just marks them deleted", () => {
    db = openDatabase(path.join(dir, "secure.db"));
    db.prepare("INSERT INTO conversations (key, guild_id, created_at) VALUES ('channel:1', 'g1', 0)").run();
    for (let i = 0; i < 20; i++) insertTurn(db, "channel:1", `ordinary words number ${i}`);
    const secret = insertTurn(db, "channel:1", "zyzzyvaquokka");
    expect(indexBytesHold(db, "zyzzyvaquokka")).toBe(true);
    db.prepare("DELETE FROM turns WHERE id = @secret").run({ secret });
    expect(indexBytesHold(db, "zyzzyvaquokka")).toBe(false);
  });

  it("refuses to move a conversation to another server, which would orphan its index terms", () => {
    db = openDatabase(path.join(dir, "fixed.db"));
    db.prepare("INSERT INTO conversations (key, guild_id, created_at) VALUES ('channel:1', 'g1', 0)").run();
    expect(() => db!.prepare("UPDATE conversations SET guild_id = 'g2' WHERE key = 'channel:1'").run()).toThrow(
      /cannot move to another server/,
    );
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

describe("migration 005_shard_layout_and_replies", () => {
  it("links each stored person's turn to the reply stored with it, and leaves the layout for the bot to record", () => {
    const file = path.join(tempDirForTest(), "old.db");
    const old = openDatabase(file, readMigrations().slice(0, 4));
    old.prepare("INSERT INTO conversations (key, guild_id, created_at) VALUES ('channel:1', 'g1', 0)").run();
    const insert = old.prepare(
      `INSERT INTO turns (conversation_key, role, author_id, author_name, persona_id, content, token_count, created_at)
       VALUES ('channel:1', @role, @author, 'X', @persona, 'words', 1, @at)`,
    );
    const turn = (role: string, at: number) =>
      Number(
        insert.run({
          role,
          author: role === "user" ? "u1" : "persona:quill",
          persona: role === "user" ? null : "quill",
          at,
        }).lastInsertRowid,
      );
    // Before 005 a reply was stored in one go with the messages it answered: same time.
    const [asked, alsoAsked, reply, unanswered, laterReply] = [
      turn("user", 1000),
      turn("user", 1000),
      turn("assistant", 1000),
      turn("user", 2000),
      turn("assistant", 3000),
    ];
    old.close();

    const db = openDatabase(file);
    const answeredBy = db.prepare("SELECT id, answered_by FROM turns WHERE role = 'user' ORDER BY id").all();
    expect(answeredBy).toEqual([
      { id: asked, answered_by: reply },
      { id: alsoAsked, answered_by: reply },
      { id: unanswered, answered_by: null },
    ]);
    expect(laterReply).toBe(unanswered + 1);
    expect(db.prepare("SELECT count(*) FROM shard_layout").pluck().get()).toBe(0);
    db.close();
  });
});

describe("migration 008_thread_origin", () => {
  it("marks the threads /chat opened before it (their persona set by their opener) and leaves a mention's as one", () => {
    const file = path.join(tempDirForTest(), "old.db");
    const old = openDatabase(file, readMigrations().slice(0, 7));
    const thread = old.prepare(
      "INSERT INTO masque_threads (thread_id, guild_id, parent_id, opened_by, private, opened_at) VALUES (@id, 'g1', 'c1', 'u1', 0, 1000)",
    );
    const persona = old.prepare(
      "INSERT INTO conversation_settings (conversation_key, persona_id, set_by, set_at) VALUES (@key, 'quill', @by, 1000)",
    );
    thread.run({ id: "t-chat" });
    persona.run({ key: "channel:t-chat", by: "u1" });
    thread.run({ id: "t-mention" });
    thread.run({ id: "t-admin-set" });
    persona.run({ key: "channel:t-admin-set", by: "admin" });
    old.close();

    const db = openDatabase(file);
    expect(db.prepare("SELECT thread_id, opened_with FROM masque_threads ORDER BY thread_id").all()).toEqual([
      { thread_id: "t-admin-set", opened_with: "mention" },
      { thread_id: "t-chat", opened_with: "chat" },
      { thread_id: "t-mention", opened_with: "mention" },
    ]);
    expect(() => db.prepare("UPDATE masque_threads SET opened_with = 'other'").run()).toThrow(
      /CHECK constraint failed/,
    );
    db.close();
  });
});

describe("migration 009_recall_stems_and_vectors", () => {
  /** What masque_recall_terms computed before stems: the exact words' terms only (the stems' start with s or t). */
  const exactTermsOnly = (key: unknown, guildId: unknown, content: unknown) =>
    recallTerms(String(key), typeof guildId === "string" ? guildId : null, String(content))
      .split(" ")
      .filter((term) => term.startsWith("c") || term.startsWith("g"))
      .join(" ");

  it("re-indexes the turns stored before it with stems, so old turns are found by any form and deleted cleanly", () => {
    const file = path.join(tempDirForTest(), "old.db");
    const old = openDatabase(file, readMigrations().slice(0, 8));
    old.function(RECALL_TERMS_FUNCTION, { deterministic: true }, exactTermsOnly);
    old.prepare("INSERT INTO conversations (key, guild_id, created_at) VALUES ('channel:1', 'g1', 0)").run();
    const id = insertTurn(old, "channel:1", "I named my dog Biscuit");
    expect(indexed(old, "channel:1", "dogs")).toEqual([]);
    old.close();

    const db = openDatabase(file);
    expect(schemaVersion(db)).toBe(readMigrations().length);
    expect(indexed(db, "channel:1", "dogs")).toEqual([id]);
    expect(indexed(db, "channel:1", "naming")).toEqual([id]);
    expect(indexed(db, "channel:1", "Biscuit")).toEqual([id]);
    expect(indexRowCount(db)).toBe(1);
    // Deleting removes exactly the terms the migration indexed: none is left behind.
    db.prepare("DELETE FROM turns WHERE id = @id").run({ id });
    expect(indexTermCount(db, "dog")).toBe(0);
    expect(indexTermCount(db, "biscuit")).toBe(0);
    expect(indexRowCount(db)).toBe(0);
    db.close();
  });

  it("queues turns for embedding only once vectors are on", () => {
    const db = openDatabase(path.join(tempDirForTest(), "queue.db"));
    db.prepare("INSERT INTO conversations (key, guild_id, created_at) VALUES ('channel:1', 'g1', 0)").run();
    insertTurn(db, "channel:1", "before vectors");
    expect(db.prepare("SELECT count(*) FROM turns_to_embed").pluck().get()).toBe(0);
    db.prepare("INSERT INTO embedding_index (id, model, dimensions, created_at) VALUES (1, 'm', 8, 0)").run();
    const queued = insertTurn(db, "channel:1", "after vectors");
    expect(db.prepare("SELECT turn_id FROM turns_to_embed").pluck().all()).toEqual([queued]);
    db.prepare("DELETE FROM turns WHERE id = @id").run({ id: queued });
    expect(db.prepare("SELECT count(*) FROM turns_to_embed").pluck().get()).toBe(0);
    db.close();
  });
});
