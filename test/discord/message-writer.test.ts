import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ModelAuthError, ModelTimeoutError } from "../../src/llm/errors.js";
import { DISCORD_MESSAGE_LIMIT, splitMessage } from "../../src/discord/split.js";
import { EDIT_BUDGET_PER_SECOND, EDIT_INTERVAL_MS, EditBudget } from "../../src/discord/edit-budget.js";
import {
  CUT_NOTE_ROOM,
  type MessagePoster,
  MessageWriter,
  TYPING_DELAY_MS,
  TYPING_REFRESH_MS,
} from "../../src/discord/message-writer.js";
import { REPLY_NOTES } from "../../src/texts.js";

/** A sink that records what would reach Discord. */
function recordingSink(): MessagePoster & { log: string[] } {
  const log: string[] = [];
  let next = 1;
  return {
    log,
    sendTyping: async () => {
      log.push("typing");
    },
    post: async (content, isFirst) => {
      const id = `m${next++}`;
      log.push(
        `post ${id}${isFirst ? " (reply)" : ""}: ${content.length > 200 ? `${content.slice(0, 12)}…(${content.length})` : content}`,
      );
      return { id };
    },
    edit: async (messageId, content) => {
      log.push(`edit ${messageId}: ${content}`);
    },
    postFile: async (content, file) => {
      const id = `m${next++}`;
      log.push(`post ${id} with ${file.name} (${file.text}): ${content}`);
      return { id };
    },
  };
}

