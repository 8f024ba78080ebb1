import { createRequire } from "node:module";

/**
 * Tokens a chat message costs beyond its text (role and separators), as in OpenAI's
 * published counting for chat models.
 */
export const MESSAGE_OVERHEAD_TOKENS = 4;

type Counter = (text: string) => number;
const require = createRequire(import.meta.url);
let counter: Counter | undefined;

/**
 * The cl100k_base encoding (GPT-4's), loaded on first use: it takes about 40 MB and a third
 * of a second, which start-up and an idle bot should not pay (the first reply does, once).
 * o200k (GPT-4o's) would be exact for one more model family at nearly twice the memory;
 * other models' tokenizers differ from either by a few percent, which the reply reserve
 * absorbs.
 */
function loadCounter(): Counter {
  counter ??= (require("gpt-tokenizer/cjs/encoding/cl100k_base") as { countTokens: Counter }).countTokens;
  return counter;
}

/** Counts the tokens of `text` with a real BPE tokenizer. */
export function countTokens(text: string): number {
  return loadCounter()(text);
}

/** What one prompt line of `speaker: text` costs, overhead included; stored with each turn. */
export function countTurnTokens(speaker: string, content: string): number {
  return countTokens(`${speaker}: ${content}`) + MESSAGE_OVERHEAD_TOKENS;
}

/** How many of `items`, taken in order, fit in `budget` tokens by their stored counts, and what those cost. */
export function fitInOrder(
  items: readonly { readonly tokenCount: number }[],
  budget: number,
): { count: number; tokens: number } {
  let tokens = 0;
  let count = 0;
  for (const item of items) {
    if (tokens + item.tokenCount > budget) break;
    tokens += item.tokenCount;
    count++;
  }
  return { count, tokens };
}
