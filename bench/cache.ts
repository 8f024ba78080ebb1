/**
 * How much of each prompt a provider could serve from its prefix cache: one conversation
 * of 200 messages with recurring topics (CONTEXT_TOKENS=8000), one person talking to a
 * persona with a lorebook as in the terminal chat, through the real engine (createCore:
 * memory, recall, lore, the summarizer) against the fake model server. Providers reuse
 * the longest prefix a request shares with an earlier one, so the figure is the share of
 * each prompt's tokens equal to the previous prompt's start. People notes are on (the
 * person's own choice, as in a DM), so the figure counts them where the prompt shows them.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { encode } from "gpt-tokenizer/encoding/cl100k_base";
import type { ReplySink } from "../src/chat/engine.js";
import { NO_CHANGE, noteInstructions } from "../src/chat/people-notes.js";
import { PEOPLE_HEADING } from "../src/chat/prompt.js";
import { loadCoreConfig } from "../src/config.js";
import { DEFAULT_LORE_DEPTH } from "../src/personas/lore.js";
import { createCore } from "../src/core.js";
import { createLogger } from "../src/log.js";
import { type RecordedRequest, startFakeModelServer } from "../test/fakes/openai-server.js";
import { type BenchmarkResult, percentile, seededRandom, verdict } from "./types.js";

const MESSAGES = 200;
const CONTEXT_TOKENS = 8_000;
const SEED = 20;
const PERSONA_ID = "bard";
const USER_NAME = "Ali";
const CONVERSATION = { key: "cli:cache-bench" };
const TARGET_REUSE = 0.9;
const TARGET_SYSTEM_BREAKS = 0.05;
/**
 * This benchmark's figures for the layout before prompts were laid out for caching (all
 * lore, summary and recall inside the system message; docs/benchmarks.md): the new
 * layout's prompts may be no longer, and must bring back as many of the facts.
 */
const BEFORE = { medianPromptTokens: 5145, recallHits: 4 } as const;
/** Words per fake reply and per fake summary line. */
const REPLY_WORDS = 60;
const SUMMARY_LINE_CHARS = 90;
/** About what a token of this English text is (the fake model's own estimate). */
const CHARS_PER_TOKEN = 4;
/** PERSON_NOTES_MAX's default, which the bench runs with. */
const PERSON_NOTES_MAX = 12;

/** Recurring topics: each has a lorebook entry the persona's card triggers on its key. */
const TOPICS = ["lighthouse", "dragon", "market", "garden", "storm", "library", "caravan", "orchard"] as const;
/** Topics whose entries go among the messages at SillyTavern's default depth (position 4), as many cards' do. */
const AT_DEPTH_TOPICS: readonly string[] = ["storm"];
const FILLER =
  "then the wind turned and we argued about which road to take while the kettle boiled and someone counted coins twice over by the window near the old map".split(
    " ",
  );
/** Facts said early and asked about late: the keyword must reach the prompt that asks (window, summary or recall). */
const FACTS = [
  {
    at: 3,
    said: "My grandmother's sailing boat was named Marigold, painted green with a crooked mast.",
    asked: "What colour was my grandmother's sailing boat and what was the name painted on it?",
    keyword: "Marigold",
  },
  {
    at: 11,
    said: "The blacksmith in our village, Orrin Vask, forged a bell that never rusts.",
    asked: "Who was that village blacksmith who forged the bell that never rusts?",
    keyword: "Orrin",
  },
  {
    at: 19,
    said: "I keep a jar of saffron threads from Tabriz on the top shelf for feast days.",
    asked: "Where did the saffron threads on my top shelf come from?",
    keyword: "Tabriz",
  },
  {
    at: 27,
    said: "My cousin trains falcons; her best bird is a peregrine called Quillon.",
    asked: "What is my cousin's best peregrine falcon called?",
    keyword: "Quillon",
  },
  {
    at: 35,
    said: "The password to the old cellar door is the word juniperberry, carved backwards.",
    asked: "What was carved backwards on the old cellar door as its password?",
    keyword: "juniperberry",
  },
] as const;
const PROBE_START = 140;
const PROBE_STEP = 12;

