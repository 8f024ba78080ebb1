import { describe, expect, it } from "vitest";
import { ModelTimeoutError } from "../../src/llm/errors.js";
import { EDIT_BUDGET_PER_SECOND, EDIT_INTERVAL_MS, EditBudget, failureNoteFor, type ReplySink, StreamingReply, TYPING_DELAY_MS } from "../../src/discord/streaming.js";

/** A sink that records what would reach Discord. */
function recordingSink(): ReplySink & { log: string[] } {
  const log: string[] = [];
  let next = 1;
  return {
    log,
    sendTyping: async () => {
      log.push("typing");
    },
    post: async (content, isFirst) => {
      const id = `m${next++}`;
      log.push(`post ${id}${isFirst ? " (reply)" : ""}: ${content.length > 200 ? `${content.slice(0, 12)}…(${content.length})` : content}`);
      return { id };
    },
    edit: async (messageId, content) => {
      log.push(`edit ${messageId}: ${content}`);
    },
  };
}

async function* pieces(...texts: string[]): AsyncGenerator<string> {
  for (const text of texts) yield text;
}

async function* failing(text: string, error: Error): AsyncGenerator<string> {
  yield text;
  throw error;
}

describe("EditBudget", () => {
  it("keeps the base interval for a few replies and stretches it when many stream at once", () => {
    const budget = new EditBudget();
    const leaves = Array.from({ length: 10 }, () => budget.join());
    expect(budget.intervalMs).toBe(EDIT_INTERVAL_MS);
    leaves.push(...Array.from({ length: 40 }, () => budget.join()));
    expect(budget.active).toBe(50);
    expect(budget.intervalMs).toBe(Math.ceil((50 * 1000) / EDIT_BUDGET_PER_SECOND));
    for (const leave of leaves) leave();
    leaves[0]!();
    expect(budget.active).toBe(0);
  });
});

describe("StreamingReply", () => {
  it("posts a quick reply as one message: no typing call, no edits", async () => {
    const sink = recordingSink();
    const reply = new StreamingReply(sink);
    reply.startTyping();
    const result = await reply.run(pieces("Hello", " there"), failureNoteFor);
    expect(sink.log).toEqual(["post m1 (reply): Hello there"]);
    expect(result).toEqual({ text: "Hello there", messageIds: ["m1"], error: undefined });
  });

  it("posts the final text as soon as it is complete, before the stream has ended", async () => {
    const sink = recordingSink();
    const reply = new StreamingReply(sink);
    let seenAtEnd: string[] = [];
    let delivered: readonly string[] = [];
    async function* storedAfterwards(): AsyncGenerator<string> {
      yield "Hello";
      yield " there";
      delivered = await reply.textComplete();
      seenAtEnd = [...sink.log]; // what had reached Discord when the engine went on to store
    }
    const result = await reply.run(storedAfterwards(), failureNoteFor);
    expect(seenAtEnd).toEqual(["post m1 (reply): Hello there"]);
    expect(delivered).toEqual(["m1"]);
    expect(sink.log).toEqual(["post m1 (reply): Hello there"]);
    expect(result).toEqual({ text: "Hello there", messageIds: ["m1"], error: undefined });
  });

  it("shows typing when the reply takes longer than TYPING_DELAY_MS to start", async () => {
    const sink = recordingSink();
    const reply = new StreamingReply(sink);
    reply.startTyping();
    async function* slow(): AsyncGenerator<string> {
      await new Promise((resolve) => setTimeout(resolve, TYPING_DELAY_MS + 100));
      yield "Finally.";
    }
    await reply.run(slow(), failureNoteFor);
    expect(sink.log).toEqual(["typing", "post m1 (reply): Finally."]);
  });

  it("continues a long reply in new messages, the first one a reply", async () => {
    const sink = recordingSink();
    const text = `${"a".repeat(1500)}\n\n${"b".repeat(1500)}`;
    const result = await new StreamingReply(sink).run(pieces(text), failureNoteFor);
    expect(sink.log).toEqual([`post m1 (reply): ${"a".repeat(12)}…(1500)`, `post m2: ${"b".repeat(12)}…(1500)`]);
    expect(result.messageIds).toEqual(["m1", "m2"]);
  });

  it("keeps what arrived and adds a plain note when the stream fails", async () => {
    const sink = recordingSink();
    const error = new ModelTimeoutError("slow");
    const result = await new StreamingReply(sink).run(failing("Partial answer", error), failureNoteFor);
    expect(sink.log).toEqual([`post m1 (reply): Partial answer\n\n*(${error.userMessage})*`]);
    expect(result.error).toBe(error);
    expect(result.text).toBe("Partial answer");
  });

  it("says only the note when nothing arrived", async () => {
    const sink = recordingSink();
    await new StreamingReply(sink).run(failing("", new Error("boom")), failureNoteFor);
    expect(sink.log).toEqual(["post m1 (reply): Something went wrong on my side while answering. Please try again."]);
  });
});
