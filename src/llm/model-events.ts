import type OpenAI from "openai";
import { toModelError } from "./classify.js";
import { ModelAbortedError, ModelStreamError, ModelTimeoutError } from "./errors.js";
import { ThinkSplitter } from "./think.js";

/**
 * Why a reply ended: the model finished (`stop`), hit its output limit (`length`, from
 * `finish_reason: "length"`), or ran past the caller's wall-clock deadline (`deadline`).
 */
export type EndReason = "stop" | "length" | "deadline";

/** What the provider said a reply used, from the usage chunk that ends a stream when asked for. */
export interface ModelUsage {
  readonly promptTokens: number;
  readonly completionTokens: number;
  /** Prompt tokens the provider served from its prefix cache (`prompt_tokens_details.cached_tokens`); 0 when it names none. */
  readonly cachedTokens: number;
}

/**
 * One event of a streamed reply; `end` comes last, once, when the reply did not fail, with
 * the usage when the provider reported it.
 */
export type ReplyEvent =
  | { readonly type: "text" | "reasoning"; readonly text: string }
  | { readonly type: "end"; readonly reason: EndReason; readonly usage?: ModelUsage };

export interface StreamOptions {
  /** Aborting stops the reply: the stream throws ModelAbortedError. */
  readonly signal?: AbortSignal;
  /** The reply ends (reason `deadline`) this long after it was asked for, however much is still coming. */
  readonly deadlineMs?: number;
}

/** A chunk's delta with the reasoning fields some providers add (the SDK's types do not know them). */
type DeltaWithReasoning = OpenAI.Chat.Completions.ChatCompletionChunk.Choice.Delta & {
  /** DeepSeek (api-docs.deepseek.com/guides/reasoning_model). */
  readonly reasoning_content?: string | null;
  /** Ollama and OpenRouter (openrouter.ai/docs/use-cases/reasoning-tokens). */
  readonly reasoning?: string | null;
};

type OpenStream = (signal: AbortSignal) => Promise<AsyncIterable<OpenAI.Chat.Completions.ChatCompletionChunk>>;

/** The events of one chunk: its reasoning field first, then its text split by the think splitter. */
function* chunkEvents(
  chunk: OpenAI.Chat.Completions.ChatCompletionChunk,
  splitter: ThinkSplitter,
): Generator<ReplyEvent> {
  const delta = chunk.choices?.[0]?.delta as DeltaWithReasoning | undefined;
  const reasoning = delta?.reasoning_content ?? delta?.reasoning;
  if (reasoning) yield { type: "reasoning", text: reasoning };
  if (delta?.content)
    for (const piece of splitter.push(delta.content))
      yield { type: piece.kind === "answer" ? "text" : "reasoning", text: piece.text };
}

/** The usage a stream ends with when asked (`stream_options.include_usage`): its last chunk, with no choices. */
function toUsage(usage: OpenAI.CompletionUsage): ModelUsage {
  return {
    promptTokens: usage.prompt_tokens,
    completionTokens: usage.completion_tokens,
    cachedTokens: usage.prompt_tokens_details?.cached_tokens ?? 0,
  };
}

/** The error of a stream that ended without any answer text. */
function noAnswer(reasoned: boolean, finishReason: string | null | undefined): ModelStreamError {
  const why = reasoned
    ? finishReason === "length"
      ? "spent its whole output limit on reasoning"
      : "only reasoned"
    : "returned an empty reply";
  return new ModelStreamError(`The model ${why}.`);
}

/** The timer that stopped a reply early, if one did. */
type Stopper = "idle" | "deadline";

/** The ModelError a stream that stopped early ends with: aborted by the caller, idle too long, past the deadline, or failed. */
function streamFailure(
  error: unknown,
  why: StreamOptions & { idleTimeoutMs: number; stoppedBy: Stopper | undefined; began: boolean },
): Error {
  if (why.signal?.aborted) return new ModelAbortedError("The reply was aborted.", undefined, error);
  if (why.stoppedBy === "idle")
    return new ModelTimeoutError(`The model sent nothing for ${why.idleTimeoutMs} ms.`, undefined, error);
  if (why.stoppedBy === "deadline")
    return new ModelTimeoutError(
      `The model gave no answer within the reply deadline of ${why.deadlineMs} ms.`,
      undefined,
      error,
    );
  return toModelError(error, why.began);
}