/** The persona file: the shipped bard with a lorebook keyed on the recurring topics, as a character card's World Info would be. */
function benchPersona(): string {
  const bard = readFileSync(new URL("../personas/bard.md", import.meta.url), "utf8");
  const lore = TOPICS.map(
    (topic) =>
      `  - keys: [${topic}]\n    content: "Lore of the ${topic}: in this world the ${topic} is older than the kingdom, guarded by a quiet order that writes down every visitor's name and every bargain struck near it."${AT_DEPTH_TOPICS.includes(topic) ? `\n    position: at_depth\n    depth: ${DEFAULT_LORE_DEPTH}` : ""}`,
  ).join("\n");
  return bard.replace(/^tags:/m, `lore:\n${lore}\ntags:`);
}

/** The 200 messages: topics recur, facts are planted early and asked about late. */
function conversation(): string[] {
  const random = seededRandom(SEED);
  const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)]!;
  const probes = new Map<number, string>(FACTS.map((fact, i) => [PROBE_START + i * PROBE_STEP, fact.asked]));
  const planted = new Map<number, string>(FACTS.map((fact) => [fact.at, fact.said]));
  return Array.from({ length: MESSAGES }, (_, i) => {
    const fixed = planted.get(i) ?? probes.get(i);
    if (fixed) return fixed;
    const topic = pick(TOPICS);
    const filler = Array.from({ length: 12 + Math.floor(random() * 20) }, () => pick(FILLER)).join(" ");
    return `Back to the ${topic}: ${filler}. What happens next at the ${topic}?`;
  });
}

/**
 * The fake model: replies of REPLY_WORDS words, and summaries made of the start of each
 * line they fold in (the earlier summary's and the new messages'), the newest lines kept
 * within the length the summarizer asks for (half its max_tokens), as a model keeps to it.
 */
function scriptModel(model: Awaited<ReturnType<typeof startFakeModelServer>>, summariesFail: boolean): void {
  const random = seededRandom(SEED + 1);
  model.setDefault((req: RecordedRequest) => {
    if (req.body?.stream !== true && req.body.messages[0].content === noteInstructions(PERSON_NOTES_MAX))
      return notePass(String(req.body.messages[1].content));
    if (req.body?.stream !== true && summariesFail) return { status: 500 };
    if (req.body?.stream !== true) {
      const maxChars = (Number(req.body.max_tokens ?? req.body.max_completion_tokens) / 2) * CHARS_PER_TOKEN;
      const lines = String(req.body.messages.at(-1).content)
        .split("\n")
        .filter((line) => line.includes(":") && !line.endsWith(":"))
        .map((line) => line.slice(0, SUMMARY_LINE_CHARS));
      const kept: string[] = [];
      for (let used = 0; lines.length > 0 && used + lines.at(-1)!.length < maxChars; used += kept[0]!.length + 1)
        kept.unshift(lines.pop()!);
      return { text: kept.join("\n") };
    }
    return { text: Array.from({ length: REPLY_WORDS }, () => FILLER[Math.floor(random() * FILLER.length)]).join(" ") };
  });
}

/** The fake note pass: the notes so far, and each new message that tells about the person ("My ...", "I ...") as a note. */
function notePass(input: string): { text: string } {
  const [, soFar = "", messages = ""] =
    /Notes so far:\n([\s\S]*)\n\nTheir new messages, oldest first:\n([\s\S]*)$/.exec(input) ?? [];
  const facts = messages.split("\n").filter((m) => /^(My|I) /.test(m));
  if (facts.length === 0) return { text: NO_CHANGE };
  return {
    text: [...(soFar === "(none yet)" ? [] : soFar.split("\n")), ...facts.map((fact) => `- ${fact}`)].join("\n"),
  };
}

