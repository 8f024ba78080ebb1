import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ChatEngine, type ReplyRequest } from "../../src/chat/engine.js";
import { ModelClient } from "../../src/llm/client.js";
import { silentLogger } from "../../src/log.js";
import { type Memory, openMemory } from "../../src/memory/index.js";
import { loadPersonas } from "../../src/personas/registry.js";
import { type FakeModelServer, startFakeModelServer } from "../fakes/openai-server.js";

class Flagged extends Error {}

const CONVERSATION = { key: "cli:review-test" };

let model: FakeModelServer;
let memory: Memory;
let engine: ChatEngine;

beforeAll(async () => {
  model = await startFakeModelServer();
});
afterAll(() => model.close());
beforeEach(() => {
  memory = openMemory(":memory:");
  const registry = loadPersonas("personas", "assistant");
  engine = new ChatEngine({
    memory,
    model: new ModelClient({ baseURL: model.baseURL, apiKey: "test", timeoutMs: 3000, maxRetries: 0 }),
    personas: () => registry,
    settings: { defaultModel: "fake-model", contextTokens: 8000 },
    log: silentLogger,
  });
});
afterEach(() => {
  memory.close();
  model.reset();
});

function request(review: ReplyRequest["review"]): ReplyRequest {
  return {
    conversation: CONVERSATION,
    persona: engine.resolvePersona(CONVERSATION),
    turns: [{ authorId: "u1", authorName: "Ali", content: "hello" }],
    place: { server: "Terminal", channel: "test" },
    review,
  };
}

async function collect(stream: AsyncIterable<string>): Promise<{ pieces: string[]; error?: unknown }> {
  const pieces: string[] = [];
  try {
    for await (const piece of stream) pieces.push(piece);
    return { pieces };
  } catch (error) {
    return { pieces, error };
  }
}

describe("ChatEngine with a review", () => {
  it("holds the reply until the review passes, then gives it in one piece and stores it", async () => {
    model.enqueue({ text: "A reply in several chunks.", chunkSize: 4 });
    const reviewed: string[] = [];
    const stream = engine.reply(request(async (text) => void reviewed.push(text)));
    const { pieces, error } = await collect(stream);
    expect(error).toBeUndefined();
    expect(reviewed).toEqual(["A reply in several chunks."]);
    expect(pieces).toEqual(["A reply in several chunks."]);
    expect(stream.outcome?.status).toBe("complete");
    expect(memory.turns.recent(CONVERSATION.key, 10).map((t) => t.content)).toEqual(["A reply in several chunks.", "hello"]);
  });

  it("withholds a reply the review rejects: nothing comes out, the review's error is thrown, only the user turn is stored", async () => {
    model.enqueue({ text: "Something the server does not allow." });
    const verdict = new Flagged("flagged");
    const stream = engine.reply(request(async () => Promise.reject(verdict)));
    const { pieces, error } = await collect(stream);
    expect(pieces).toEqual([]);
    expect(error).toBe(verdict);
    expect(stream.outcome).toMatchObject({ status: "withheld", text: "", assistantTurnId: undefined });
    expect(memory.turns.recent(CONVERSATION.key, 10).map((t) => t.content)).toEqual(["hello"]);
  });

  it("stores no unreviewed text when the model fails midway", async () => {
    model.enqueue({ text: "Half a reply that never ends", chunkSize: 5, cutAfterChunks: 2 });
    const stream = engine.reply(request(async () => {}));
    const { pieces, error } = await collect(stream);
    expect(pieces).toEqual([]);
    expect(error).toBeDefined();
    expect(stream.outcome?.status).toBe("failed");
    expect(memory.turns.recent(CONVERSATION.key, 10).map((t) => t.role)).toEqual(["user"]);
  });
});
