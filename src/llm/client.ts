import OpenAI from "openai";
import {
  ModelAbortedError,
  ModelAuthError,
  ModelError,
  ModelRateLimitError,
  ModelRequestError,
  ModelServerError,
  ModelStreamError,
  ModelTimeoutError,
} from "./errors.js";
import { modelFetch } from "./fetch.js";

/** A piece of a user message for vision models: text, or an image by URL. */
export type ContentPart = { readonly type: "text"; readonly text: string } | { readonly type: "image_url"; readonly image_url: { readonly url: string } };

/** One message of a chat prompt. Only user messages carry images, as content parts. */
export type ChatMessage =
  | { readonly role: "system" | "assistant"; readonly content: string }
  | { readonly role: "user"; readonly content: string | readonly ContentPart[] };

function toSdkMessage(message: ChatMessage): OpenAI.Chat.Completions.ChatCompletionMessageParam {
  if (message.role !== "user") return { role: message.role, content: message.content };
  return { role: "user", content: typeof message.content === "string" ? message.content : message.content.map((part) => ({ ...part })) };
}

/** What to ask the model. */
export interface ChatRequest {
  readonly model: string;
  readonly messages: readonly ChatMessage[];
  readonly temperature?: number;
  readonly topP?: number;
  readonly maxTokens?: number;
}

export interface ModelClientOptions {
  readonly baseURL: string;
  /** Undefined for local servers that take no key. */
  readonly apiKey: string | undefined;
  /** How long to wait for the response to start, and for each further piece of text. */
  readonly timeoutMs: number;
  /** Retries on connection errors, 429 and 5xx before the first byte (the SDK's backoff). */
  readonly maxRetries: number;
}

/** Local servers ignore the key, but the SDK insists on one. */
const PLACEHOLDER_API_KEY = "not-needed";

/** The SDK's request body for a chat request, without the streaming choice. */
function requestBody(request: ChatRequest) {
  return {
    model: request.model,
    messages: request.messages.map(toSdkMessage),
    temperature: request.temperature,
    top_p: request.topP,
    max_tokens: request.maxTokens,
  };
}

/** Chat completions from any OpenAI-compatible server through the official SDK: streamed for replies, whole for background work. */
export class ModelClient {
  readonly #client: OpenAI;
  readonly #timeoutMs: number;