/** Feeds a reply as the engine does: each piece, then the ending (with the error, if the stream failed). */
async function play(reply: MessageWriter, stream: AsyncIterable<string>) {
  let text = "";
  try {
    for await (const piece of stream) {
      text += piece;
      reply.write(piece);
    }
  } catch (error) {
    return reply.end({ text, error: error as Error });
  }
  return reply.end({ text });
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

describe("MessageWriter", () => {
  // The cadence is the streaming's contract: fake timers make each due time exact and the tests instant.
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("posts a quick reply as one message: no typing call, no edits", async () => {
    const sink = recordingSink();
    const reply = new MessageWriter(sink);
    reply.start();
    const shown = await play(reply, pieces("Hello", " there"));
    expect(sink.log).toEqual(["post m1 (reply): Hello there"]);
    expect(shown).toEqual({ shown: true, messageIds: ["m1"] });
    expect(reply.text).toBe("Hello there");
  });

  it("shows a heading before the reply (a cast member's name) within Discord's limit, and never counts it as the reply's text", async () => {
    const sink = recordingSink();
    const reply = new MessageWriter(sink, { heading: "**Wren:** " });
    const long = "x".repeat(DISCORD_MESSAGE_LIMIT - 5);
    const shown = await play(reply, pieces(long));
    expect(sink.log).toEqual([
      `post m1 (reply): **Wren:** ${"x".repeat(12 - "**Wren:** ".length)}…(${DISCORD_MESSAGE_LIMIT})`,
      "post m2: xxxxx",
    ]);
    expect(shown).toEqual({ shown: true, messageIds: ["m1", "m2"] });
    expect(reply.text).toBe(long);
  });

  it("keeps a headed reply Discord took only part of as that part, without the heading", async () => {
    const sink = recordingSink();
    let edits = 0;
    const failingEdits: MessagePoster = {
      ...sink,
      edit: async () => Promise.reject(new Error(`edit ${++edits} refused`)),
    };
    const reply = new MessageWriter(failingEdits, { heading: "**Wren:** ", budget: new EditBudget(0) });
    reply.write("Once upon");
    await vi.advanceTimersByTimeAsync(0); // the first flush is due at once with a zero interval
    const shown = await reply.end({ text: "Once upon a time." });
    expect(shown).toEqual({ shown: true, messageIds: ["m1"], partial: "Once upon" });
  });

  it("posts the final text as soon as the reply ends, without waiting for the next edit time", async () => {
    const sink = recordingSink();
    const reply = new MessageWriter(sink, { budget: new EditBudget(60_000) });
    reply.start();
    reply.write("Hello");
    reply.write(" there");
    const shown = await reply.end({ text: "Hello there" });
    // What had reached Discord when the engine went on to store the reply.
    expect(sink.log).toEqual(["post m1 (reply): Hello there"]);
    expect(shown).toEqual({ shown: true, messageIds: ["m1"] });
  });

  it("shows typing when the reply takes longer than TYPING_DELAY_MS to start", async () => {
    const sink = recordingSink();
    const reply = new MessageWriter(sink);
    reply.start();
    await vi.advanceTimersByTimeAsync(TYPING_DELAY_MS - 1);
    expect(sink.log).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    await play(reply, pieces("Finally."));
    expect(sink.log).toEqual(["typing", "post m1 (reply): Finally."]);
  });

  it("refreshes typing every TYPING_REFRESH_MS until the first message is up", async () => {
    const sink = recordingSink();
    const reply = new MessageWriter(sink);
    reply.start();
    await vi.advanceTimersByTimeAsync(TYPING_DELAY_MS + 2 * TYPING_REFRESH_MS);
    expect(sink.log).toEqual(["typing", "typing", "typing"]);
    await play(reply, pieces("Here."));
    await vi.advanceTimersByTimeAsync(2 * TYPING_REFRESH_MS);
    expect(sink.log).toEqual(["typing", "typing", "typing", "post m1 (reply): Here."]);
  });

  it("posts the first text one edit interval after it starts, then edits at most once per interval", async () => {
    const sink = recordingSink();
    const shownAt: Array<[number, string]> = [];
    const timed: MessagePoster = {
      ...sink,
      post: async (content, isFirst) => {
        shownAt.push([Date.now() - start, content]);
        return sink.post(content, isFirst);
      },
      edit: async (id, content) => {
        shownAt.push([Date.now() - start, content]);
        return sink.edit(id, content);
      },
    };
    const streamed = new MessageWriter(timed);
    const start = Date.now();
    // A piece every 300 ms for 3 s: ten pieces, far more than one edit per interval allows.
    for (let i = 1; i <= 10; i++) {
      streamed.write(i === 1 ? "1" : ` ${i}`);
      await vi.advanceTimersByTimeAsync(300);
    }
    await streamed.end({ text: "1 2 3 4 5 6 7 8 9 10" });
    // Due at 1.25 s and 2.5 s; the end is shown at once, at 3 s, not at the next due time.
    expect(shownAt).toEqual([
      [EDIT_INTERVAL_MS, "1 2 3 4 5"],
      [2 * EDIT_INTERVAL_MS, "1 2 3 4 5 6 7 8 9"],
      [3000, "1 2 3 4 5 6 7 8 9 10"],
    ]);
    expect(sink.log).toEqual([
      "post m1 (reply): 1 2 3 4 5",
      "edit m1: 1 2 3 4 5 6 7 8 9",
      "edit m1: 1 2 3 4 5 6 7 8 9 10",
    ]);
  });

  it("continues a long reply in new messages, the first one a reply", async () => {
    const sink = recordingSink();
    const text = `${"a".repeat(1500)}\n\n${"b".repeat(1500)}`;
    const shown = await play(new MessageWriter(sink), pieces(text));
    expect(sink.log).toEqual([`post m1 (reply): ${"a".repeat(12)}…(1500)`, `post m2: ${"b".repeat(12)}…(1500)`]);
    expect(shown.messageIds).toEqual(["m1", "m2"]);
  });

  it("keeps what arrived and adds a plain note when the stream fails", async () => {
    const sink = recordingSink();
    const error = new ModelTimeoutError("slow");
    const reply = new MessageWriter(sink);
    const shown = await play(reply, failing("Partial answer", error));
    expect(sink.log).toEqual([`post m1 (reply): Partial answer\n\n*(${error.userMessage})*`]);
    expect(shown).toEqual({ shown: true, messageIds: ["m1"] });
    expect(reply.text).toBe("Partial answer");
  });

  it("says only the note when nothing arrived", async () => {
    const sink = recordingSink();
    await play(new MessageWriter(sink), failing("", new Error("boom")));
    expect(sink.log).toEqual(["post m1 (reply): Something went wrong on my side while answering. Please try again."]);
  });

  it("adds a later error's note under a reply already shown", async () => {
    const sink = recordingSink();
    const reply = new MessageWriter(sink);
    await play(reply, pieces("Stored?"));
    const shown = await reply.end({ text: reply.text, error: new Error("database is locked") });
    expect(sink.log).toEqual([
      "post m1 (reply): Stored?",
      "edit m1: Stored?\n\n*(Something went wrong on my side while answering. Please try again.)*",
    ]);
    expect(shown).toEqual({ shown: true, messageIds: ["m1"] });
  });

  it("reports a reply Discord took none of as not shown", async () => {
    const sink = { ...recordingSink(), post: async () => Promise.reject(new Error("Missing Permissions")) };
    const errors: unknown[] = [];
    const shown = await play(new MessageWriter(sink, { onSinkError: (error) => errors.push(error) }), pieces("Hello"));
    expect(shown).toEqual({ shown: false, messageIds: [] });
    expect(errors).toEqual([new Error("Missing Permissions")]);
  });
});

describe("MessageWriter: replies that end", () => {
  it("gives a reply room for maxMessages messages, keeping room for the cut note", () => {
    const reply = new MessageWriter(recordingSink(), { maxMessages: 2 });
    const short = "word ".repeat(100);
    const endless = "word ".repeat(2000);

    expect(reply.room(short)).toBe(short.length);
    const room = reply.room(endless);
    expect(room).toBeLessThan(endless.length);
    expect(splitMessage(`${endless.slice(0, room)}\n\n*(${REPLY_NOTES.cut.messages})*`)).toHaveLength(2);
    // Nearly two whole messages are used, not just one.
    expect(room).toBeGreaterThan(2 * DISCORD_MESSAGE_LIMIT - 2 * CUT_NOTE_ROOM);
  });

  it("marks a cut reply with the plain note for why it was cut", async () => {
    const sink = recordingSink();
    const reply = new MessageWriter(sink);
    await reply.end({ text: "Once upon a time", cut: "deadline" });
    expect(sink.log).toEqual([`post m1 (reply): Once upon a time\n\n*(${REPLY_NOTES.cut.deadline})*`]);
  });

  it("posts nothing for a failure the people here were already told about", async () => {
    const sink = recordingSink();
    const shown = await new MessageWriter(sink).end({ text: "", error: new ModelAuthError("401", 401), quiet: true });
    expect(shown).toEqual({ shown: false, messageIds: [] });
    expect(sink.log).toEqual([]);
  });

  it("shows the thinking after the reply only when asked: as a spoiler, or as a file", async () => {
    const off = recordingSink();
    await new MessageWriter(off).end({ text: "Four.", reasoning: "2 + 2" });
    const spoiler = recordingSink();
    await new MessageWriter(spoiler, { showReasoning: "spoiler" }).end({ text: "Four.", reasoning: "2 + 2 || 4" });
    const file = recordingSink();
    await new MessageWriter(file, { showReasoning: "file" }).end({ text: "Four.", reasoning: "2 + 2" });

    expect(off.log).toEqual(["post m1 (reply): Four."]);
    expect(spoiler.log).toEqual(["post m1 (reply): Four.", "post m2: Reasoning:\n||2 + 2 |\u200b| 4||"]);
    expect(file.log).toEqual([
      "post m1 (reply): Four.",
      "post m2 with reasoning.txt (2 + 2): My reasoning for that reply:",
    ]);
  });

  it("posts no thinking under a failure note or a withheld notice", async () => {
    const sink = recordingSink();
    await new MessageWriter(sink, { showReasoning: "spoiler", failureNote: () => "Not shown." }).end({
      text: "",
      error: new Error("withheld"),
      reasoning: "2 + 2",
    });
    expect(sink.log).toEqual(["post m1 (reply): Not shown."]);
  });
});
