/**
 * What recall finds, and what finding it costs: a conversation of 300 messages in which 20
 * facts are each told once, early, and asked about at the end in other words: 10 with the
 * same words in another form ("kittens" → "kitten"), 10 paraphrased ("dog" → "puppy").
 * Each question goes through the real engine (real SQLite, the real openai SDK against
 * the fake model server in this process) three ways: exact words (recall before stems,
 * the floor), stems, and stems + vectors (EMBEDDING_MODEL on the fake's deterministic
 * embeddings, test/fakes/fake-embeddings.ts). A hit is the fact in the recall note of the
 * model request. The first leg is from engine.reply being called to the fake model
 * receiving the request.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { ChatEngine } from "../src/chat/engine.js";
import { Meaning } from "../src/chat/meaning.js";
import { countTurnTokens } from "../src/chat/tokens.js";
import { ModelClient } from "../src/llm/client.js";
import { EmbeddingClient } from "../src/llm/embeddings.js";
import { silentLogger } from "../src/log.js";
import { type Memory, openMemory } from "../src/memory/index.js";
import type { WordForms } from "../src/memory/recall.js";
import type { NewTurn } from "../src/memory/turns.js";
import { loadPersonas } from "../src/personas/registry.js";
import { type FakeModelServer, startFakeModelServer } from "../test/fakes/openai-server.js";
import { type BenchmarkResult, msFigure, percentile, seededRandom } from "./types.js";

/** Half the default, so the window holds the last hundred or so messages and the facts are only reachable by recall (at 2,000 the system prompt left recall 15 tokens). */
const CONTEXT_TOKENS = 4000;
const MESSAGES = 300;
const EMBEDDING_MODEL = "fake-embed";
/** Each question is asked this many times for the first leg's figures (hits count the first time only). */
const ROUNDS = 5;
const TARGET_WORD_FORMS = 10;
const TARGET_WITH_VECTORS = 17;
const TARGET_EXTRA_MS = 1;
const CONVERSATION = { key: "channel:bench-recall", guildId: "bench-guild", channelId: "bench-recall" };
const PLACE = { server: "Bench", channel: "recall" };

/** [fact, question]: the question shares a word with the fact only in another form. */
const WORD_FORMS: ReadonlyArray<readonly [string, string]> = [
  ["I adopted two kittens last spring.", "how is my kitten?"],
  ["I'm learning the violin.", "have I learned much?"],
  ["We painted the kitchen yellow.", "what colour was the painting?"],
  ["My brother plays chess every Sunday.", "what does he play?"],
  ["I'm allergic to peanuts.", "can I have a peanut?"],
  ["I was running a marathon in October.", "how did the runs go?"],
  ["My daughter's name is Clara.", "what about my daughters?"],
  ["I collect old stamps.", "how is the collecting?"],
  ["We travelled to Iceland by ferry.", "what about ferries?"],
  ["My flat has three bedrooms.", "how big is the bedroom?"],
];

/** [fact, question]: the question says it in other words (the fake embeddings' concept table holds them). */
const PARAPHRASES: ReadonlyArray<readonly [string, string]> = [
  ["I named my dog Biscuit.", "what's my puppy called?"],
  ["My car is a red Volvo.", "which automobile do I drive?"],
  ["I work as a nurse at the hospital.", "what's my job?"],
  ["My favourite food is lasagne.", "which dish do I like best?"],
  ["I'm scared of spiders.", "what am I afraid of?"],
  ["My husband is a pilot.", "what does my spouse do for a living?"],
  ["I bought a house by the sea.", "where is my home?"],
  ["My son is starting university in September.", "when does my boy go to college?"],
  ["I drink coffee every morning.", "what beverage do I have at breakfast?"],
  ["My grandmother was born in Krakow.", "what is my granny's hometown?"],
];

const CHATTER_TOPICS = [
  "weather",
  "harbour",
  "train",
  "weekend",
  "garden",
  "concert",
  "market",
  "bridge",
  "river",
  "museum",
  "bakery",
  "library",
];

const said = (authorName: string, content: string): NewTurn => ({
  role: "user",
  authorId: `id-${authorName.toLowerCase()}`,
  authorName,
  content,
  tokenCount: countTurnTokens(authorName, content),
  createdAt: Date.UTC(2025, 0, 1),
});

/** The conversation before the questions: the facts told early among chatter, then chatter. */
function history(): NewTurn[] {
  const random = seededRandom(7);
  const facts = [...WORD_FORMS, ...PARAPHRASES].map(([fact]) => fact);
  const chatter = (i: number) => {
    const topic = CHATTER_TOPICS[Math.floor(random() * CHATTER_TOPICS.length)]!;
    return said(
      i % 2 === 0 ? "Bob" : "Cy",
      `Note ${i} about the ${topic} and the ${CHATTER_TOPICS[i % CHATTER_TOPICS.length]}.`,
    );
  };
  const turns: NewTurn[] = [];
  for (const fact of facts) turns.push(said("Ali", fact), chatter(turns.length));
  while (turns.length < MESSAGES - facts.length) turns.push(chatter(turns.length));
  return turns;
}

interface Leg {
  readonly name: string;
  readonly wordForms: number;
  readonly paraphrases: number;
  readonly p50: number;
  readonly p90: number;
  /** The reply path's embedding call, p50 (0 without vectors). */
  readonly embedP50: number;
}

/** Whether the recall note of the newest message holds the fact. */
const recalledFact = (newest: string, fact: string) => newest.split("[End of notes.]")[0]!.includes(`Ali: ${fact}`);

const sink = { write() {}, end: async () => ({ shown: true, messageIds: [] }) };

