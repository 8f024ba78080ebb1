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
