import { countTokens as countO200k } from "gpt-tokenizer/encoding/o200k_base";

/**
 * Tokens a chat message costs beyond its text (role and separators), as in OpenAI's
 * published counting for chat models.
 */
export const MESSAGE_OVERHEAD_TOKENS = 4;

/**
 * Counts tokens with the o200k_base encoding (GPT-4o's). Other models' tokenizers differ
 * by a few percent, which the reply reserve absorbs.
 */
export function countTokens(text: string): number {
  return countO200k(text);
}

/** What one prompt line of `speaker: text` costs, overhead included; stored with each turn. */
export function countTurnTokens(speaker: string, content: string): number {
  return countTokens(`${speaker}: ${content}`) + MESSAGE_OVERHEAD_TOKENS;
}

/** How many of `items`, taken in order, fit in `budget` tokens by their stored counts, and what those cost. */
export function fitInOrder(items: readonly { readonly tokenCount: number }[], budget: number): { count: number; tokens: number } {
  let tokens = 0;
  let count = 0;
  for (const item of items) {
    if (tokens + item.tokenCount > budget) break;
    tokens += item.tokenCount;
    count++;
  }
  return { count, tokens };
}
