/**
 * Made-up conversation history, written straight into a database file: the memory
 * benchmark builds prompts from it, the latency benchmark starts the bot on a copy. The
 * million-turn database is filled once per `npm run bench` (it takes a minute and more)
 * and shared; it lives in a temporary folder removed when the process exits.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { type Db, migrate, registerFunctions } from "../src/memory/db.js";
import { RECALL_TERMS_FUNCTION } from "../src/memory/terms.js";
import type { ConversationRef } from "../src/memory/turns.js";
import { seededRandom } from "./types.js";

export const TOTAL_TURNS = 1_000_000;
export const CONVERSATIONS = 1_000;
/** The first conversation gets this many turns before the others start. */
export const SMALL_TURNS = 1_000;
/** Turns left out of each conversation's summary: about what the summarizer leaves with CONTEXT_TOKENS=8000 (60-85% of the window's ~5,800 tokens). */
const UNSUMMARIZED_TURNS = 150;
/** Page cache of the bulk-loading connection, in KiB. */
const FILL_CACHE_KIB = 1_000_000;
const SUMMARY =
  "Ali is planning a sailing trip in May; Bob keeps notes on the harbour weather; Dana asked Juniper for book ideas. ".repeat(
    8,
  );

const VOCABULARY_SIZE = 5_000;
const MIN_WORDS = 6;
const MAX_WORDS = 28;
/** Rough o200k rate for this text; the bench stores estimates so filling stays fast. */
const CHARS_PER_TOKEN = 4;
const SYLLABLES = [
  "ka",
  "lo",
  "mi",
  "ren",
  "to",
  "sa",
  "vel",
  "do",
  "ri",
  "an",
  "po",
  "te",
  "lun",
  "bar",
  "is",
  "ne",
  "mo",
  "qu",
  "el",
  "zor",
];
const PEOPLE = ["Ali", "Bob", "Cy", "Dana", "Eve"];
/** Snowflake-shaped, so the fake Discord can serve a server and channels with these very ids. */
export const GUILD_ID = "900000000000000001";
const FIRST_CHANNEL_ID = 910_000_000_000_000_000n;
export const SEED = 4;

export type Random = () => number;

/** Deterministic made-up words; common ones are drawn far more often (a skewed, Zipf-like mix). */
export function vocabulary(random: Random): string[] {
  const words = new Set<string>();
  while (words.size < VOCABULARY_SIZE) {
    const length = 2 + Math.floor(random() * 3);
    words.add(Array.from({ length }, () => SYLLABLES[Math.floor(random() * SYLLABLES.length)]).join(""));
  }
  return [...words];
}

function sentence(words: readonly string[], random: Random): string {
  const length = MIN_WORDS + Math.floor(random() * (MAX_WORDS - MIN_WORDS + 1));
  return Array.from({ length }, () => words[Math.floor(random() ** 3 * words.length)]).join(" ");
}

/** The Discord channel id of conversation `index`. */
export const channelIdOf = (index: number): string => String(FIRST_CHANNEL_ID + BigInt(index));

/** Conversation `index` exactly as the bot keys a channel of server GUILD_ID. */
export const conversationOf = (index: number): ConversationRef => ({
  key: `channel:${channelIdOf(index)}`,
  guildId: GUILD_ID,
  channelId: channelIdOf(index),
});

/** A throwaway connection tuned for bulk loading (no journal, no fsync, a big cache); the bot and the measurements use openMemory's settings. */
function openForFilling(file: string): Db {
  const db = new Database(file);
  db.pragma("journal_mode = OFF");
  db.pragma("synchronous = OFF");
  db.pragma(`cache_size = -${FILL_CACHE_KIB}`);
  registerFunctions(db);
  migrate(db);
  return db;
}

/** The trigger that indexes each new turn for recall (migration 004). */
const RECALL_INSERT_TRIGGER = "turns_fts_after_insert";

/**
 * Fills a database with one prepared statement in one transaction, conversation `plan[i]`
 * getting turn i, then gives each conversation the summary the summarizer would have left.
 * Every turn is indexed for recall as in production, with the schema's own terms function,
 * but in one statement after the turns instead of by the insert trigger row by row: the
 * same terms in the same order, in about half the time (4.8 against 8.8 s per 100,000
 * turns on the 2-core machine). The trigger is put back as the migration wrote it before
 * the transaction ends, so the bot that later opens a copy indexes its new turns as usual.
 */
