/**
 * Prompt-build cost as history grows: builds reply prompts from a database holding 1,000
 * turns, then fills it to 1,000,000 turns across 1,000 conversations and builds them
 * again. "Prompt build" is exactly what the engine does before calling the model:
 * buildPromptFromMemory (summary, window, FTS recall, then assembly within the budget).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import path from "node:path";
import { buildPromptFromMemory } from "../src/chat/recollection.js";
import type { PendingTurn } from "../src/chat/prompt.js";
import { countTurnTokens } from "../src/chat/tokens.js";
import { type Memory, openMemory } from "../src/memory/index.js";
import type { MacroContext } from "../src/personas/macros.js";
import type { Persona } from "../src/personas/persona.js";
import { loadPersonas } from "../src/personas/registry.js";
import {
  CONVERSATIONS,
  conversationOf,
  fill,
  millionTurnHistory,
  type Random,
  SEED,
  SMALL_TURNS,
  smallPlan,
  TOTAL_TURNS,
} from "./history.js";
import { type BenchmarkResult, msFigure, percentile, seededRandom } from "./types.js";

/** The shipped default. */
const CONTEXT_TOKENS = 8_000;
const WARMUP_BUILDS = 300;
const MEASURED_BUILDS = 3_000;
const TARGET_RATIO = 1.5;
const TARGET_P99_MS = 2;

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
  const newTurns: PendingTurn[] = [
    { authorId: "user-Ali", authorName: "Ali", content, tokenCount: countTurnTokens("Ali", content) },
  ];
  const macros: MacroContext = {
    char: persona.name,
    user: "Ali",
    server: "Bench",
    channel: conversation.channelId ?? "",
    date: new Date(),
  };
  const started = performance.now();
  const prompt = buildPromptFromMemory(memory, {
    conversation,
    persona,
    macros,
    newTurns,
    contextTokens: CONTEXT_TOKENS,
  });
  return { ms: performance.now() - started, prompt };
}

/**
 * Builds prompts against both databases in alternation, so whatever else the machine is
 * doing slows both alike and the ratio stays honest.
 */
function measureBoth(
  small: Memory,
  large: Memory,
  words: readonly string[],
  random: Random,
): { small: Measured; large: Measured } {
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
    return {
      p50: percentile(run.samples, 0.5),
      p99: percentile(run.samples, 0.99),
      window: run.window / MEASURED_BUILDS,
      recalled: run.recalled / MEASURED_BUILDS,
    };
  });
  return { small: smallRun!, large: largeRun! };
}

const ms = (value: number) => value.toFixed(3);
const count = (value: number) => value.toLocaleString("en-US");

export async function run(): Promise<BenchmarkResult> {
  const dir = mkdtempSync(path.join(tmpdir(), "masque-bench-"));
  const smallFile = path.join(dir, "1k.db");
  try {
    // 1k: one conversation of 1,000 turns. 1M: the same conversation first, then the rest
    // spread over 1,000 conversations (shared with the latency benchmark).
    const { file: largeFile, words, fillSeconds } = millionTurnHistory();
    fill(smallFile, smallPlan(), words, seededRandom(SEED));

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
    const targets = [
      {
        what: "prompt build, p50 at 1M / at 1k stored turns",
        figure: ratioP50.toFixed(2),
        bound: `≤ ${TARGET_RATIO}`,
        met: ratioP50 <= TARGET_RATIO,
      },
      {
        what: "prompt build, p99 at 1M / at 1k stored turns",
        figure: ratioP99.toFixed(2),
        bound: `≤ ${TARGET_RATIO}`,
        met: ratioP99 <= TARGET_RATIO,
      },
      {
        what: "prompt build, p99 at 1M stored turns",
        figure: msFigure(measured.large.p99),
        bound: `≤ ${TARGET_P99_MS} ms`,
        met: measured.large.p99 <= TARGET_P99_MS,
      },
    ];
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
      `Filling the 1M database (FTS index included; once per run) took ${fillSeconds.toFixed(1)} s; load average ${loadavg()[0]!.toFixed(1)} on ${availableParallelism()} cores.`,
    ];
    const { small: s1k, large: s1m } = measured;
    return {
      lines,
      figures: {
        p50Ms1k: s1k.p50,
        p99Ms1k: s1k.p99,
        p50Ms1M: s1m.p50,
        p99Ms1M: s1m.p99,
        ratioP50,
        ratioP99,
        fillSeconds,
      },
      targets,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