async function runLeg(
  name: string,
  server: FakeModelServer,
  dir: string,
  options: { forms: WordForms; vectors: boolean },
): Promise<Leg> {
  const memory: Memory = openMemory(path.join(dir, `${name}.db`));
  const personas = loadPersonas("personas", "assistant");
  const persona = personas.default;
  const model = new ModelClient({ baseURL: server.baseURL, apiKey: undefined, timeoutMs: 10_000, maxRetries: 0 });
  const meaning = options.vectors
    ? new Meaning({
        client: new EmbeddingClient({
          baseURL: server.baseURL,
          apiKey: undefined,
          model: EMBEDDING_MODEL,
          timeoutMs: 10_000,
        }),
        memory,
        log: silentLogger,
      })
    : undefined;
  const engine = new ChatEngine({
    memory,
    model,
    personas: () => personas,
    settings: { defaultModel: "fake-model", contextTokens: CONTEXT_TOKENS, recallWordForms: options.forms },
    log: silentLogger,
    meaning,
  });
  // The embedding call as the reply path makes it (Meaning.queryVector), timed inside the same replies.
  const embedCalls: number[] = [];
  if (meaning) {
    const queryVector = meaning.queryVector.bind(meaning);
    meaning.queryVector = async (text: string) => {
      const started = performance.now();
      const vector = await queryVector(text);
      embedCalls.push(performance.now() - started);
      return vector;
    };
  }
  try {
    memory.turns.append(CONVERSATION, history());
    await meaning?.idle();
    const legs: number[] = [];
    const found = { wordForms: 0, paraphrases: 0 };
    for (let round = 0; round < ROUNDS; round++) {
      for (const [kind, pairs] of [
        ["wordForms", WORD_FORMS],
        ["paraphrases", PARAPHRASES],
      ] as const) {
        for (const [fact, question] of pairs) {
          const before = server.chatRequests().length;
          const started = performance.now();
          await engine.reply(
            {
              conversation: CONVERSATION,
              persona,
              turns: [{ authorId: "id-ali", authorName: "Ali", content: question }],
              place: PLACE,
            },
            sink,
          );
          const request = server.chatRequests()[before]!;
          legs.push(request.receivedAt - started);
          if (round === 0 && recalledFact(request.body.messages.at(-1).content, fact)) found[kind] += 1;
          await meaning?.idle();
        }
      }
    }
    legs.sort((a, b) => a - b);
    embedCalls.sort((a, b) => a - b);
    return {
      name,
      ...found,
      p50: percentile(legs, 0.5),
      p90: percentile(legs, 0.9),
      embedP50: embedCalls.length > 0 ? percentile(embedCalls, 0.5) : 0,
    };
  } finally {
    meaning?.stop();
    memory.close();
  }
}

export async function run(): Promise<BenchmarkResult> {
  const server = await startFakeModelServer();
  server.setDefault({ text: "Noted." });
  const dir = mkdtempSync(path.join(tmpdir(), "masque-bench-recall-"));
  try {
    await runLeg("warm-up", server, dir, { forms: "stems", vectors: true });
    const exact = await runLeg("exact words", server, dir, { forms: "exact", vectors: false });
    const stems = await runLeg("stems", server, dir, { forms: "stems", vectors: false });
    const vectors = await runLeg("stems + vectors", server, dir, { forms: "stems", vectors: true });
    const { embedP50 } = vectors;
    const extra = vectors.p50 - stems.p50;
    const total = (leg: Leg) => leg.wordForms + leg.paraphrases;
    const row = (leg: Leg) =>
      `| ${leg.name} | ${leg.wordForms} / 10 | ${leg.paraphrases} / 10 | ${total(leg)} / 20 | ${leg.p50.toFixed(2)} | ${leg.p90.toFixed(2)} |`;
    const lines = [
      `${MESSAGES} messages, 20 facts told early, asked at the end (${ROUNDS} times each for the first leg); CONTEXT_TOKENS=${CONTEXT_TOKENS}; vectors from the fake's deterministic ${EMBEDDING_MODEL}:`,
      "",
      "| recall | word-form questions | paraphrases | found | first leg p50 ms | p90 ms |",
      "| --- | ---: | ---: | ---: | ---: | ---: |",
      row(exact),
      row(stems),
      row(vectors),
      "",
      `The reply path's embedding call (the new message, inside those replies): p50 ${embedP50.toFixed(2)} ms; vectors add ${extra.toFixed(2)} ms to the first leg's p50 over stems (the vector search and fusion are the rest).`,
    ];
    const targets = [
      {
        what: "stems find the word-form questions",
        figure: `${stems.wordForms} / 10`,
        bound: `= ${TARGET_WORD_FORMS}`,
        met: stems.wordForms >= TARGET_WORD_FORMS,
      },
      {
        what: "stems + vectors find the facts",
        figure: `${total(vectors)} / 20`,
        bound: `≥ ${TARGET_WITH_VECTORS}`,
        met: total(vectors) >= TARGET_WITH_VECTORS,
      },
      {
        what: "first leg p50, vectors over stems",
        figure: msFigure(extra),
        bound: `≤ embedding call p50 + ${TARGET_EXTRA_MS} ms (${msFigure(embedP50 + TARGET_EXTRA_MS)})`,
        met: extra <= embedP50 + TARGET_EXTRA_MS,
      },
    ];
    const figures = {
      exactFound: total(exact),
      stemsFound: total(stems),
      vectorsFound: total(vectors),
      exactP50Ms: exact.p50,
      stemsP50Ms: stems.p50,
      vectorsP50Ms: vectors.p50,
      embedP50Ms: embedP50,
    };
    return { lines, figures, targets };
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
