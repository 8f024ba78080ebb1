import { describe, expect, it } from "vitest";
import { ChatEngine, type ReplySink } from "../../src/chat/engine.js";
import { replyReserve, WINDOW_STEP_SHARE } from "../../src/chat/prompt.js";
import { Summarizer } from "../../src/chat/summarizer.js";
import { ModelClient } from "../../src/llm/client.js";
import { silentLogger } from "../../src/log.js";
import { openMemory } from "../../src/memory/index.js";
import { PersonaRegistry } from "../../src/personas/registry.js";
import { startFakeModelServer } from "../fakes/openai-server.js";
import { testPersona } from "../helpers/personas.js";

const CONTEXT_TOKENS = 3000;
const MESSAGES = 70;
const JUNIPER = testPersona({ id: "assistant", name: "Juniper", prompt: "You are {{char}}, a harbour guide." });
const CHANNEL = { key: "channel:100", guildId: "900", channelId: "100" };
const REPLY = "Aye, the tide turns twice a day and the gulls cry over the old harbour wall.";
const TOPICS = ["tide", "gulls", "lighthouse", "nets", "ferry", "storm", "market"];

const sink: ReplySink = { write: () => {}, end: async () => ({ shown: true, messageIds: [] }) };

/** The number of the oldest person's message the window holds (the note after the new message left out). */
function windowStart(messages: ReadonlyArray<{ role: string; content: unknown }>): number {
  const window = messages.slice(1, -1).map((m) => String(m.content));
  return Number(/Message (\d+):/.exec(window.join("\n"))?.[1]);
}

describe("the window's start while the summarizer is behind", () => {
  it("moves in big steps, never one turn per message", async () => {
    const server = await startFakeModelServer();
    const memory = openMemory(":memory:");
    // The summary model is down: every summary fails, so the turns after the (absent) summary outgrow the window.
    server.setDefault((req) => (req.body.stream === true ? { text: REPLY } : { status: 500 }));
    const model = new ModelClient({ baseURL: server.baseURL, apiKey: "sk-test", timeoutMs: 5000, maxRetries: 0 });
    const summarizer = new Summarizer({
      memory,
      model,
      log: silentLogger,
      settings: { model: "fake-model", contextTokens: CONTEXT_TOKENS },
      personaNames: () => [],
    });
    const registry = new PersonaRegistry([JUNIPER], "assistant");
    const engine = new ChatEngine({
      memory,
      model,
      personas: () => registry,
      settings: { defaultModel: "fake-model", contextTokens: CONTEXT_TOKENS },
      log: silentLogger,
      summarizer,
    });

    let summary: unknown;
    try {
      for (let n = 0; n < MESSAGES; n++) {
        const content = `Message ${n}: tell me about the ${TOPICS[n % TOPICS.length]} and the people who work near it.`;
        const turns = [{ authorId: "ana", authorName: "Ana", content }];
        const outcome = await engine.reply(
          { conversation: CHANNEL, persona: JUNIPER, turns, place: { server: "Harbour", channel: "general" } },
          sink,
        );
        expect(outcome.status).toBe("complete");
        await summarizer.idle();
      }
      summary = memory.summaries.get(CHANNEL.key);
    } finally {
      summarizer.stop();
      memory.close();
      await server.close();
    }

    expect(server.chatRequests().some((r) => r.body.stream !== true)).toBe(true);
    expect(summary).toBeUndefined();
    const starts = server
      .chatRequests()
      .filter((r) => r.body.stream === true)
      .map((r) => windowStart(r.body.messages))
      .filter((start) => Number.isFinite(start)); // the first prompt has no window
    const moves = starts.flatMap((start, i) => (i > 0 && start !== starts[i - 1] ? [start - starts[i - 1]!] : []));
    // The window outgrew its room, and its start moved forward only by whole steps: a step
    // is a quarter of the budget, here some 10 exchanges of about 50 tokens each.
    const stepTokens = Math.floor((CONTEXT_TOKENS - replyReserve(JUNIPER, CONTEXT_TOKENS)) * WINDOW_STEP_SHARE);
    expect(stepTokens).toBe(500);
    expect(starts.at(-1)).toBeGreaterThan(0);
    expect(moves.length).toBeGreaterThanOrEqual(2);
    expect(moves.every((messages) => messages >= 8)).toBe(true);
  });
});
