import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { ModelRateLimitError, ModelServerError, ModelStreamError, ModelTimeoutError } from "../../src/llm/errors.js";
import type { ScriptedReply } from "../fakes/openai-server.js";
import { logged, mention, turnRows, waitForBotMessages } from "../helpers/e2e.js";
import { type Stack, startStack } from "../helpers/stack.js";

/** Short, so a stalled or late model fails the reply quickly; long enough that a busy machine answers in time. */
const MODEL_TIMEOUT_MS = 500;
const PARTIAL_CHUNKS = ["The tide", " turns"];
const PARTIAL_TEXT = PARTIAL_CHUNKS.join("");
/** The model's whole reply; the faults cut it after PARTIAL_CHUNKS. */
const FULL_CHUNKS = [...PARTIAL_CHUNKS, " and the gulls", " come home."];

const timeoutNote = new ModelTimeoutError("").userMessage;
const serverNote = new ModelServerError("").userMessage;
const rateLimitNote = new ModelRateLimitError("").userMessage;
const streamNote = new ModelStreamError("").userMessage;

const cutOff = (note: string) => `${PARTIAL_TEXT}\n\n*(${note})*`;
const afterPartial = (fault: ScriptedReply): ScriptedReply => ({ chunks: FULL_CHUNKS, ...fault });

describe("model faults seen through Discord", () => {
  let stack: Stack;
  beforeAll(() => {
    // The SDK warns on the unparsable frame that one case sends on purpose.
    vi.stubEnv("OPENAI_LOG", "off");
  });
  afterAll(() => {
    vi.unstubAllEnvs();
  });
  beforeEach(async () => {
    stack = await startStack({ env: { MODEL_TIMEOUT_MS: String(MODEL_TIMEOUT_MS) } });
  });
  afterEach(async () => {
    await stack.stop();
  });

  it.each<[string, ScriptedReply, string, string]>([
    ["a reply that starts after MODEL_TIMEOUT_MS", { delayMs: MODEL_TIMEOUT_MS * 4 }, "ModelTimeoutError", timeoutNote],
    ["HTTP 500", { status: 500 }, "ModelServerError", serverNote],
    ["HTTP 429", { status: 429, retryAfterSeconds: 30 }, "ModelRateLimitError", rateLimitNote],
  ])(
    "%s: the user gets a short message, the user turn is kept alone, and the next message is answered",
    async (_name, fault, errorName, note) => {
      stack.model.enqueue(fault, { text: "Back again." });
      const first = mention(stack, "hello?");

      expect(await waitForBotMessages(stack, stack.general, 1)).toEqual([note]);
      expect(turnRows(stack.core.memory.db)).toEqual([
        {
          conversation: `channel:${stack.general}`,
          role: "user",
          author: "Ali",
          content: "hello?",
          status: "complete",
          messageId: first,
        },
      ]);
      expect(logged(stack, "reply failed").map((entry) => (entry.err as { name: string }).name)).toEqual([errorName]);

      mention(stack, "and now?");
      expect(await waitForBotMessages(stack, stack.general, 2)).toEqual([note, "Back again."]);
      expect(stack.model.chatRequests()[1]!.body.messages.slice(1)).toEqual([
        { role: "user", content: "Ali: hello?\nAli: and now?" },
      ]);
      expect(turnRows(stack.core.memory.db).map((row) => [row.role, row.content, row.status])).toEqual([
        ["user", "hello?", "complete"],
        ["user", "and now?", "complete"],
        ["assistant", "Back again.", "complete"],
      ]);
      expect(logged(stack, "event handler failed")).toEqual([]);
    },
  );

  it.each<[string, ScriptedReply, string, string]>([
    ["an invalid SSE frame", afterPartial({ invalidFrameAfterChunks: 2 }), "ModelStreamError", streamNote],
    ["a connection reset", afterPartial({ cutAfterChunks: 2 }), "ModelStreamError", streamNote],
    ["a stall longer than MODEL_TIMEOUT_MS", afterPartial({ stallAfterChunks: 2 }), "ModelTimeoutError", timeoutNote],
  ])(
    "%s mid-stream: the partial reply is shown with a cut-off note, stored as interrupted, and the talk goes on",
    async (_name, fault, errorName, note) => {
      stack.model.enqueue(fault, { text: "As I was saying." });
      const first = mention(stack, "tell me of the sea");

      expect(await waitForBotMessages(stack, stack.general, 1)).toEqual([cutOff(note)]);
      const shown = stack.discord.channelMessages(stack.general).find((m) => m.content === cutOff(note))!;
      expect(turnRows(stack.core.memory.db)).toEqual([
        {
          conversation: `channel:${stack.general}`,
          role: "user",
          author: "Ali",
          content: "tell me of the sea",
          status: "complete",
          messageId: first,
        },
        {
          conversation: `channel:${stack.general}`,
          role: "assistant",
          author: "Juniper",
          content: PARTIAL_TEXT,
          status: "interrupted",
          messageId: shown.id,
        },
      ]);
      expect(logged(stack, "reply failed").map((entry) => (entry.err as { name: string }).name)).toEqual([errorName]);

      mention(stack, "go on?");
      expect(await waitForBotMessages(stack, stack.general, 2)).toEqual([cutOff(note), "As I was saying."]);
      expect(stack.model.chatRequests()[1]!.body.messages.slice(1)).toEqual([
        { role: "user", content: "Ali: tell me of the sea" },
        { role: "assistant", content: `${PARTIAL_TEXT}\n[this reply was cut off]` },
        { role: "user", content: "Ali: go on?" },
      ]);
      expect(turnRows(stack.core.memory.db).map((row) => [row.role, row.content, row.status])).toEqual([
        ["user", "tell me of the sea", "complete"],
        ["assistant", PARTIAL_TEXT, "interrupted"],
        ["user", "go on?", "complete"],
        ["assistant", "As I was saying.", "complete"],
      ]);
      expect(logged(stack, "event handler failed")).toEqual([]);
    },
  );
});
