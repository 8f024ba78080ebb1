import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { ReplyEnding, ReplyOutcome, ReplyRequest } from "../../src/chat/engine.js";
import { loadPersonas } from "../../src/personas/registry.js";
import { engineOverFakeModel } from "../helpers/engine.js";

class Flagged extends Error {}

const CONVERSATION = { key: "cli:review-test" };

const fixture = engineOverFakeModel(loadPersonas("personas", "assistant"), {
  defaultModel: "fake-model",
  contextTokens: 8000,
});

function request(review: ReplyRequest["review"]): ReplyRequest {
  return {
    conversation: CONVERSATION,
    persona: fixture.engine.resolvePersona(CONVERSATION).persona,
    turns: [{ authorId: "u1", authorName: "Ali", content: "hello" }],
    place: { server: "Terminal", channel: "test" },
    review,
  };
}

/** Runs a reply into a sink that keeps the pieces shown; returns them with the outcome. */
async function collect(req: ReplyRequest): Promise<{ pieces: string[]; error?: unknown; outcome: ReplyOutcome }> {
  const pieces: string[] = [];
  const outcome = await fixture.engine.reply(req, {
    write: (piece) => void pieces.push(piece),
    end: async () => ({ shown: true, messageIds: [] }),
  });
  return { pieces, error: outcome.error, outcome };
}

describe("ChatEngine with a review", () => {
  it("holds the reply until the review passes, then gives it in one piece and stores it", async () => {
    fixture.server.enqueue({ text: "A reply in several chunks.", chunkSize: 4 });
    const reviewed: string[] = [];
    const { pieces, error, outcome } = await collect(request(async (texts) => void reviewed.push(...texts)));
    expect(error).toBeUndefined();
    expect(reviewed).toEqual(["A reply in several chunks."]);
    expect(pieces).toEqual(["A reply in several chunks."]);
    expect(outcome.status).toBe("complete");
    expect(fixture.memory.turns.recent(CONVERSATION.key, 10).map((t) => t.content)).toEqual([
      "A reply in several chunks.",
      "hello",
    ]);
  });

  it("withholds a reply the review rejects: nothing comes out, the outcome carries the review's error, only the user turn is stored", async () => {
    fixture.server.enqueue({ text: "Something the server does not allow." });
    const verdict = new Flagged("flagged");
    const { pieces, error, outcome } = await collect(request(async () => Promise.reject(verdict)));
    expect(pieces).toEqual([]);
    expect(error).toBe(verdict);
    expect(outcome).toMatchObject({ status: "withheld", text: "", assistantTurnId: undefined });
    expect(fixture.memory.turns.recent(CONVERSATION.key, 10).map((t) => t.content)).toEqual(["hello"]);
  });

  describe("for a sink that shows the model's thinking", () => {
    beforeEach(() => fixture.server.setProvider({ kind: "deepseek" }));
    afterEach(() => fixture.server.setProvider(undefined));

    /** Runs a reply into a sink that shows thinking; returns what the review saw and how the sink was told to end. */
    async function withThinking(review: ReplyRequest["review"]) {
      const endings: ReplyEnding[] = [];
      const sink = {
        showsReasoning: true,
        write: () => {},
        end: async (ending: ReplyEnding) => {
          endings.push(ending);
          return { shown: true, messageIds: [] };
        },
      };
      const outcome = await fixture.engine.reply(request(review), sink);
      return { outcome, endings };
    }

    it("reviews the thinking with the text, in one call, and hands it to the sink once both passed", async () => {
      fixture.server.enqueue({ reasoning: "Think first.", text: "Then answer." });
      const reviewed: string[][] = [];
      const { outcome, endings } = await withThinking(async (texts) => void reviewed.push([...texts]));
      expect(reviewed).toEqual([["Then answer.", "Think first."]]);
      expect(outcome.status).toBe("complete");
      expect(endings).toEqual([{ text: "Then answer.", reasoning: "Think first." }]);
    });

    it("gives the sink no thinking for a withheld reply, nor for a failed one", async () => {
      fixture.server.enqueue(
        { reasoning: "Think first.", text: "Then answer." },
        { reasoning: "Half a thought.", text: "Never said.", cutAfterChunks: 0 },
      );
      const withheld = await withThinking(async () => Promise.reject(new Flagged("flagged")));
      const failed = await withThinking(undefined);
      expect([withheld.outcome.status, failed.outcome.status]).toEqual(["withheld", "failed"]);
      expect([...withheld.endings, ...failed.endings].map((e) => e.reasoning)).toEqual([undefined, undefined]);
    });
  });

  it("stores no unreviewed text when the model fails midway", async () => {
    fixture.server.enqueue({ text: "Half a reply that never ends", chunkSize: 5, cutAfterChunks: 2 });
    const { pieces, error, outcome } = await collect(request(async () => {}));
    expect(pieces).toEqual([]);
    expect(error).toBeDefined();
    expect(outcome.status).toBe("failed");
    expect(fixture.memory.turns.recent(CONVERSATION.key, 10).map((t) => t.role)).toEqual(["user"]);
  });
});
