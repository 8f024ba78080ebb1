import { describe, expect, it } from "vitest";
import { CONTEXT_SHRINK_FACTOR, MIN_CONTEXT_TOKENS, ModelBudgets } from "../../src/llm/budgets.js";
import { ModelContextLengthError } from "../../src/llm/errors.js";

const refusal = (limitTokens?: number) => new ModelContextLengthError("too long", 400, limitTokens);

describe("ModelBudgets", () => {
  it("uses the configured context until a model refuses it, then a smaller one for that model only", () => {
    const budgets = new ModelBudgets();
    expect(budgets.contextFor("qwen3", 8000)).toBe(8000);

    // llama.cpp said n_ctx 4096: the retry is built for 80% of it.
    expect(budgets.shrink("qwen3", refusal(4096), 8000)).toBe(Math.floor(4096 * CONTEXT_SHRINK_FACTOR));
    expect(budgets.contextFor("qwen3", 8000)).toBe(3276);
    expect(budgets.contextFor("gpt-4o", 8000)).toBe(8000);
  });

  it("shrinks from what was tried when the provider does not say its limit, or says more", () => {
    const budgets = new ModelBudgets();
    expect(budgets.shrink("a", refusal(), 8000)).toBe(6400);
    expect(budgets.shrink("b", refusal(128_000), 8000)).toBe(6400);
  });

  it("gives up instead of shrinking below the minimum", () => {
    const budgets = new ModelBudgets();
    expect(budgets.shrink("tiny", refusal(600), 600)).toBeUndefined();
    expect(budgets.contextFor("tiny", 600)).toBe(600);
    expect(budgets.shrink("small", refusal(700), 700)).toBe(560);
    expect(Math.floor(600 * CONTEXT_SHRINK_FACTOR)).toBeLessThan(MIN_CONTEXT_TOKENS);
  });
});
