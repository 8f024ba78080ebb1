import type { Logger } from "../log.js";
import type { ModelContextLengthError } from "./errors.js";

/**
 * After a context-length refusal the model's budget is cut to this share of the smaller of
 * what was tried and what the provider said fits: Masque counts tokens with OpenAI's
 * tokenizer, and other models' tokenizers count the same text as more tokens.
 */
export const CONTEXT_SHRINK_FACTOR = 0.8;
/** A budget is never cut below this (CONTEXT_TOKENS' own minimum): a prompt needs room for the persona. */
export const MIN_CONTEXT_TOKENS = 512;

/**
 * The context each model really has, learned from its context-length refusals (a local
 * server started with a smaller context than CONTEXT_TOKENS, say). Kept for as long as the
 * process runs; a restart tries CONTEXT_TOKENS again.
 */
export class ModelBudgets {
  readonly #limits = new Map<string, number>();

  constructor(private readonly log?: Logger) {}

  /** The context to build `model`'s prompts for: `configured`, or less once the model refused it. */
  contextFor(model: string, configured: number): number {
    return Math.min(configured, this.#limits.get(model) ?? configured);
  }

  /**
   * Learns from a context-length refusal of a prompt built for `triedTokens`: returns the
   * smaller context to build the retry for, or undefined when it cannot shrink any further.
   */
  shrink(model: string, error: ModelContextLengthError, triedTokens: number): number | undefined {
    const fits = Math.min(triedTokens, error.limitTokens ?? triedTokens);
    const next = Math.floor(fits * CONTEXT_SHRINK_FACTOR);
    if (next < MIN_CONTEXT_TOKENS) return undefined;
    this.#limits.set(model, next);
    this.log?.warn(
      { model, triedTokens, statedLimit: error.limitTokens, nowTokens: next },
      `model ${model} refused a prompt of ${triedTokens} tokens as too long; its prompts are built for ${next} tokens from now on (lower CONTEXT_TOKENS, or give the model server a larger context)`,
    );
    return next;
  }
}
