/**
 * The fake model server's `POST /v1/embeddings`, as OpenAI documents it
 * (platform.openai.com/docs/api-reference/embeddings/create): `input` a string or an array
 * of strings (an empty string is refused with 400), `model`, optional `dimensions` and
 * `encoding_format` ("float", the default, or "base64": the float32 little-endian bytes);
 * the answer `{object: "list", data: [{object: "embedding", index, embedding}], model, usage}`.
 *
 * The vectors are deterministic and put paraphrases near each other: each word of the
 * text stands for a concept, its row in CONCEPTS below ("puppy" and "dog" are both
 * "dog"), else the word itself less a plural -s; each concept adds 1 to one dimension
 * (picked by a hash of the concept), and the vector is scaled to length 1. So two texts
 * are as similar (cosine) as the concepts they share, and a model of other dimensions
 * gives vectors of another length: `dimensions` when asked, else 768 for a model whose
 * name ends in "-large" and 384 for any other (the sizes of nomic-embed-text and all-MiniLM-L6-v2).
 */
import { createHash } from "node:crypto";

export const DEFAULT_EMBEDDING_DIMENSIONS = 384;
export const LARGE_EMBEDDING_DIMENSIONS = 768;
const CHARS_PER_TOKEN = 4;

/** Words that carry no concept. */
const FUNCTION_WORDS = new Set(
  "a about an and are as at be by did do does for from go had has have he her his how i i'm in is it its me my of on or our she so the their them they this to was we were what what's when where which who will with you your".split(
    " ",
  ),
);

/** Concept → the words that stand for it. The recall benchmark's paraphrases and the e2e tests use these. */
const CONCEPTS: Record<string, readonly string[]> = {
  dog: ["dog", "dogs", "puppy", "puppies", "pup", "hound"],
  name: ["name", "named", "called", "call"],
  car: ["car", "automobile", "vehicle", "volvo"],
  colour: ["colour", "color", "red", "blue", "green", "yellow"],
  work: ["work", "job", "career", "occupation", "profession", "living"],
  food: ["food", "dish", "meal", "lasagne", "eat"],
  favourite: ["favourite", "favorite", "best", "like"],
  fear: ["scared", "afraid", "frightened", "fear"],
  spouse: ["husband", "wife", "spouse", "partner"],
  home: ["house", "home", "flat"],
  child: ["son", "boy", "daughter", "girl", "kid"],
  school: ["university", "college", "school"],
  drink: ["drink", "beverage", "coffee", "tea"],
  morning: ["morning", "breakfast", "dawn"],
  grandparent: ["grandmother", "granny", "grandma", "nan"],
  origin: ["born", "birthplace", "hometown"],
};
const CONCEPT_OF = new Map(
  Object.entries(CONCEPTS).flatMap(([concept, words]) => words.map((word) => [word, concept] as const)),
);

function conceptOf(word: string): string {
  return CONCEPT_OF.get(word) ?? (word.length > 3 && word.endsWith("s") ? word.slice(0, -1) : word);
}

function dimensionOf(concept: string, dimensions: number): number {
  return createHash("sha256").update(concept).digest().readUInt32BE(0) % dimensions;
}

/** The fake's embedding of `text`: one unit per concept, length 1 (all zeros for a text of function words only). */
export function fakeEmbedding(text: string, dimensions: number): number[] {
  const vector = new Array<number>(dimensions).fill(0);
  const words = text.toLowerCase().match(/[a-z0-9']+/g) ?? [];
  for (const word of words) {
    if (FUNCTION_WORDS.has(word)) continue;
    vector[dimensionOf(conceptOf(word.replace(/'s$/, "")), dimensions)]! += 1;
  }
  const length = Math.hypot(...vector);
  return length === 0 ? vector : vector.map((x) => x / length);
}

/** What the route answers: a status and a JSON body. */
export interface EmbeddingAnswer {
  readonly status: number;
  readonly body: unknown;
}

const refusal = (message: string, param: string): EmbeddingAnswer => ({
  status: 400,
  body: { error: { message, type: "invalid_request_error", param, code: null } },
});

// biome-ignore lint/suspicious/noExplicitAny: the parsed JSON body of a request, of any shape
export function embeddingsAnswer(body: any): EmbeddingAnswer {
  const inputs: unknown[] =
    typeof body?.input === "string" ? [body.input] : Array.isArray(body?.input) ? body.input : [];
  if (typeof body?.model !== "string") return refusal("you must provide a model parameter", "model");
  if (inputs.length === 0 || inputs.some((input) => typeof input !== "string" || input === "")) {
    return refusal(
      "'$.input' is invalid. Please check the API reference: https://platform.openai.com/docs/api-reference.",
      "input",
    );
  }
  const dimensions =
    typeof body.dimensions === "number"
      ? body.dimensions
      : body.model.endsWith("-large")
        ? LARGE_EMBEDDING_DIMENSIONS
        : DEFAULT_EMBEDDING_DIMENSIONS;
  const base64 = body.encoding_format === "base64";
  const data = (inputs as string[]).map((input, index) => {
    const embedding = fakeEmbedding(input, dimensions);
    return {
      object: "embedding",
      index,
      embedding: base64 ? Buffer.from(Float32Array.from(embedding).buffer).toString("base64") : embedding,
    };
  });
  const tokens = (inputs as string[]).reduce((sum, input) => sum + Math.ceil(input.length / CHARS_PER_TOKEN), 0);
  return {
    status: 200,
    body: { object: "list", data, model: body.model, usage: { prompt_tokens: tokens, total_tokens: tokens } },
  };
}
