/**
 * Prompt-build cost as history grows: builds reply prompts from a database holding 1,000
 * turns, then fills it to 1,000,000 turns across 1,000 conversations and builds them
 * again. "Prompt build" is exactly what the engine does before calling the model:
 * buildPromptFromMemory (summary, window, FTS recall, then assembly within the budget).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import path from "node:path";
import { buildPromptFromMemory } from "../src/chat/context.js";
import type { PendingTurn } from "../src/chat/prompt.js";
import { countTurnTokens } from "../src/chat/tokens.js";
import Database from "better-sqlite3";
import { type Db, migrate, registerFunctions } from "../src/memory/db.js";
import { type Memory, openMemory } from "../src/memory/index.js";
import type { ConversationRef } from "../src/memory/turns.js";
import type { MacroContext } from "../src/personas/macros.js";
import type { Persona } from "../src/personas/persona.js";
import { loadPersonas } from "../src/personas/registry.js";
import { type BenchmarkResult, percentile, seededRandom } from "./types.js";

const TOTAL_TURNS = 1_000_000;
const CONVERSATIONS = 1_000;
const SMALL_TURNS = 1_000;
/** The shipped default. */
const CONTEXT_TOKENS = 8_000;
/** Turns left out of each conversation's summary: about what the summarizer leaves with this context (60-85% of the window's ~5,800 tokens). */
const UNSUMMARIZED_TURNS = 150;
/** Page cache of the bulk-loading connection, in KiB. */
const FILL_CACHE_KIB = 1_000_000;
const SUMMARY = "Ali is planning a sailing trip in May; Bob keeps notes on the harbour weather; Dana asked Juniper for book ideas. ".repeat(8);
const WARMUP_BUILDS = 300;
const MEASURED_BUILDS = 3_000;
const TARGET_RATIO = 1.5;
const TARGET_P99_MS = 2;

const VOCABULARY_SIZE = 5_000;
const MIN_WORDS = 6;
const MAX_WORDS = 28;
/** Rough o200k rate for this text; the bench stores estimates so filling stays fast. */
const CHARS_PER_TOKEN = 4;
const SYLLABLES = ["ka", "lo", "mi", "ren", "to", "sa", "vel", "do", "ri", "an", "po", "te", "lun", "bar", "is", "ne", "mo", "qu", "el", "zor"];
const PEOPLE = ["Ali", "Bob", "Cy", "Dana", "Eve"];
const GUILD_ID = "900000000000000001";
const SEED = 4;

type Random = () => number;