/**
 * What stops a reply early, each by aborting its request: the caller's signal, the idle
 * timeout (re-armed with each event) and the deadline. `dispose` clears the timers.
 */
class ReplyStops {
  readonly #controller = new AbortController();
  readonly #options: StreamOptions & { readonly idleTimeoutMs: number };
  readonly #deadlineTimer: NodeJS.Timeout | undefined;
  readonly #onAbort = () => this.#controller.abort();
  #idleTimer: NodeJS.Timeout | undefined;
  #stoppedBy: Stopper | undefined;

  constructor(options: StreamOptions & { readonly idleTimeoutMs: number }) {
    this.#options = options;
    this.#deadlineTimer =
      options.deadlineMs === undefined ? undefined : setTimeout(this.#stopFor("deadline"), options.deadlineMs);
    options.signal?.addEventListener("abort", this.#onAbort, { once: true });
  }

  /** The request's signal: aborted by any of the stops, or by `abort`. */
  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  /** Which timer stopped the reply, if one did. */
  get stoppedBy(): Stopper | undefined {
    return this.#stoppedBy;
  }

  armIdleTimer(): void {
    clearTimeout(this.#idleTimer);
    this.#idleTimer = setTimeout(this.#stopFor("idle"), this.#options.idleTimeoutMs);
  }

  abort(): void {
    this.#controller.abort();
  }

  dispose(): void {
    clearTimeout(this.#idleTimer);
    clearTimeout(this.#deadlineTimer);
    this.#options.signal?.removeEventListener("abort", this.#onAbort);
  }

  #stopFor(reason: Stopper) {
    return () => {
      this.#stoppedBy = reason;
      this.#controller.abort();
    };
  }
}

/**
 * Runs one streamed reply: the idle timeout (`idleTimeoutMs` without new text or
 * reasoning; empty keep-alive chunks do not count), the deadline, the caller's signal, and
 * the split of the text from the model's thinking.
 */
export async function* streamReply(
  open: OpenStream,
  options: StreamOptions & { readonly idleTimeoutMs: number },
): AsyncGenerator<ReplyEvent, void, undefined> {
  const { signal } = options;
  if (signal?.aborted) throw new ModelAbortedError("The reply was aborted before it started.");
  const stops = new ReplyStops(options);
  const splitter = new ThinkSplitter();
  let answered = false;
  let reasoned = false;
  let finishReason: string | null | undefined;
  let usage: ModelUsage | undefined;
  let ended = false;
  try {
    stops.armIdleTimer();
    try {
      for await (const chunk of await open(stops.signal)) {
        finishReason = chunk.choices?.[0]?.finish_reason ?? finishReason;
        if (chunk.usage) usage = toUsage(chunk.usage);
        for (const event of chunkEvents(chunk, splitter)) {
          stops.armIdleTimer();
          answered ||= event.type === "text";
          reasoned ||= event.type === "reasoning";
          yield event;
        }
      }
      // Once the response has started, the SDK ends the loop quietly on abort instead of throwing.
      if (stops.signal.aborted) throw new ModelStreamError("The reply stream was aborted.");
    } catch (error) {
      // Past the deadline with an answer begun, the reply ends there instead of failing.
      const stoppedBy = stops.stoppedBy;
      if (stoppedBy !== "deadline" || !answered || signal?.aborted)
        throw streamFailure(error, { ...options, stoppedBy, began: answered || reasoned });
    }
    for (const piece of splitter.end()) {
      answered ||= piece.kind === "answer";
      yield { type: piece.kind === "answer" ? "text" : "reasoning", text: piece.text };
    }
    if (!answered) throw noAnswer(reasoned, finishReason);
    ended = true;
    yield {
      type: "end",
      reason: stops.stoppedBy === "deadline" ? "deadline" : finishReason === "length" ? "length" : "stop",
      ...(usage && { usage }),
    };
  } finally {
    stops.dispose();
    // Ends the HTTP request when the consumer stopped early or it failed. A response that
    // ended is over already, and aborting it would still cost the SDK's and fetch's abort
    // handlers (an exception each) on every reply.
    if (!ended) stops.abort();
  }
}
