import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type Memory, openMemory } from "../../src/memory/index.js";
import { said } from "../helpers/memory.js";

const KEY = "channel:1";

describe("SummaryStore", () => {
  let memory: Memory;
  let ids: number[];
  beforeEach(() => {
    memory = openMemory(":memory:");
    ids = memory.turns.append({ key: KEY }, [
      said("Ali", "one"),
      said("Bob", "two"),
      said("Ali", "three"),
      said("Bob", "four"),
    ]);
  });
  afterEach(() => memory.close());

  const firstSummary = () => ({
    conversationKey: KEY,
    content: "Ali and Bob counted to two.",
    firstTurnId: ids[0]!,
    lastTurnId: ids[1]!,
    tokenCount: 8,
  });
  const firstBasis = () => ({ previous: undefined, batchFirstId: ids[0]!, batchLastId: ids[1]!, batchSize: 2 });

  it("saves a first summary and reads it back", () => {
    expect(memory.summaries.saveIfUnchanged(firstSummary(), firstBasis())).toBe(true);
    const saved = memory.summaries.get(KEY)!;
    expect({ ...saved, updatedAt: 0 }).toEqual({ ...firstSummary(), updatedAt: 0 });
    expect(saved.updatedAt).toBeGreaterThan(0);
  });

  it("folds a batch into the summary it was built on", () => {
    memory.summaries.saveIfUnchanged(firstSummary(), firstBasis());
    const previous = memory.summaries.get(KEY);
    const next = {
      conversationKey: KEY,
      content: "Ali and Bob counted to four.",
      firstTurnId: ids[0]!,
      lastTurnId: ids[3]!,
      tokenCount: 8,
    };
    expect(
      memory.summaries.saveIfUnchanged(next, { previous, batchFirstId: ids[2]!, batchLastId: ids[3]!, batchSize: 2 }),
    ).toBe(true);
    expect(memory.summaries.get(KEY)?.content).toBe("Ali and Bob counted to four.");
  });

  it("does not save over a summary that was deleted or replaced meanwhile", () => {
    memory.summaries.saveIfUnchanged(firstSummary(), firstBasis());
    const previous = memory.summaries.get(KEY);
    memory.summaries.delete(KEY);
    const next = { conversationKey: KEY, content: "stale", firstTurnId: ids[0]!, lastTurnId: ids[3]!, tokenCount: 1 };
    expect(
      memory.summaries.saveIfUnchanged(next, { previous, batchFirstId: ids[2]!, batchLastId: ids[3]!, batchSize: 2 }),
    ).toBe(false);
    expect(memory.summaries.get(KEY)).toBeUndefined();

    memory.summaries.saveIfUnchanged({ ...firstSummary(), content: "another" }, firstBasis());
    expect(
      memory.summaries.saveIfUnchanged(next, { previous, batchFirstId: ids[2]!, batchLastId: ids[3]!, batchSize: 2 }),
    ).toBe(false);
    expect(memory.summaries.get(KEY)?.content).toBe("another");
  });

  it("does not save a summary of a batch that lost a turn meanwhile", async () => {
    await memory.eraser.forgetAuthor("id-bob");
    expect(memory.summaries.saveIfUnchanged(firstSummary(), firstBasis())).toBe(false);
    expect(memory.summaries.get(KEY)).toBeUndefined();
  });
});