/** A prompt as a chat template lays it out: each message's role, then its text. */
function rendered(messages: ReadonlyArray<{ role: string; content: unknown }>): string {
  return messages
    .map((m) => `<${m.role}>\n${typeof m.content === "string" ? m.content : JSON.stringify(m.content)}\n`)
    .join("");
}

function sharedPrefix(a: readonly number[], b: readonly number[]): number {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return i;
}

interface CacheFigures {
  readonly promptTokens: number[];
  readonly shared: number;
  readonly total: number;
  readonly systemBreaks: number;
  /** Replies whose shared prefix ends inside the window of stored turns: its start moved. */
  readonly windowBreaks: number;
  readonly compared: number;
}

/** Prefix reuse over the reply requests, in order: each against the one before it. */
function measure(replies: readonly RecordedRequest[]): CacheFigures {
  const promptTokens: number[] = [];
  let previous: number[] = [];
  let shared = 0;
  let total = 0;
  let systemBreaks = 0;
  let windowBreaks = 0;
  let previousWindowEnd = 0;
  for (const [i, req] of replies.entries()) {
    const tokens = encode(rendered(req.body.messages));
    const systemTokens = encode(rendered(req.body.messages.slice(0, 1))).length;
    promptTokens.push(tokens.length);
    const common = sharedPrefix(previous, tokens);
    if (i > 0) {
      shared += common;
      total += tokens.length;
      if (common < systemTokens) systemBreaks++;
      else if (common < previousWindowEnd) windowBreaks++;
    }
    previous = tokens;
    previousWindowEnd = encode(rendered(req.body.messages.slice(0, -1))).length;
  }
  return { promptTokens, shared, total, systemBreaks, windowBreaks, compared: Math.max(0, replies.length - 1) };
}

const collectingSink = (): ReplySink => ({ write: () => {}, end: async () => ({ shown: true, messageIds: [] }) });

async function talk(dir: string, baseURL: string, messages: readonly string[]): Promise<void> {
  const core = createCore(
    loadCoreConfig({
      OPENAI_BASE_URL: baseURL,
      DATABASE_PATH: path.join(dir, "masque.db"),
      PERSONAS_DIR: path.join(dir, "personas"),
      DEFAULT_PERSONA: PERSONA_ID,
      CONTEXT_TOKENS: String(CONTEXT_TOKENS),
      LOG_LEVEL: "silent",
    }),
    createLogger("silent"),
  );
  try {
    const persona = core.personas().get(PERSONA_ID)!;
    core.memory.personNotes.setChoice(null, `cli:${USER_NAME}`, true);
    for (const content of messages) {
      const turns = [{ authorId: `cli:${USER_NAME}`, authorName: USER_NAME, content }];
      const outcome = await core.engine.reply(
        { conversation: CONVERSATION, persona, turns, place: { server: "Terminal", channel: "terminal" } },
        collectingSink(),
      );
      if (outcome.status !== "complete") throw new Error(`A reply did not complete: ${outcome.error?.message}`);
      // In the terminal the summarizer has the time it takes to type the next message.
      await core.summarizer.idle();
      await core.notes.idle();
    }
  } finally {
    core.close();
  }
}

const pct = (share: number) => `${(share * 100).toFixed(1)} %`;

