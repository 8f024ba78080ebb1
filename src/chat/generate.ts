import type { ChatRequest, ModelClient, ModelUsage } from "../llm/client.js";
import { ModelError, ModelStreamError } from "../llm/errors.js";

/** How a reply ended. */
export type ReplyStatus = "complete" | "interrupted" | "failed" | "withheld";

/** Why a reply was cut short: the model's output limit, the reply deadline, or the most messages a reply may fill. */
export type CutReason = "length" | "deadline" | "messages";

/** Where a reply is shown while it is written: Discord messages, the terminal, a test. */
export interface ReplySink {
  /** More text to show. A reviewed reply comes in one piece, once it has passed. */
  write(piece: string): void;
  /**
   * How much of `text` (the whole reply so far) fits the room the sink gives one reply,
   * in characters; less than its length when the rest must be cut. Unlimited when absent.
   */
  room?(text: string): number;
  /** The model is thinking (never shown unless the sink chooses to: Discord shows "typing…"). */
  thinking?(reasoning: string): void;
  /** True when the sink posts the model's thinking after the reply (a persona's show_reasoning): it is then kept and reviewed with the reply. */
  readonly showsReasoning?: boolean;
  /**
   * The reply has ended: show its final state (with a note about `error`, or about why it
   * was cut, if any). Resolves once it is shown, saying where.
   */
  end(ending: ReplyEnding): Promise<Shown>;
  /**
   * The messages showing the reply so far, all of them each time one more is posted; the
   * iteration ends once `end` has shown the final state. Absent where a reply has no messages.
   */
  shownIn?(): AsyncIterable<readonly string[]>;
  /** Memory could not keep the reply `end` showed: say so under it. */
  notKept?(error: Error): Promise<void>;
}

export interface ReplyEnding {
  /** The text people may see; empty when nothing came or the review withheld it. */
  readonly text: string;
  readonly error?: Error;
  /** Set when the reply was cut short; the text is what came before the cut. */
  readonly cut?: CutReason;
  /** The model's thinking, for a sink that shows it on request (a persona's show_reasoning); never stored, never set for a failed or withheld reply. */
  readonly reasoning?: string;
  /** The people here were already told about this error: show nothing new for it. */
  readonly quiet?: boolean;
}

/** Where a reply is shown. */
export interface Shown {
  /** False when the sink could not show it at all: such a reply is not remembered as said. */
  readonly shown: boolean;
  /** The Discord messages that hold it; none outside Discord. */
  readonly messageIds: readonly string[];
  /** Set when the end did not reach Discord: the text it shows (the reply is kept as far as that, interrupted). */
  readonly partial?: string;
}

/** What came back from the model. */
export interface Generated {
  readonly status: ReplyStatus;
  /** What was shown; empty when withheld, and for a reviewed reply that did not finish. */
  readonly text: string;
  readonly error?: Error;
  readonly cut?: CutReason;
  /**
   * What the model thought on the way, up to MAX_REASONING_CHARS, for a sink that shows it;
   * empty for any other sink, and when the reply failed or was withheld.
   */
  readonly reasoning: string;
  /** From sending the request to the first piece of text; undefined when none came. */
  readonly firstTokenMs?: number;
  /** What the provider said the reply used, when it said. */
  readonly usage?: ModelUsage;
}

/**
 * Checks everything a reply would post before any of it is shown: its text, then its
 * thinking when the sink shows it. Throwing withholds the whole reply.
 */
export type ReplyReview = (texts: readonly string[]) => Promise<void>;

export interface GenerateOptions {
  readonly signal?: AbortSignal;
  readonly review?: ReplyReview;
  /** The reply is cut this long after it was asked for (MODEL_REPLY_DEADLINE_MS). */
  readonly deadlineMs?: number;
}

/** Reasoning kept for a sink that shows it; a model thinking at length is not held in memory without bound. */
export const MAX_REASONING_CHARS = 100_000;

const asError = (caught: unknown): Error => (caught instanceof Error ? caught : new Error(String(caught)));

/** Writes `piece` into the sink as far as its room goes; returns the text now shown, and whether it was cut. */
function writeWithin(sink: ReplySink, shown: string, piece: string): { text: string; full: boolean } {
  const candidate = shown + piece;
  const room = Math.max(shown.length, sink.room?.(candidate) ?? candidate.length);
  const taken = candidate.slice(shown.length, room);
  if (taken.length > 0) sink.write(taken);
  return { text: shown + taken, full: room < candidate.length };
}

/**
 * Streams the model's reply into `sink`. Without a review each piece is shown as it
 * arrives; with one, nothing is shown until the whole reply (with the thinking a sink
 * shows) has passed. The model's thinking goes to `sink.thinking`, never into the text,
 * and is given back only for a reply that ended without an error. A reply ends at the model's
 * output limit, at the deadline, or when the sink's room is full, and says which. Model
 * failures and the review's verdict come back in the result, never thrown.
 */
export async function generate(
  model: ModelClient,
  request: ChatRequest,
  sink: ReplySink,
  options: GenerateOptions,
): Promise<Generated> {
  const startedAt = performance.now();
  const held = options.review !== undefined;
  const keepsReasoning = sink.showsReasoning === true;
  let text = "";
  let reasoning = "";
  let cut: CutReason | undefined;
  let firstTokenMs: number | undefined;
  let usage: ModelUsage | undefined;
  try {
    for await (const event of model.events(request, { signal: options.signal, deadlineMs: options.deadlineMs })) {
      if (event.type === "reasoning") {
        if (keepsReasoning && reasoning.length < MAX_REASONING_CHARS) reasoning += event.text;
        sink.thinking?.(event.text);
      } else if (event.type === "end") {
        if (event.reason !== "stop") cut = event.reason;
        usage = event.usage;
      } else {
        firstTokenMs ??= performance.now() - startedAt;
        if (held) {
          text += event.text;
          continue;
        }
        const written = writeWithin(sink, text, event.text);
        text = written.text;
        if (written.full) {
          cut = "messages";
          break; // leaving the loop ends the model's request
        }
      }
    }
  } catch (caught) {
    const error = caught instanceof ModelError ? caught : new ModelStreamError(String(caught), undefined, caught);
    const kept = held ? "" : text;
    return { status: kept.length > 0 ? "interrupted" : "failed", text: kept, error, reasoning: "", firstTokenMs };
  }
  if (options.review) {
    try {
      await options.review(reasoning.trim() ? [text, reasoning] : [text]);
    } catch (verdict) {
      return { status: "withheld", text: "", error: asError(verdict), reasoning: "", firstTokenMs, usage };
    }
    const written = writeWithin(sink, "", text);
    text = written.text;
    if (written.full) cut = "messages";
  }
  return { status: cut ? "interrupted" : "complete", text, cut, reasoning, firstTokenMs, usage };
}