  constructor(options: ModelClientOptions) {
    this.#client = new OpenAI({
      baseURL: options.baseURL,
      apiKey: options.apiKey ?? PLACEHOLDER_API_KEY,
      timeout: options.timeoutMs,
      maxRetries: options.maxRetries,
      fetch: modelFetch,
    });
    this.#timeoutMs = options.timeoutMs;
  }

  /**
   * Streams the reply's text as it arrives. Throws a ModelError subclass on failure.
   * Stopping the iteration early, or aborting `signal`, cancels the HTTP request.
   */
  async *stream(request: ChatRequest, signal?: AbortSignal): AsyncGenerator<string, void, undefined> {
    const controller = new AbortController();
    let timedOut = false;
    let idleTimer: NodeJS.Timeout | undefined;
    const armIdleTimer = () => {
      clearTimeout(idleTimer);
      idleTimer = setTimeout(() => {
        timedOut = true;
        controller.abort();
      }, this.#timeoutMs);
    };
    const onAbort = () => controller.abort();
    if (signal?.aborted) throw new ModelAbortedError("The reply was aborted before it started.");
    signal?.addEventListener("abort", onAbort, { once: true });

    let receivedText = false;
    let ended = false;
    try {
      armIdleTimer();
      const stream = await this.#client.chat.completions.create({ ...requestBody(request), stream: true }, { signal: controller.signal });
      for await (const chunk of stream) {
        armIdleTimer();
        const text = chunk.choices?.[0]?.delta?.content;
        if (text) {
          receivedText = true;
          yield text;
        }
      }
      // Once the response has started, the SDK ends the loop quietly on abort instead of throwing.
      if (controller.signal.aborted) throw new ModelStreamError("The reply stream was aborted.");
      if (!receivedText) throw new ModelStreamError("The model returned an empty reply.");
      ended = true;
    } catch (error) {
      if (signal?.aborted) throw new ModelAbortedError("The reply was aborted.", undefined, error);
      if (timedOut) throw new ModelTimeoutError(`The model sent nothing for ${this.#timeoutMs} ms.`, undefined, error);
      throw toModelError(error, receivedText);
    } finally {
      clearTimeout(idleTimer);
      signal?.removeEventListener("abort", onAbort);
      // Ends the HTTP request when the consumer stopped early or it failed. A response that
      // ended is over already, and aborting it would still cost the SDK's and fetch's abort
      // handlers (an exception each) on every reply.
      if (!ended) controller.abort();
    }
  }

  /**
   * Asks for a whole completion at once (no streaming), for background work such as
   * summaries. The client's timeout covers the whole request. Throws a ModelError subclass
   * on failure, ModelStreamError for an empty answer.
   */
  async complete(request: ChatRequest, signal?: AbortSignal): Promise<string> {
    if (signal?.aborted) throw new ModelAbortedError("The request was aborted before it started.");
    // The SDK gets a signal of its own per call: it leaves a listener on the signal it is
    // given, which on a caller's long-lived signal would pile up call after call.
    const controller = new AbortController();
    const onAbort = () => controller.abort();
    signal?.addEventListener("abort", onAbort, { once: true });
    let text: string | null | undefined;
    try {
      const completion = await this.#client.chat.completions.create({ ...requestBody(request), stream: false }, { signal: controller.signal });
      text = completion.choices?.[0]?.message?.content;
    } catch (error) {
      if (signal?.aborted) throw new ModelAbortedError("The request was aborted.", undefined, error);
      throw toModelError(error);
    } finally {
      signal?.removeEventListener("abort", onAbort);
    }
    if (!text?.trim()) throw new ModelStreamError("The model returned an empty answer.");
    return text;
  }

  /**
   * Classifies texts with the provider's moderation endpoint, one result per text, in
   * order. Throws a ModelError subclass when the endpoint fails or is missing.
   */
  async moderate(inputs: readonly string[], model: string, signal?: AbortSignal): Promise<ModerationResult[]> {
    try {
      const response = await this.#client.moderations.create({ model, input: [...inputs] }, { signal });
      return response.results.map((result) => ({
        flagged: result.flagged,
        categories: Object.entries(result.categories)
          .filter(([, hit]) => hit === true)
          .map(([name]) => name),
      }));
    } catch (error) {
      if (signal?.aborted) throw new ModelAbortedError("The moderation check was aborted.", undefined, error);
      throw toModelError(error);
    }
  }
}

/** What the moderation endpoint said about one text. */
export interface ModerationResult {
  readonly flagged: boolean;
  /** The categories that were hit, e.g. ["harassment"]. */
  readonly categories: readonly string[];
}

/** Maps an SDK or network error to the matching ModelError. */
export function toModelError(error: unknown, midStream = false): ModelError {
  if (error instanceof ModelError) return error;
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof OpenAI.APIConnectionTimeoutError) return new ModelTimeoutError(`The model did not answer in time: ${message}`, undefined, error);
  if (error instanceof OpenAI.APIUserAbortError) return new ModelAbortedError(message, undefined, error);
  if (error instanceof OpenAI.APIError && error.status !== undefined) {
    const status = error.status;
    if (status === 401 || status === 403) return new ModelAuthError(`The model provider refused the API key (HTTP ${status}): ${message}`, status, error);
    if (status === 429) {
      const retryAfter = Number(error.headers?.get?.("retry-after"));
      return new ModelRateLimitError(`The model provider is rate-limiting (HTTP 429): ${message}`, status, Number.isFinite(retryAfter) ? retryAfter : undefined, error);
    }
    if (status >= 500) return new ModelServerError(`The model provider failed (HTTP ${status}): ${message}`, status, error);
    return new ModelRequestError(`The model provider rejected the request (HTTP ${status}): ${message}`, status, error);
  }
  if (error instanceof OpenAI.APIConnectionError) {
    return midStream
      ? new ModelStreamError(`The reply stream broke: ${message}`, undefined, error)
      : new ModelServerError(`Cannot reach the model server: ${message}`, undefined, error);
  }
  // Malformed SSE frames and resets while reading the body surface as plain errors.
  return new ModelStreamError(`The reply stream broke: ${message}`, undefined, error);
}
