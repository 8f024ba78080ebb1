import { describe, expect, it } from "vitest";
import { type SplitPiece, ThinkSplitter } from "../../src/llm/think.js";

/** Feeds the chunks through one splitter and joins what came out per kind. */
function split(chunks: readonly string[]): { answer: string; reasoning: string; pieces: SplitPiece[] } {
  const splitter = new ThinkSplitter();
  const pieces = [...chunks.flatMap((chunk) => splitter.push(chunk)), ...splitter.end()];
  const join = (kind: SplitPiece["kind"]) =>
    pieces
      .filter((p) => p.kind === kind)
      .map((p) => p.text)
      .join("");
  return { answer: join("answer"), reasoning: join("reasoning"), pieces };
}

/** Every way of cutting `text` into two chunks. */
function everyCut(text: string): Array<[string, string]> {
  return Array.from({ length: text.length + 1 }, (_, i) => [text.slice(0, i), text.slice(i)] as [string, string]);
}

describe("ThinkSplitter", () => {
  it("passes a reply without thinking through unchanged, piece by piece", () => {
    const { answer, reasoning, pieces } = split(["Ahoy", ", matey!"]);

    expect(answer).toBe("Ahoy, matey!");
    expect(reasoning).toBe("");
    expect(pieces).toEqual([
      { kind: "answer", text: "Ahoy" },
      { kind: "answer", text: ", matey!" },
    ]);
  });

  it("separates a think block from the answer and drops the blank lines between them", () => {
    // Qwen3 served by llama.cpp with --reasoning-format none writes "<think>\n…\n</think>\n\n" before the answer.
    const { answer, reasoning } = split(["<think>\nThe user greets me.\n</think>\n\nHello!"]);

    expect(answer).toBe("Hello!");
    expect(reasoning).toBe("\nThe user greets me.\n");
  });

  it("finds both tags wherever a chunk border cuts them", () => {
    const text = "<think>plan the joke</think>\n\nWhy did the gull cross the sea?";
    for (const [first, second] of everyCut(text)) {
      const result = split([first, second]);
      expect({ cut: first.length, answer: result.answer, reasoning: result.reasoning }).toEqual({
        cut: first.length,
        answer: "Why did the gull cross the sea?",
        reasoning: "plan the joke",
      });
    }
  });

  it("finds the tags when every character is its own chunk", () => {
    const { answer, reasoning } = split([..."  <think>a</think>b"]);

    expect(answer).toBe("b");
    expect(reasoning).toBe("a");
  });

  it("treats a block that never closes as reasoning to the end, with no answer", () => {
    const { answer, reasoning } = split(["<think>I should say", " something about </thi"]);

    expect(answer).toBe("");
    expect(reasoning).toBe("I should say something about </thi");
  });

  it("keeps a think tag that comes after the answer has begun: it is part of the answer", () => {
    const { answer, reasoning } = split(["Models write ", "<think> before they answer."]);

    expect(answer).toBe("Models write <think> before they answer.");
    expect(reasoning).toBe("");
  });

  it("gives back a held start of a tag as answer text when the stream ends there", () => {
    expect(split(["<thi"]).answer).toBe("<thi");
    expect(split(["<thinking is fun"]).answer).toBe("<thinking is fun");
  });

  it("yields nothing at all for a reply that is only whitespace", () => {
    expect(split(["\n", "  "]).pieces).toEqual([]);
  });
});
