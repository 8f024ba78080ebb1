import OpenAI from "openai";
import type { Logger } from "../log.js";
import { toModelError } from "./classify.js";
import { ModelAbortedError, type ModelError, ModelParameterError, ModelStreamError } from "./errors.js";
import { modelFetch } from "./fetch.js";
import { type ExtraParams, ModelRules, STREAM_OPTIONS } from "./params.js";
import { type ReplyEvent, type StreamOptions, streamReply } from "./model-events.js";
import { ThinkSplitter } from "./think.js";

export { toModelError } from "./classify.js";
export type { EndReason, ModelUsage, ReplyEvent, StreamOptions } from "./model-events.js";

/** A piece of a user message for vision models: text, or an image by URL. */
export type ContentPart =
  | { readonly type: "text"; readonly text: string }
  | { readonly type: "image_url"; readonly image_url: { readonly url: string } };

/** One message of a chat prompt. Only user messages carry images, as content parts. */
export type ChatMessage =
  | { readonly role: "system" | "assistant"; readonly content: string }
  | { readonly role: "user"; readonly content: string | readonly ContentPart[] };

function toSdkMessage(message: ChatMessage): OpenAI.Chat.Completions.ChatCompletionMessageParam {
  if (message.role !== "user") return { role: message.role, content: message.content };
  return {
    role: "user",
    content: typeof message.content === "string" ? message.content : message.content.map((part) => ({ ...part })),
  };
}

/** What to ask the model. */
export interface ChatRequest {
  readonly model: string;
  readonly messages: readonly ChatMessage[];
  readonly temperature?: number;
  readonly topP?: number;
  /** The limit for the answer, in tokens (a reasoning model gets room to reason on top). */
  readonly maxTokens?: number;
  /** Provider-specific fields passed through as they are (a persona's `params:`). */
  readonly params?: ExtraParams;
}

export interface ModelClientOptions {
  readonly baseURL: string;
  /** Undefined for local servers that take no key. */
  readonly apiKey: string | undefined;
  /** How long to wait for the response to start, and for each further piece of text. */
  readonly timeoutMs: number;
  /** Retries on connection errors, 429 and 5xx before the first byte (the SDK's backoff). */
  readonly maxRetries: number;
  /** Told once per model and parameter when a model refuses one (it is then left out). */
  readonly log?: Logger;
}

/** A chat request's body without the streaming choice. */
type RequestBody = Omit<OpenAI.Chat.Completions.ChatCompletionCreateParamsNonStreaming, "stream">;

/** Local servers ignore the key, but the SDK insists on one. */
const PLACEHOLDER_API_KEY = "not-needed";
/**
 * A request is sent again after a refused parameter at most this many times, once per
 * parameter: a model unknown by name may refuse max_tokens, then temperature, then top_p.
 */
const MAX_PARAMETER_RETRIES = 3;

/**
 * Whether a refusal may be of `stream_options`: a 400 that names it, or one whose body the
 * SDK could not read. vLLM before 0.5.0 answers an unknown field with its error at the top
 * level of the body (`{"object":"error","message":…}`), where the SDK does not look, so all
 * Masque sees is the 400.
 */
function mayRefuseUsage(error: ModelError): boolean {
  if (error instanceof ModelParameterError) return error.parameter === STREAM_OPTIONS;
  return error.status === 400 && error.cause instanceof OpenAI.APIError && error.cause.error === undefined;
}

/** Chat completions from any OpenAI-compatible server through the official SDK: streamed for replies, whole for background work. */
export class ModelClient {
  readonly #client: OpenAI;
  readonly #timeoutMs: number;
  readonly #rules: ModelRules;

  constructor(options: ModelClientOptions) {
    this.#client = new OpenAI({
      baseURL: options.baseURL,
      apiKey: options.apiKey ?? PLACEHOLDER_API_KEY,
      timeout: options.timeoutMs,
      maxRetries: options.maxRetries,
      fetch: modelFetch,
    });
    this.#timeoutMs = options.timeoutMs;
    this.#rules = new ModelRules(options.log);
  }

  /**
   * Streams the reply as events: answer text, reasoning (from `reasoning_content` or
   * `reasoning` deltas, or `<think>` blocks in the text), then one `end` with why it ended.
   * Throws a ModelError subclass on failure. Stopping the iteration early, or aborting
   * `options.signal`, cancels the HTTP request.
   */
  events(request: ChatRequest, options: StreamOptions = {}): AsyncGenerator<ReplyEvent, void, undefined> {
    const open = (signal: AbortSignal) =>
      this.#send(
        request,
        (body) => this.#client.chat.completions.create({ ...body, stream: true }, { signal }),
        signal,
        true,
      );
    return streamReply(open, { ...options, idleTimeoutMs: this.#timeoutMs });
  }

  /** Streams the answer's text only (no reasoning), as it arrives; see {@link events}. */
  async *stream(request: ChatRequest, signal?: AbortSignal): AsyncGenerator<string, void, undefined> {
    for await (const event of this.events(request, { signal })) if (event.type === "text") yield event.text;
  }

  /**
   * Asks for a whole completion at once (no streaming), for background work such as
   * summaries; a think block in it is left out. The client's timeout covers the whole
   * request. Throws a ModelError subclass on failure, ModelStreamError for an empty answer.
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
      const completion = await this.#send(
        request,
        (body) => this.#client.chat.completions.create({ ...body, stream: false }, { signal: controller.signal }),
        controller.signal,
      );
      text = completion.choices?.[0]?.message?.content;
    } catch (error) {
      if (signal?.aborted) throw new ModelAbortedError("The request was aborted.", undefined, error);
      throw toModelError(error);
    } finally {
      signal?.removeEventListener("abort", onAbort);
    }
    const splitter = new ThinkSplitter();
    const answer = [...splitter.push(text ?? ""), ...splitter.end()]
      .filter((piece) => piece.kind === "answer")
      .map((piece) => piece.text)
      .join("");
    if (!answer.trim()) throw new ModelStreamError("The model returned an empty answer.");
    return answer;
  }

  /**
   * Sends a chat request with the fields its model accepts. On a 400 that names a
   * parameter, learns the rule for that model and sends it again, once per parameter. A
   * streamed request asks for usage; refused, it is sent again without, and when that is
   * answered the model is asked without usage from then on.
   */
  async #send<T>(
    request: ChatRequest,
    create: (body: RequestBody) => Promise<T>,
    signal: AbortSignal,
    streamed = false,
  ): Promise<T> {
    let askUsage = streamed;
    let usageRefusal: string | undefined;
    for (let attempt = 0; ; attempt++) {
      // The SDK's types do not know provider fields (a persona's params); it sends the body as given.
      const body = {
        model: request.model,
        messages: request.messages.map(toSdkMessage),
        ...this.#rules.bodyFields(request, askUsage),
      } as RequestBody;
      try {
        const answer = await create(body);
        if (usageRefusal !== undefined) this.#rules.learn(request.model, STREAM_OPTIONS, undefined, usageRefusal);
        return answer;
      } catch (caught) {
        const error = toModelError(caught);
        const canRetry = attempt < MAX_PARAMETER_RETRIES && !signal.aborted;
        if (canRetry && STREAM_OPTIONS in body && mayRefuseUsage(error)) {
          askUsage = false;
          usageRefusal = error.message;
          continue;
        }
        if (
          !canRetry ||
          !(error instanceof ModelParameterError) ||
          !this.#rules.learn(request.model, error.parameter, error.replacement, error.message)
        )
          throw error;
      }
    }
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
