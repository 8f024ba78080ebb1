import { describe, expect, it } from "vitest";
import {
  buildPrompt,
  MAX_RECALLED_CHARS,
  NOTE_CLOSING,
  NOTE_OPENING,
  type PendingTurn,
  RECALL_HEADING,
  RECALL_MAX_SHARE,
  type RecalledTurn,
  replyReserve,
  SUMMARY_HEADING,
  systemPrompt,
} from "../../src/chat/prompt.js";
import { countTokens, countTurnTokens } from "../../src/chat/tokens.js";
import type { Turn } from "../../src/memory/turns.js";
import { T0 } from "../helpers/memory.js";
import { JUNIPER, MACROS } from "../helpers/personas.js";

const CONTEXT = 4000;
const question: PendingTurn = {
  authorId: "ali",
  authorName: "Ali",
  content: "what was my dog called?",
  tokenCount: countTurnTokens("Ali", "what was my dog called?"),
};

function turn(id: number, authorName: string, content: string, extra: Partial<Turn> = {}): Turn {
  return {
    id,
    conversationKey: "channel:1",
    role: "user",
    authorId: authorName,
    authorName,
    personaId: null,
    messageId: null,
    content,
    tokenCount: countTurnTokens(authorName, content),
    status: "complete",
    createdAt: T0,
    ...extra,
  };
}

const recalled = (t: Turn, elsewhere = false): RecalledTurn => ({ turn: t, elsewhere });

