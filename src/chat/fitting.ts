import { PromptTooLongError } from "./prompt.js";

/** Which of a batch's new messages one prompt can hold, by their place in the batch. */
export interface FittingTurns {
  readonly kept: readonly number[];
  /** The messages left out, each with the error that says how long it was. */
  readonly tooLong: ReadonlyArray<{ readonly index: number; readonly error: PromptTooLongError }>;
}

/**
 * The new messages that fit one prompt together: all of them when they do; else, from the
 * newest back, each that still fits beside those kept so far. One message too long to read
 * (a 60 KB file) must not take the rest of its batch down with it. `buildPrompt` throws
 * PromptTooLongError when the turns it is given do not fit.
 */
export function fittingTurns<T>(turns: readonly T[], buildPrompt: (turns: readonly T[]) => unknown): FittingTurns {
  const fits = (indices: readonly number[]): PromptTooLongError | undefined => {
    try {
      buildPrompt(indices.map((i) => turns[i]!));
      return undefined;
    } catch (error) {
      if (error instanceof PromptTooLongError) return error;
      throw error;
    }
  };
  const all = turns.map((_, i) => i);
  if (turns.length <= 1 || fits(all) === undefined) return { kept: all, tooLong: [] };
  const kept: number[] = [];
  const tooLong: Array<{ index: number; error: PromptTooLongError }> = [];
  for (let index = turns.length - 1; index >= 0; index--) {
    const error = fits([index, ...kept]);
    if (error) tooLong.unshift({ index, error });
    else kept.unshift(index);
  }
  return { kept, tooLong };
}
