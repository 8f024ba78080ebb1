import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type Memory, openMemory } from "../../src/memory/index.js";
import type { NewTurn } from "../../src/memory/turns.js";
import { tempDirForTest } from "../helpers/temp-dir.js";

const CHANNEL = { key: "channel:100", guildId: "900", channelId: "100" };
const OTHER_CHANNEL = { key: "channel:200", guildId: "900", channelId: "200" };

function userTurn(content: string, extra: Partial<NewTurn> = {}): NewTurn {
  return { role: "user", authorId: "u1", authorName: "Ana", content, tokenCount: 5, createdAt: 1000, ...extra };
}

function botTurn(content: string, extra: Partial<NewTurn> = {}): NewTurn {
  return {
    role: "assistant",
    authorId: "persona:quill",
    authorName: "Captain Quill",
    personaId: "quill",
    content,
    tokenCount: 7,
    createdAt: 1001,
    ...extra,
  };
}

describe("TurnStore", () => {
  let memory: Memory;
  beforeEach(() => {
    memory = openMemory(":memory:");
  });
  afterEach(() => memory.close());

  it("stores turns and reads them back with every field", () => {
    const [userId, botId] = memory.turns.append(CHANNEL, [
      userTurn("Ahoy?", { messageId: "m1" }),
      botTurn("Ahoy yourself.", { messageId: "m2", status: "interrupted" }),
    ]);

    expect(memory.turns.recent(CHANNEL.key, 10)).toEqual([
      {
        id: botId,
        conversationKey: CHANNEL.key,
        role: "assistant",
        authorId: "persona:quill",
        authorName: "Captain Quill",
        personaId: "quill",
        messageId: "m2",
        content: "Ahoy yourself.",
        tokenCount: 7,
        status: "interrupted",
        createdAt: 1001,
      },
      {
        id: userId,
        conversationKey: CHANNEL.key,
        role: "user",
        authorId: "u1",
        authorName: "Ana",
        personaId: null,
        messageId: "m1",
        content: "Ahoy?",
        tokenCount: 5,
        status: "complete",
        createdAt: 1000,
      },
    ]);
  });

  it("creates the conversation with its place on the first append", () => {
    memory.turns.append({ key: "channel:300", guildId: "900", channelId: "300", parentId: "100" }, [
      userTurn("in a thread"),
    ]);
    expect(memory.db.prepare("SELECT key, guild_id, channel_id, parent_id FROM conversations").all()).toEqual([
      { key: "channel:300", guild_id: "900", channel_id: "300", parent_id: "100" },
    ]);
  });

  it("returns the newest turns first, at most `limit`, from one conversation only", () => {
    memory.turns.append(CHANNEL, [userTurn("one"), userTurn("two")]);
    memory.turns.append(OTHER_CHANNEL, [userTurn("elsewhere")]);
    memory.turns.append(CHANNEL, [userTurn("three"), userTurn("four")]);

    expect(memory.turns.recent(CHANNEL.key, 3).map((t) => t.content)).toEqual(["four", "three", "two"]);
    expect(memory.turns.recent(OTHER_CHANNEL.key, 3).map((t) => t.content)).toEqual(["elsewhere"]);
    expect(memory.turns.count(CHANNEL.key)).toBe(4);
    expect(memory.turns.count("channel:unknown")).toBe(0);
  });

  it("gives the ids and token counts of the turns `recent` returns, in the same order", () => {
    const [one, two] = memory.turns.append(CHANNEL, [userTurn("one"), botTurn("two")]);
    memory.turns.append(OTHER_CHANNEL, [userTurn("elsewhere")]);
    const [three] = memory.turns.append(CHANNEL, [userTurn("three", { tokenCount: 9 })]);

    expect(memory.turns.recentSizes(CHANNEL.key, 10)).toEqual([
      { id: three, tokenCount: 9 },
      { id: two, tokenCount: 7 },
      { id: one, tokenCount: 5 },
    ]);
    expect(memory.turns.recentSizes(CHANNEL.key, 2, one)).toEqual([
      { id: three, tokenCount: 9 },
      { id: two, tokenCount: 7 },
    ]);
    // With a budget, reading stops at the first turn past it, which is still returned.
    expect(memory.turns.recentSizes(CHANNEL.key, 10, 0, 15)).toEqual([
      { id: three, tokenCount: 9 },
      { id: two, tokenCount: 7 },
    ]);
    expect(memory.turns.recentSizes(CHANNEL.key, 10, 0, 16)).toEqual([
      { id: three, tokenCount: 9 },
      { id: two, tokenCount: 7 },
      { id: one, tokenCount: 5 },
    ]);
    expect(memory.turns.rangeSizes(CHANNEL.key, 0, three!, 10)).toEqual([
      { id: one, tokenCount: 5 },
      { id: two, tokenCount: 7 },
    ]);
    expect(memory.turns.rangeSizes(CHANNEL.key, one!, three! + 1, 1)).toEqual([{ id: two, tokenCount: 7 }]);
  });

  it("reads sizes of long conversations across several reads, stopping where it is told to", () => {
    const ids = memory.turns.append(
      CHANNEL,
      Array.from({ length: 250 }, (_, i) => userTurn(`turn ${i}`, { tokenCount: i + 1 })),
    );
    memory.turns.append(OTHER_CHANNEL, [userTurn("elsewhere")]);
    const newestFirst = ids.map((id, i) => ({ id, tokenCount: i + 1 })).reverse();

    expect(memory.turns.recentSizes(CHANNEL.key, 400)).toEqual(newestFirst);
    expect(memory.turns.recentSizes(CHANNEL.key, 230)).toEqual(newestFirst.slice(0, 230));
    expect(memory.turns.recentSizes(CHANNEL.key, 400, ids[99])).toEqual(newestFirst.slice(0, 150));
    // 250 + 249 + ... + 101 = 26,325 tokens for the newest 150; the 151st (100 tokens) goes past 26,400.
    expect(memory.turns.recentSizes(CHANNEL.key, 400, 0, 26_400)).toEqual(newestFirst.slice(0, 151));
  });

  it("reads the sizes of big turns with big ids exactly", () => {
    // Ids past 2^32, as a database that has stored billions of turns would have.
    memory.db
      .prepare(
        "INSERT INTO conversations (key, guild_id, channel_id, created_at) VALUES (@key, @guildId, @channelId, 0)",
      )
      .run(CHANNEL);
    memory.db
      .prepare(
        "INSERT INTO turns (id, conversation_key, role, author_id, author_name, content, token_count, created_at) VALUES (?, ?, 'user', 'u1', 'Ana', 'hi', 3, 0)",
      )
      .run(2 ** 32 + 5, CHANNEL.key);
    // About the largest turn Masque stores: a long message with five inlined 64 KB attachments.
    const [big, after] = memory.turns.append(CHANNEL, [
      userTurn("long", { tokenCount: 150_000 }),
      botTurn("short", { tokenCount: 1 }),
    ]);

    expect(big).toBe(2 ** 32 + 6);
    expect(memory.turns.recentSizes(CHANNEL.key, 10)).toEqual([
      { id: after, tokenCount: 1 },
      { id: big, tokenCount: 150_000 },
      { id: 2 ** 32 + 5, tokenCount: 3 },
    ]);
    expect(memory.turns.rangeSizes(CHANNEL.key, 0, after!, 10)).toEqual([
      { id: 2 ** 32 + 5, tokenCount: 3 },
      { id: big, tokenCount: 150_000 },
    ]);
  });

  it("writes all of an append or nothing", () => {
    memory.turns.append(CHANNEL, [userTurn("kept")]);
    // An assistant turn without a persona breaks a CHECK constraint after the first row went in.
    expect(() => memory.turns.append(CHANNEL, [userTurn("lost"), botTurn("no persona", { personaId: null })])).toThrow(
      "CHECK constraint failed",
    );
    expect(() => memory.turns.append(OTHER_CHANNEL, [userTurn("negative", { tokenCount: -1 })])).toThrow(
      "CHECK constraint failed",
    );

    expect(memory.turns.recent(CHANNEL.key, 10).map((t) => t.content)).toEqual(["kept"]);
    expect(memory.db.prepare("SELECT key FROM conversations").all()).toEqual([{ key: CHANNEL.key }]);
  });

  it("finds a turn by the message it came from", () => {
    memory.turns.append(CHANNEL, [userTurn("question", { messageId: "m1" }), botTurn("answer", { messageId: "m2" })]);
    expect(memory.turns.findByMessageId("m1")?.content).toBe("question");
    expect(memory.turns.findByMessageId("m2")?.content).toBe("answer");
    expect(memory.turns.findByMessageId("m3")).toBeUndefined();
  });

  it("gives a reply the first message it was sent as, and links the rest", () => {
    const [, botId] = memory.turns.append(CHANNEL, [
      userTurn("tell me a long tale"),
      botTurn("a very long tale", { messageId: "m10", moreMessageIds: ["m11", "m12"] }),
    ]);

    expect(memory.turns.recent(CHANNEL.key, 1)[0]?.messageId).toBe("m10");
    expect(memory.turns.findByMessageId("m10")?.id).toBe(botId);
    expect(memory.turns.findByMessageId("m11")?.id).toBe(botId);
    expect(memory.turns.findByMessageId("m12")?.content).toBe("a very long tale");
  });

  it("keeps turns across closing and reopening a file database", () => {
    const file = path.join(tempDirForTest(), "masque.db");
    const first = openMemory(file);
    first.turns.append(CHANNEL, [userTurn("remember me"), botTurn("I will.")]);
    first.close();

    const reopened = openMemory(file);
    expect(reopened.turns.recent(CHANNEL.key, 10).map((t) => [t.role, t.content])).toEqual([
      ["assistant", "I will."],
      ["user", "remember me"],
    ]);
    reopened.close();
  });

  it("deletes a conversation's turns and message links with the conversation", () => {
    memory.turns.append(CHANNEL, [userTurn("hi"), botTurn("hello", { messageId: "m1", moreMessageIds: ["m2"] })]);
    expect(memory.turns.findByMessageId("m2")?.content).toBe("hello");

    memory.db.prepare("DELETE FROM conversations WHERE key = ?").run(CHANNEL.key);

    expect(memory.turns.count(CHANNEL.key)).toBe(0);
    expect(memory.turns.findByMessageId("m2")).toBeUndefined();
  });
});
