import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createLogger } from "../../src/log.js";
import { checkpointInBackground } from "../../src/memory/checkpoints.js";
import { ERASE_BATCH_TURNS } from "../../src/memory/forget.js";
import { type Memory, openMemory } from "../../src/memory/index.js";
import { tempDirForTest } from "../helpers/temp-dir.js";
import { indexedTurnIds, indexRowCount, indexTermCount, replied, said, T0 } from "../helpers/memory.js";

const DAY_MS = 86_400_000;

/** Saves a summary over turns `first..last` of a conversation. */
function summarize(memory: Memory, key: string, first: number, last: number, content = `summary of ${key}`): void {
  memory.summaries.saveIfUnchanged(
    { conversationKey: key, content, firstTurnId: first, lastTurnId: last, tokenCount: 5 },
    {
      previous: memory.summaries.get(key),
      batchFirstId: first,
      batchLastId: last,
      batchSize: memory.db
        .prepare("SELECT count(*) AS n FROM turns WHERE conversation_key = ? AND id BETWEEN ? AND ?")
        .pluck()
        .get(key, first, last) as number,
    },
  );
}

const countRows = (memory: Memory, sql: string, params: Record<string, unknown> = {}) =>
  memory.db.prepare(sql).pluck().get(params) as number;

describe("MemoryEraser", () => {
  let memory: Memory;
  let general: number[];
  let random: number[];
  let dm: number[];
  beforeEach(() => {
    memory = openMemory(":memory:");
    general = memory.turns.append({ key: "channel:general", guildId: "g1" }, [
      { ...said("Ali", "My dog is called Biscuit.", { authorId: "ali" }), messageId: "m-1", moreMessageIds: ["m-2"] },
      replied("assistant", "Juniper", "What a lovely name."),
      said("Bob", "I have no dog.", { authorId: "bob" }),
      said("Bob", "Later words from Bob.", { authorId: "bob" }),
    ]);
    random = memory.turns.append({ key: "channel:random", guildId: "g1" }, [
      said("Bob", "Bob only here.", { authorId: "bob" }),
      said("Cy", "Cy here.", { authorId: "cy" }),
    ]);
    dm = memory.turns.append({ key: "channel:dm" }, [said("Ali", "Ali's secret.", { authorId: "ali" })]);
  });
  afterEach(() => memory.close());

  it("forgets every turn an author wrote, everywhere, with their index rows and linked messages", async () => {
    const erased = await memory.eraser.forgetAuthor("ali");
    expect(erased.turns).toBe(2);
    expect(countRows(memory, "SELECT count(*) FROM turns WHERE author_id = 'ali'")).toBe(0);
    expect(countRows(memory, "SELECT count(*) FROM turn_messages")).toBe(0);
    expect(indexTermCount(memory.db, "biscuit")).toBe(0);
    expect(indexTermCount(memory.db, "secret")).toBe(0);
    expect(indexRowCount(memory.db)).toBe(countRows(memory, "SELECT count(*) FROM turns"));
    expect(memory.turns.count("channel:general")).toBe(3);
  });

  it("drops exactly the summaries whose range holds one of the author's turns", async () => {
    summarize(memory, "channel:general", general[0]!, general[1]!);
    summarize(memory, "channel:random", random[1]!, random[1]!);
    summarize(memory, "channel:dm", dm[0]!, dm[0]!);
    const erased = await memory.eraser.forgetAuthor("ali");
    expect([...erased.summariesDropped].sort()).toEqual(["channel:dm", "channel:general"]);
    expect(memory.summaries.get("channel:general")).toBeUndefined();
    expect(memory.summaries.get("channel:random")?.content).toBe("summary of channel:random");

    // Bob's turns in #random fall outside its summary's range: that summary stays.
    const bob = await memory.eraser.forgetAuthor("bob");
    expect(bob).toEqual({ turns: 3, summariesDropped: [] });
    expect(memory.summaries.get("channel:random")?.content).toBe("summary of channel:random");
  });

  it("clears one conversation's turns and summary, leaving the others", async () => {
    summarize(memory, "channel:general", general[0]!, general[3]!);
    expect(await memory.eraser.clearConversation("channel:general")).toEqual({
      turns: 4,
      summariesDropped: ["channel:general"],
    });
    expect(memory.turns.count("channel:general")).toBe(0);
    expect(memory.summaries.get("channel:general")).toBeUndefined();
    expect(memory.turns.count("channel:random")).toBe(2);
    expect(indexedTurnIds(memory.db, "channel:general", "dog")).toEqual([]);
    expect(indexRowCount(memory.db)).toBe(3);
  });

  it("deletes turns older than a cutoff and the summaries built from them", async () => {
    const old = memory.turns.append({ key: "channel:old", guildId: "g1" }, [
      said("Ali", "ancient", { createdAt: T0 - 40 * DAY_MS }),
      said("Ali", "old", { createdAt: T0 - 31 * DAY_MS }),
      said("Ali", "recent", { createdAt: T0 - DAY_MS }),
    ]);
    summarize(memory, "channel:old", old[0]!, old[1]!);
    const erased = await memory.eraser.deleteOlderThan(T0 - 30 * DAY_MS);
    expect(erased).toEqual({ turns: 2, summariesDropped: ["channel:old"] });
    expect(memory.turns.recent("channel:old", 10).map((t) => t.content)).toEqual(["recent"]);
    expect(memory.turns.count("channel:general")).toBe(4);
  });

  it("deletes in several batches when there are many turns", async () => {
    const many = Array.from({ length: ERASE_BATCH_TURNS + 5 }, (_, i) => said("Ed", `line ${i}`, { authorId: "ed" }));
    memory.turns.append({ key: "channel:busy" }, many);
    expect((await memory.eraser.forgetAuthor("ed")).turns).toBe(ERASE_BATCH_TURNS + 5);
    expect(memory.turns.countByAuthor("ed")).toBe(0);
  });
});

describe("MemoryEraser.forgetPerson", () => {
  it("deletes a person's turns and the bot's replies to them, and the words leave the file's bytes", async () => {
    const file = path.join(tempDirForTest(), "masque.db");
    const memory = openMemory(file);
    checkpointInBackground(memory.db, createLogger("silent"));
    const key = "channel:general";
    memory.turns.append({ key, guildId: "g1" }, [
      said("Ali", "My dog is called Quetzalbiscuit.", { authorId: "ali" }),
      replied("quill", "Quill", "Quetzalbiscuit be a fine name for a sea dog!"),
      said("Bob", "And I have a cat.", { authorId: "bob" }),
      replied("quill", "Quill", "Cats keep the rats off a ship."),
    ]);
    const before = readFileSync(file).toString("latin1") + readFileSync(`${file}-wal`).toString("latin1");
    expect(before).toContain("Quetzalbiscuit");

    const erased = await memory.eraser.forgetPerson("ali");
    expect(erased).toEqual({ turns: 1, replies: 1, notes: 0, summariesDropped: [], checkpointed: true });
    expect(
      memory.turns
        .recent(key, 10)
        .map((t) => t.content)
        .sort(),
    ).toEqual(["And I have a cat.", "Cats keep the rats off a ship."]);
    const bytes = [file, `${file}-wal`]
      .filter(existsSync)
      .map((f) => readFileSync(f).toString("latin1"))
      .join("");
    expect(bytes).not.toContain("Quetzalbiscuit");
    expect(bytes).not.toContain("quetzalbiscuit"); // nor the recall index's lower-cased term
    expect(bytes).toContain("Cats keep the rats off a ship.");
    memory.close();
  });
});