describe("buildPrompt with summary and recall", () => {
  it("leaves the system prompt alone when there is neither", () => {
    const prompt = buildPrompt({
      persona: JUNIPER,
      macros: MACROS,
      history: [],
      newTurns: [question],
      contextTokens: CONTEXT,
    });
    expect(prompt.messages[0]).toEqual({ role: "system", content: systemPrompt(JUNIPER, MACROS, true) });
    expect(prompt.summaryIncluded).toBe(false);
    expect(prompt.recalledTurns).toBe(0);
  });

  it("adds the summary as a labelled section of the system prompt, before the window", () => {
    const summary = { content: "Ali said their dog is called Biscuit. Bob has no pets.", tokenCount: 15 };
    const prompt = buildPrompt({
      persona: JUNIPER,
      macros: MACROS,
      history: [turn(42, "Bob", "nice weather")],
      summary,
      newTurns: [question],
      contextTokens: CONTEXT,
    });
    expect(prompt.messages).toEqual([
      { role: "system", content: `${systemPrompt(JUNIPER, MACROS, true)}\n\n${SUMMARY_HEADING}\n${summary.content}` },
      { role: "user", content: "Bob: nice weather\nAli: what was my dog called?" },
    ]);
    expect(prompt.summaryIncluded).toBe(true);
  });

  it("labels recalled turns with date, speaker and place, oldest first", () => {
    const prompt = buildPrompt({
      persona: JUNIPER,
      macros: MACROS,
      history: [],
      recalled: [
        recalled(
          turn(30, "Juniper", "Biscuit is a fine name.", {
            role: "assistant",
            personaId: "assistant",
            createdAt: T0 + 86_400_000,
          }),
        ),
        recalled(turn(10, "Ali", "My dog is called Biscuit.")),
        recalled(turn(20, "Quill", "Arr, a dog!", { role: "assistant", personaId: "quill" })),
        recalled(turn(5, "Cy", "My dog is called Rex."), true),
      ],
      newTurns: [question],
      contextTokens: CONTEXT,
    });
    // Recalled turns change with every message, so they are a note just after it, not part of the system prompt.
    expect(prompt.messages).toEqual([
      { role: "system", content: systemPrompt(JUNIPER, MACROS, true) },
      {
        role: "user",
        content:
          `Ali: what was my dog called?\n${NOTE_OPENING}\n${RECALL_HEADING}\n` +
          "[2025-01-01, in another channel] Cy: My dog is called Rex.\n" +
          "[2025-01-01] Ali: My dog is called Biscuit.\n" +
          "[2025-01-01] Quill (another persona): Arr, a dog!\n" +
          "[2025-01-02] Juniper (you): Biscuit is a fine name.\n" +
          NOTE_CLOSING,
      },
    ]);
    expect(prompt.recalledTurns).toBe(4);
  });

  it("gives recall at most its share of the budget, keeping the most relevant turns that fit", () => {
    const long = "word ".repeat(MAX_RECALLED_CHARS);
    const small = 2000;
    const budget = small - replyReserve(JUNIPER, small);
    const prompt = buildPrompt({
      persona: JUNIPER,
      macros: MACROS,
      history: [],
      recalled: [
        recalled(turn(1, "Ali", long)),
        recalled(turn(2, "Bob", long)),
        recalled(turn(3, "Cy", long)),
        recalled(turn(4, "Di", "short one")),
      ],
      newTurns: [question],
      contextTokens: small,
    });
    const section = String(prompt.messages.at(-1)!.content)
      .split(`${RECALL_HEADING}\n`)[1]!
      .split(`\n${NOTE_CLOSING}`)[0]!;
    expect(countTokens(`${RECALL_HEADING}\n${section}`)).toBeLessThanOrEqual(Math.floor(budget * RECALL_MAX_SHARE));
    expect(section.split("\n").map((line) => line.split(":")[0])).toEqual(["[2025-01-01] Ali", "[2025-01-01] Di"]);
    expect(section).toContain(`${"word ".repeat(MAX_RECALLED_CHARS).slice(0, MAX_RECALLED_CHARS)}…`);
  });

  it("lays the prompt out from the most stable part to the least: the next message's prompt starts with all of this one's up to its note", () => {
    const summary = { content: "Ali said their dog is called Biscuit.", tokenCount: 12 };
    const window = [
      turn(40, "Bob", "nice weather"),
      turn(41, "Juniper", "It is!", { role: "assistant", personaId: "assistant" }),
    ];
    const first = buildPrompt({
      persona: JUNIPER,
      macros: MACROS,
      history: [...window].reverse(),
      summary,
      recalled: [recalled(turn(10, "Ali", "My dog is called Biscuit."))],
      newTurns: [question],
      contextTokens: CONTEXT,
    });
    const said = turn(42, "Ali", question.content);
    const answered = turn(43, "Juniper", "Biscuit!", { role: "assistant", personaId: "assistant" });
    const next = buildPrompt({
      persona: JUNIPER,
      macros: MACROS,
      history: [answered, said, ...[...window].reverse()],
      summary,
      recalled: [recalled(turn(11, "Cy", "Biscuits are tasty."))],
      newTurns: [{ ...question, content: "and biscuits?" }],
      contextTokens: CONTEXT,
    });
    // Everything before the note is the same, the new message included: a provider's prefix cache serves it.
    expect(next.messages.slice(0, first.messages.length - 1)).toEqual(first.messages.slice(0, -1));
    const [sent, note] = String(first.messages.at(-1)!.content).split(`\n${NOTE_OPENING}`);
    expect(next.messages[first.messages.length - 1]).toEqual({ role: "user", content: sent });
    expect(first.messages[0]!.content).toContain(`${SUMMARY_HEADING}\n${summary.content}`);
    expect(note).toContain("Ali: My dog is called Biscuit.");
    expect(next.messages.at(-1)!.content).toMatch(
      /^Ali: and biscuits\?\n.*Cy: Biscuits are tasty\.\n\[End of notes\.\]$/s,
    );
  });

  it("drops a summary that does not fit and still fills the window", () => {
    const prompt = buildPrompt({
      persona: JUNIPER,
      macros: MACROS,
      history: [turn(2, "Bob", "recent words")],
      summary: { content: "far too long", tokenCount: CONTEXT },
      newTurns: [question],
      contextTokens: CONTEXT,
    });
    expect(prompt.summaryIncluded).toBe(false);
    expect(prompt.messages[0]!.content).not.toContain(SUMMARY_HEADING);
    expect(prompt.historyTurns).toBe(1);
  });

  it("counts the summary and recalled turns against the budget, so the window shrinks", () => {
    const history = Array.from({ length: 200 }, (_, i) =>
      turn(1000 - i, "Bob", `filler line number ${i} with some words`),
    );
    const plain = buildPrompt({
      persona: JUNIPER,
      macros: MACROS,
      history,
      newTurns: [question],
      contextTokens: CONTEXT,
    });
    const withMemory = buildPrompt({
      persona: JUNIPER,
      macros: MACROS,
      history,
      summary: { content: "s ".repeat(200), tokenCount: 200 },
      recalled: [recalled(turn(1, "Ali", "My dog is called Biscuit."))],
      newTurns: [question],
      contextTokens: CONTEXT,
    });
    const budget = CONTEXT - replyReserve(JUNIPER, CONTEXT);
    expect(plain.tokens).toBeLessThanOrEqual(budget);
    expect(withMemory.tokens).toBeLessThanOrEqual(budget);
    expect(withMemory.historyTurns).toBeLessThan(plain.historyTurns);
  });
});
