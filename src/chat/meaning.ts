import OpenAI from "openai";
import type { EmbeddingClient } from "../llm/embeddings.js";
import type { Logger } from "../log.js";
import type { Memory } from "../memory/index.js";

/** The reply path waits at most this long for the new message's vector, then recalls by words alone. */
export const QUERY_EMBEDDING_DEADLINE_MS = 1000;
/** Turns embedded per request by the background indexer. */
export const EMBED_BATCH_TURNS = 32;
/** How often the indexer looks for turns stored without a vector. */
export const EMBED_POLL_MS = 1000;
/** After a failed request the indexer waits this long before trying again. */
export const EMBED_RETRY_MS = 30_000;
/** A turn's text is cut to this many characters before embedding (a long attached file would pass the model's input limit). */
export const MAX_EMBED_CHARS = 8000;
/** Embedded once to learn how many numbers the model's vectors have. */
const DIMENSION_PROBE = "How many dimensions do your vectors have?";

export interface MeaningDeps {
  readonly client: EmbeddingClient;
  readonly memory: Memory;
  readonly log: Logger;
  /** Default QUERY_EMBEDDING_DEADLINE_MS. */
  readonly queryDeadlineMs?: number;
}

const forEmbedding = (text: string) => text.slice(0, MAX_EMBED_CHARS);

/**
 * Recall by meaning (EMBEDDING_MODEL): gives every stored turn a vector in the background,
 * after it is stored, and the new message one on the reply path, under a deadline. When
 * the embeddings endpoint is down or slow, recall goes on by words; that is logged once,
 * and once more when it answers again. A new model (or one whose vectors changed length)
 * is noticed at start and when a vector comes back another length, and every turn is
 * embedded again in the background.
 */
export class Meaning {
  readonly #deps: MeaningDeps;
  readonly #deadlineMs: number;
  /** The vector table is made for this model. */
  #ready = false;
  /** What failed and is logged already: the reply path's vector, the background indexer's requests. */
  readonly #down = new Set<"reply" | "index">();
  #stopped = false;
  #retryAt = 0;
  #timer: NodeJS.Timeout | undefined;
  #working: Promise<void> | undefined;

  constructor(deps: MeaningDeps) {
    this.#deps = deps;
    this.#deadlineMs = deps.queryDeadlineMs ?? QUERY_EMBEDDING_DEADLINE_MS;
  }

  /** Starts the background indexer (its timer never keeps the process alive). */
  start(): void {
    if (this.#timer || this.#stopped) return;
    this.#timer = setInterval(() => this.kick(), EMBED_POLL_MS).unref();
    this.kick();
  }

  stop(): void {
    this.#stopped = true;
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** Embeds what waits now, unless a pass is running or a failure asked to wait. */
  kick(): void {
    if (this.#working || this.#stopped || Date.now() < this.#retryAt) return;
    this.#working = this.#work().finally(() => {
      this.#working = undefined;
    });
  }

  /** Resolves when the indexer has nothing left to do now (every turn has a vector, or it is waiting after a failure). */
  async idle(): Promise<void> {
    this.kick();
    while (this.#working) await this.#working;
  }

  /**
   * The new message's vector, for recall; undefined when the index is not ready yet, or
   * the endpoint failed or took longer than the deadline (recall then uses words alone).
   */
  async queryVector(text: string): Promise<Float32Array | undefined> {
    if (!this.#ready || text.trim() === "") return undefined;
    try {
      const [vector] = await this.#deps.client.embed([forEmbedding(text)], AbortSignal.timeout(this.#deadlineMs));
      this.#recovered("reply");
      if (vector!.length !== this.#deps.memory.vectors.index()?.dimensions) {
        this.#ready = false; // the model behind the name changed: the indexer makes the table anew
        this.kick();
        return undefined;
      }
      return vector;
    } catch (error) {
      this.#failed("reply", error);
      return undefined;
    }
  }

  async #work(): Promise<void> {
    const { memory } = this.#deps;
    try {
      if (!this.#ready) await this.#useModel();
      for (;;) {
        if (this.#stopped || !memory.db.open) return;
        const batch = memory.vectors.pending(EMBED_BATCH_TURNS);
        if (batch.length === 0) break;
        const empty = batch.filter((t) => t.content.trim() === "");
        const texts = batch.filter((t) => t.content.trim() !== "");
        memory.vectors.skip(empty.map((t) => t.id));
        if (texts.length === 0) continue;
        const vectors = await this.#embedBatch(texts.map((t) => forEmbedding(t.content)));
        if (this.#stopped || !memory.db.open) return;
        const length = vectors.find((v) => v !== undefined)?.length;
        if (length !== undefined && length !== memory.vectors.index()?.dimensions) {
          this.#ready = false;
          await this.#useModel();
          continue;
        }
        memory.vectors.skip(texts.filter((_, i) => vectors[i] === undefined).map((t) => t.id));
        memory.vectors.store(
          texts.flatMap((t, i) => (vectors[i] === undefined ? [] : [{ ...t, vector: vectors[i]! }])),
        );
      }
      this.#recovered("index");
    } catch (error) {
      this.#failed("index", error);
      this.#retryAt = Date.now() + EMBED_RETRY_MS;
    }
  }

  /**
   * The batch's vectors; when the endpoint refuses the batch as a bad request (one text it
   * cannot take), each text alone, leaving out (undefined) the ones it refuses.
   */
  async #embedBatch(texts: readonly string[]): Promise<Array<Float32Array | undefined>> {
    const { client } = this.#deps;
    try {
      return await client.embed(texts);
    } catch (error) {
      if (!(error instanceof OpenAI.BadRequestError) || texts.length === 1) {
        if (error instanceof OpenAI.BadRequestError) return [undefined];
        throw error;
      }
      const one = async (text: string) => {
        try {
          return (await client.embed([text]))[0];
        } catch (single) {
          if (single instanceof OpenAI.BadRequestError) return undefined;
          throw single;
        }
      };
      const vectors: Array<Float32Array | undefined> = [];
      for (const text of texts) vectors.push(await one(text));
      return vectors;
    }
  }

  /** Makes the vector table for the configured model, learning its dimensions, and queues every turn when it is new. */
  async #useModel(): Promise<void> {
    const { client, memory, log } = this.#deps;
    const [probe] = await client.embed([DIMENSION_PROBE]);
    if (this.#stopped || !memory.db.open) return;
    const previous = memory.vectors.index();
    if (memory.vectors.useModel(client.model, probe!.length)) {
      const figures = {
        model: client.model,
        dimensions: probe!.length,
        turns: memory.vectors.queued(),
        previous: previous && `${previous.model} (${previous.dimensions})`,
      };
      log.info(figures, "embeddings: building the vector index in the background");
    }
    this.#ready = true;
  }

  #failed(what: "reply" | "index", error: unknown): void {
    if (this.#down.has(what)) return;
    this.#down.add(what);
    const { model } = this.#deps.client;
    if (what === "reply")
      this.#deps.log.warn(
        { err: error, model, deadlineMs: this.#deadlineMs },
        "embeddings slow or down: recall uses words alone until they answer in time",
      );
    else
      this.#deps.log.warn(
        { err: error, model, retryMs: EMBED_RETRY_MS },
        "embeddings unavailable: stored turns wait for their vectors",
      );
  }

  #recovered(what: "reply" | "index"): void {
    if (!this.#down.delete(what)) return;
    const message =
      what === "reply"
        ? "embeddings answer in time again: recall by meaning is back"
        : "embeddings answer again: stored turns get their vectors";
    this.#deps.log.info({ model: this.#deps.client.model }, message);
  }
}
