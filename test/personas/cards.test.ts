import { describe, expect, it } from "vitest";
import { parseCard } from "../../src/personas/cards.js";

const V1_CARD = { name: "Moss", description: "{{char}} is a talking stone.", personality: "slow", scenario: "", first_mes: "...hello.", mes_example: "" };

describe("parseCard", () => {
  it("reads a JSON card saved with a byte order mark, as Windows editors write it", () => {
    const result = parseCard("personas/moss.json", "moss", "moss.json", Buffer.from(`\uFEFF${JSON.stringify(V1_CARD)}`));

    expect(result.problems).toBeUndefined();
    expect(result.persona).toMatchObject({ id: "moss", name: "Moss", prompt: "{{char}} is a talking stone.\n\n{{char}}'s personality: slow", greeting: "...hello." });
  });
});