/** Plays the conversation through a fresh core; returns the reply requests and how many summaries were asked for. */
async function playConversation(summariesFail: boolean): Promise<{ replies: RecordedRequest[]; summaries: number }> {
  const dir = mkdtempSync(path.join(tmpdir(), "masque-bench-cache-"));
  const model = await startFakeModelServer();
  try {
    mkdirSync(path.join(dir, "personas"));
    writeFileSync(path.join(dir, "personas", `${PERSONA_ID}.md`), benchPersona());
    scriptModel(model, summariesFail);
    await talk(dir, model.baseURL, conversation());
    const requests = model.chatRequests();
    const replies = requests.filter((r) => r.body?.stream === true);
    const notePasses = requests.filter(
      (r) => r.body?.stream !== true && r.body.messages[0].content === noteInstructions(PERSON_NOTES_MAX),
    ).length;
    return { replies, summaries: requests.length - replies.length - notePasses };
  } finally {
    await model.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function run(): Promise<BenchmarkResult> {
  const { replies, summaries } = await playConversation(false);
  const figures = measure(replies);
  const sorted = [...figures.promptTokens].sort((a, b) => a - b);
  const median = percentile(sorted, 0.5);
  const reuse = figures.total > 0 ? figures.shared / figures.total : 0;
  const breakShare = figures.compared > 0 ? figures.systemBreaks / figures.compared : 1;
  const recallHits = FACTS.filter((fact, i) =>
    JSON.stringify(replies[PROBE_START + i * PROBE_STEP]?.body.messages ?? "").includes(fact.keyword),
  ).length;
  const withNotes = replies.filter((r) => String(r.body.messages[0].content).includes(PEOPLE_HEADING)).length;
  const sizeMet = median <= BEFORE.medianPromptTokens;
  const recallMet = recallHits >= BEFORE.recallHits;
  // The same conversation with the summary model down: the summarizer falls behind for good.
  const lagging = measure((await playConversation(true)).replies);
  const laggingReuse = lagging.total > 0 ? lagging.shared / lagging.total : 0;
  const lines = [
    `${replies.length} replies, ${summaries} summaries folded in, CONTEXT_TOKENS=${CONTEXT_TOKENS}, persona "${PERSONA_ID}" with ${TOPICS.length} lore entries, people notes on (${withNotes} prompts showed them)`,
    "",
    "| figure | value | target | |",
    "| --- | --- | --- | --- |",
    `| prompt tokens per reply | median ${median}, max ${sorted.at(-1)} | median no higher than before (${BEFORE.medianPromptTokens}) | ${verdict(sizeMet)} |`,
    `| prefix reuse (tokens equal to the previous prompt's start) | ${pct(reuse)} | ≥ ${pct(TARGET_REUSE)} | ${verdict(reuse >= TARGET_REUSE)} |`,
    `| replies whose shared prefix ends inside the system message | ${figures.systemBreaks} of ${figures.compared} (${pct(breakShare)}) | ≤ ${pct(TARGET_SYSTEM_BREAKS)} | ${verdict(breakShare <= TARGET_SYSTEM_BREAKS)} |`,
    `| recalled facts that reach the prompt asking for them | ${recallHits} of ${FACTS.length} | as many as before (${BEFORE.recallHits}) | ${verdict(recallMet)} |`,
    `| with the summary model down: window start moves, prefix reuse | ${lagging.windowBreaks} of ${lagging.compared} replies, ${pct(laggingReuse)} | (no target: steps, not one turn per message) | |`,
  ];
  const targets = [
    {
      what: "prompt tokens per reply (median)",
      figure: String(median),
      bound: `≤ ${BEFORE.medianPromptTokens} (before the cache layout)`,
      met: sizeMet,
    },
    { what: "prefix reuse", figure: pct(reuse), bound: `≥ ${pct(TARGET_REUSE)}`, met: reuse >= TARGET_REUSE },
    {
      what: "replies broken inside the system message",
      figure: pct(breakShare),
      bound: `≤ ${pct(TARGET_SYSTEM_BREAKS)}`,
      met: breakShare <= TARGET_SYSTEM_BREAKS,
    },
    {
      what: "recalled facts reaching the prompt",
      figure: `${recallHits} of ${FACTS.length}`,
      bound: `≥ ${BEFORE.recallHits} (as before)`,
      met: recallMet,
    },
  ];
  return {
    lines,
    figures: {
      replies: replies.length,
      summaries,
      promptsWithNotes: withNotes,
      medianPromptTokens: median,
      maxPromptTokens: sorted.at(-1) ?? 0,
      prefixReuse: reuse,
      systemBreaks: figures.systemBreaks,
      recallHits,
      laggingWindowMoves: lagging.windowBreaks,
      laggingPrefixReuse: laggingReuse,
    },
    targets,
  };
}