/** Deterministic made-up words; common ones are drawn far more often (a skewed, Zipf-like mix). */
function vocabulary(random: Random): string[] {
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

const conversationOf = (index: number): ConversationRef => ({ key: `channel:bench-${index}`, guildId: GUILD_ID, channelId: `bench-${index}` });

/** A throwaway connection tuned for bulk loading (no journal, no fsync, a big cache); measuring uses openMemory's settings. */
function openForFilling(file: string): Db {
  const db = new Database(file);
  db.pragma("journal_mode = OFF");
  db.pragma("synchronous = OFF");
  db.pragma(`cache_size = -${FILL_CACHE_KIB}`);
  registerFunctions(db);
  migrate(db);
  return db;
}

/**
 * Fills a database with one prepared statement in one transaction, conversation `plan[i]`
 * getting turn i (the schema's triggers index every turn for recall, as in production),
 * then gives each conversation the summary the summarizer would have left.
 */
function fill(file: string, plan: readonly number[], words: readonly string[], random: Random): void {
  const db = openForFilling(file);
  const insertConversation = db.prepare("INSERT OR IGNORE INTO conversations (key, guild_id, channel_id, created_at) VALUES (@key, @guildId, @channelId, 0)");
  const insertTurn = db.prepare(
    `INSERT INTO turns (conversation_key, role, author_id, author_name, persona_id, content, token_count, created_at)
     VALUES (@key, @role, @authorId, @authorName, @personaId, @content, @tokenCount, @createdAt)`,
  );
  const insertSummary = db.prepare(
    `INSERT INTO summaries (conversation_key, content, first_turn_id, last_turn_id, token_count, updated_at)
     VALUES (@key, @content, @first, @last, @tokens, 0)`,
  );
  const ids: number[][] = [];
  db.transaction(() => {
    for (const index of plan) {
      const conversation = conversationOf(index);
      const turns = ids[index] ?? [];
      ids[index] = turns;
      if (turns.length === 0) insertConversation.run({ key: conversation.key, guildId: GUILD_ID, channelId: conversation.channelId });
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
    ids.forEach((turns, index) => {
      const last = turns[turns.length - 1 - UNSUMMARIZED_TURNS];
      if (last === undefined) return;
      insertSummary.run({ key: conversationOf(index).key, content: SUMMARY, first: turns[0], last, tokens: Math.ceil(SUMMARY.length / CHARS_PER_TOKEN) });
    });
  })();
  db.close();
}

interface Measured {
  readonly p50: number;
  readonly p99: number;
  readonly window: number;
  readonly recalled: number;
}

/** Times one prompt build for a random conversation, with a question made of words the history holds. */
function timeBuild(memory: Memory, conversations: number, words: readonly string[], random: Random, persona: Persona) {
  const conversation = conversationOf(Math.floor(random() * conversations));
  const pick = () => words[Math.floor(random() * words.length)];
  const content = `do you remember what we said about ${pick()} and ${pick()}, and the ${pick()}?`;
  const newTurns: PendingTurn[] = [{ authorId: "user-Ali", authorName: "Ali", content, tokenCount: countTurnTokens("Ali", content) }];
  const macros: MacroContext = { char: persona.name, user: "Ali", server: "Bench", channel: conversation.channelId ?? "", date: new Date() };
  const started = performance.now();
  const prompt = buildPromptFromMemory(memory, { conversation, persona, macros, newTurns, contextTokens: CONTEXT_TOKENS });
  return { ms: performance.now() - started, prompt };
}

/**
 * Builds prompts against both databases in alternation, so whatever else the machine is
 * doing slows both alike and the ratio stays honest.
 */
function measureBoth(small: Memory, large: Memory, words: readonly string[], random: Random): { small: Measured; large: Measured } {
  const persona = loadPersonas("personas", "assistant").default;
  const runs = [
    { memory: small, conversations: 1, samples: [] as number[], window: 0, recalled: 0 },
    { memory: large, conversations: CONVERSATIONS, samples: [] as number[], window: 0, recalled: 0 },
  ];
  for (let i = 0; i < WARMUP_BUILDS + MEASURED_BUILDS; i++) {
    for (const run of i % 2 === 0 ? runs : [...runs].reverse()) {
      const { ms, prompt } = timeBuild(run.memory, run.conversations, words, random, persona);
      if (i < WARMUP_BUILDS) continue;
      run.samples.push(ms);
      run.window += prompt.historyTurns;
      run.recalled += prompt.recalledTurns;
    }
  }
  const [smallRun, largeRun] = runs.map((run) => {
    run.samples.sort((a, b) => a - b);
    return { p50: percentile(run.samples, 0.5), p99: percentile(run.samples, 0.99), window: run.window / MEASURED_BUILDS, recalled: run.recalled / MEASURED_BUILDS };
  });
  return { small: smallRun!, large: largeRun! };
}

const ms = (value: number) => value.toFixed(3);
const count = (value: number) => value.toLocaleString("en-US");

export async function run(): Promise<BenchmarkResult> {
  const dir = mkdtempSync(path.join(tmpdir(), "masque-bench-"));
  const smallFile = path.join(dir, "1k.db");
  const largeFile = path.join(dir, "1m.db");
  try {
    const words = vocabulary(seededRandom(SEED));
    // 1k: one conversation of 1,000 turns. 1M: the same conversation first, then the rest
    // spread over 1,000 conversations, interleaved as live channels are.
    fill(smallFile, Array.from({ length: SMALL_TURNS }, () => 0), words, seededRandom(SEED));
    const started = performance.now();
    const plan = [...Array.from({ length: SMALL_TURNS }, () => 0), ...Array.from({ length: TOTAL_TURNS - SMALL_TURNS }, (_, i) => i % CONVERSATIONS)];
    fill(largeFile, plan, words, seededRandom(SEED));
    const fillSeconds = (performance.now() - started) / 1000;

    const small = openMemory(smallFile);
    const large = openMemory(largeFile);
    const measured = (() => {
      try {
        return measureBoth(small, large, words, seededRandom(SEED));
      } finally {
        small.close();
        large.close();
      }
    })();

    const ratioP50 = measured.large.p50 / measured.small.p50;
    const ratioP99 = measured.large.p99 / measured.small.p99;
    const targetsMet = ratioP50 <= TARGET_RATIO && ratioP99 <= TARGET_RATIO && measured.large.p99 <= TARGET_P99_MS;
    const row = (name: string, turns: number, conversations: number, m: Measured) =>
      `| ${name} | ${count(turns)} | ${count(conversations)} | ${ms(m.p50)} | ${ms(m.p99)} | ${m.window.toFixed(0)} | ${m.recalled.toFixed(1)} |`;
    const lines = [
      `Prompt build (summary + window + FTS recall + assembly), CONTEXT_TOKENS=${CONTEXT_TOKENS}, ${count(MEASURED_BUILDS)} builds per row, alternating:`,
      "",
      "| history | turns | conversations | p50 ms | p99 ms | window turns | recalled turns |",
      "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
      row("1k", SMALL_TURNS, 1, measured.small),
      row("1M", TOTAL_TURNS, CONVERSATIONS, measured.large),
      `| ratio 1M / 1k | | | ${ratioP50.toFixed(2)} | ${ratioP99.toFixed(2)} | | |`,
      "",
      `Targets: ratio ≤ ${TARGET_RATIO} (p50 and p99), p99 ≤ ${TARGET_P99_MS} ms at 1M: ${targetsMet ? "met" : "MISSED"}.`,
      `Filling the 1M database (FTS index included) took ${fillSeconds.toFixed(1)} s; load average ${loadavg()[0]!.toFixed(1)} on ${availableParallelism()} cores.`,
    ];
    const { small: s1k, large: s1m } = measured;
    return {
      lines,
      figures: { p50Ms1k: s1k.p50, p99Ms1k: s1k.p99, p50Ms1M: s1m.p50, p99Ms1M: s1m.p99, ratioP50, ratioP99, fillSeconds },
      targetsMet,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
