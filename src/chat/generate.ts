import type { ChatRequest, ModelClient } from "../llm/client.js";
import { ModelError, ModelStreamError } from "../llm/errors.js";

/** How a reply ended. */
export type ReplyStatus = "complete" | "interrupted" | "failed" | "withheld";

/** Where a reply is shown while it is written: Discord messages, the terminal, a test. */
export interface ReplySink {
  /** More text to show. A reviewed reply comes in one piece, once it has passed. */
  write(piece: string): void;
  /**
   * The reply has ended: show its final state (with a note about `error`, if any).
   * Resolves once it is shown, saying where.
   */
  end(ending: ReplyEnding): Promise<Shown>;
}

export interface ReplyEnding {
  /** The text people may see; empty when nothing came or the review withheld it. */
  readonly text: string;
  readonly error?: Error;
}

/** Where a reply is shown. */
export interface Shown {
  /** False when the sink could not show it at all: such a reply is not remembered as said. */
  readonly shown: boolean;
  /** The Discord messages that hold it; none outside Discord. */
  readonly messageIds: readonly string[];
}

/** What came back from the model. */
export interface Generated {
  readonly status: ReplyStatus;
  /** What was shown; empty when withheld, and for a reviewed reply that did not finish. */
  readonly text: string;
  readonly error?: Error;
  /** From sending the request to the first piece of text; undefined when none came. */
  readonly firstTokenMs?: number;
}

export interface GenerateOptions {
  readonly signal?: AbortSignal;
  /** Checks the whole reply before any of it is shown; throwing withholds it. */
  readonly review?: (text: string) => Promise<void>;
}

const asError = (caught: unknown): Error => (caught instanceof Error ? caught : new Error(String(caught)));

/**
 * Streams the model's reply into `sink`. Without a review each piece is shown as it
 * arrives; with one, nothing is shown until the whole reply has passed. Model failures
 * and the review's verdict come back in the result, never thrown.
 */
export async function generate(model: ModelClient, request: ChatRequest, sink: ReplySink, options: GenerateOptions): Promise<Generated> {
  const startedAt = performance.now();
  const held = options.review !== undefined;
  let text = "";
  let firstTokenMs: number | undefined;
  try {
    for await (const piece of model.stream(request, options.signal)) {
      firstTokenMs ??= performance.now() - startedAt;
      text += piece;
      if (!held) sink.write(piece);
    }
  } catch (caught) {
    const error = caught instanceof ModelError ? caught : new ModelStreamError(String(caught), undefined, caught);
    const kept = held ? "" : text;
    return { status: kept.length > 0 ? "interrupted" : "failed", text: kept, error, firstTokenMs };
  }
  if (options.review) {
    try {
      await options.review(text);
    } catch (verdict) {
      return { status: "withheld", text: "", error: asError(verdict), firstTokenMs };
    }
    sink.write(text);
  }
  return { status: "complete", text, firstTokenMs };
}