export function fill(file: string, plan: readonly number[], words: readonly string[], random: Random): void {
  const db = openForFilling(file);
  const insertConversation = db.prepare(
    "INSERT OR IGNORE INTO conversations (key, guild_id, channel_id, created_at) VALUES (@key, @guildId, @channelId, 0)",
  );
  const insertTurn = db.prepare(
    `INSERT INTO turns (conversation_key, role, author_id, author_name, persona_id, content, token_count, created_at)
     VALUES (@key, @role, @authorId, @authorName, @personaId, @content, @tokenCount, @createdAt)`,
  );
  const insertSummary = db.prepare(
    `INSERT INTO summaries (conversation_key, content, first_turn_id, last_turn_id, token_count, updated_at)
     VALUES (@key, @content, @first, @last, @tokens, 0)`,
  );
  const ids: number[][] = [];
  const { sql: recallTrigger } = db
    .prepare<[string], { sql: string }>("SELECT sql FROM sqlite_schema WHERE type = 'trigger' AND name = ?")
    .get(RECALL_INSERT_TRIGGER)!;
  db.transaction(() => {
    db.exec(`DROP TRIGGER ${RECALL_INSERT_TRIGGER}`);
    for (const index of plan) {
      const conversation = conversationOf(index);
      const turns = ids[index] ?? [];
      ids[index] = turns;
      if (turns.length === 0)
        insertConversation.run({ key: conversation.key, guildId: GUILD_ID, channelId: conversation.channelId });
      const isBot = turns.length % 2 === 1;
      const person = PEOPLE[Math.floor(random() * PEOPLE.length)]!;
      const content = sentence(words, random);
      const result = insertTurn.run({
        key: conversation.key,
        role: isBot ? "assistant" : "user",
        authorId: isBot ? "persona:assistant" : `user-${person}`,
        authorName: isBot ? "Juniper" : person,
        personaId: isBot ? "assistant" : null,
        content,
        tokenCount: Math.ceil((person.length + 2 + content.length) / CHARS_PER_TOKEN),
        createdAt: turns.length,
      });
      turns.push(Number(result.lastInsertRowid));
    }
    db.exec(`INSERT INTO turns_fts (rowid, terms)
             SELECT t.id, ${RECALL_TERMS_FUNCTION}(t.conversation_key, c.guild_id, t.content)
             FROM turns t JOIN conversations c ON c.key = t.conversation_key ORDER BY t.id`);
    db.exec(recallTrigger);
    ids.forEach((turns, index) => {
      const last = turns[turns.length - 1 - UNSUMMARIZED_TURNS];
      if (last === undefined) return;
      insertSummary.run({
        key: conversationOf(index).key,
        content: SUMMARY,
        first: turns[0],
        last,
        tokens: Math.ceil(SUMMARY.length / CHARS_PER_TOKEN),
      });
    });
  })();
  db.close();
}

/** One conversation of SMALL_TURNS turns. */
export const smallPlan = (): number[] => Array.from({ length: SMALL_TURNS }, () => 0);

/** The small conversation first, then the rest spread over CONVERSATIONS conversations, interleaved as live channels are. */
export const millionPlan = (): number[] => [
  ...smallPlan(),
  ...Array.from({ length: TOTAL_TURNS - SMALL_TURNS }, (_, i) => i % CONVERSATIONS),
];

export interface FilledHistory {
  /** Treat as read-only: copy it before letting anything write to it. */
  readonly file: string;
  readonly words: readonly string[];
  /** How long the fill took, when it happened (earlier in this run, perhaps). */
  readonly fillSeconds: number;
}

let million: FilledHistory | undefined;

/** The million-turn database, filled on first use in this process. */
export function millionTurnHistory(): FilledHistory {
  if (million) return million;
  const dir = mkdtempSync(path.join(tmpdir(), "masque-bench-history-"));
  process.once("exit", () => rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, "1m.db");
  const words = vocabulary(seededRandom(SEED));
  const started = performance.now();
  fill(file, millionPlan(), words, seededRandom(SEED));
  million = { file, words, fillSeconds: (performance.now() - started) / 1000 };
  return million;
}
