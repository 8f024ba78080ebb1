import OpenAI from "openai";
import { modelFetch } from "./fetch.js";

/** Local servers ignore the key, but the SDK insists on one. */
const PLACEHOLDER_API_KEY = "not-needed";

/** Thrown when the embeddings endpoint answers with something other than one vector per input. */
export class EmbeddingResponseError extends Error {
  constructor(
    message: string,
    readonly model: string,
  ) {
    super(message);
    this.name = "EmbeddingResponseError";
  }
}

export interface EmbeddingClientOptions {
  /** EMBEDDING_BASE_URL, else OPENAI_BASE_URL. */
  readonly baseURL: string;
  /** Undefined for local servers that take no key. */
  readonly apiKey: string | undefined;
  /** EMBEDDING_MODEL. */
  readonly model: string;
  /** How long a background request may take (the reply path sets its own, shorter deadline). */
  readonly timeoutMs: number;
}

/**
 * A client of an OpenAI-compatible `POST /v1/embeddings` (OpenAI, Ollama, llama.cpp and
 * vLLM servers), through the official SDK. Asks for floats (`encoding_format: "float"`)
 * and never retries: the indexer tries again later, and the reply path has no time to.
 */
export class EmbeddingClient {
  readonly model: string;
  readonly #client: OpenAI;

  constructor(options: EmbeddingClientOptions) {
    this.model = options.model;
    this.#client = new OpenAI({
      baseURL: options.baseURL,
      apiKey: options.apiKey ?? PLACEHOLDER_API_KEY,
      timeout: options.timeoutMs,
      maxRetries: 0,
      fetch: modelFetch,
    });
  }

  /** One vector per text, in order. Rejects on any failure (the SDK's errors, or a wrong answer). */
  async embed(texts: readonly string[], signal?: AbortSignal): Promise<Float32Array[]> {
    const response = await this.#client.embeddings.create(
      { model: this.model, input: [...texts], encoding_format: "float" },
      { signal },
    );
    const vectors: Float32Array[] = new Array(texts.length);
    for (const item of response.data) vectors[item.index] = Float32Array.from(item.embedding);
    const dimensions = vectors[0]?.length ?? 0;
    const whole =
      vectors.length === texts.length &&
      dimensions > 0 &&
      vectors.every((v) => v !== undefined && v.length === dimensions);
    if (!whole)
      throw new EmbeddingResponseError(
        `${this.model} answered ${response.data.length} vectors for ${texts.length} texts, not one of one length each`,
        this.model,
      );
    return vectors;
  }
}
