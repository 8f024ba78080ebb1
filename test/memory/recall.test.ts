import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type Memory, openMemory } from "../../src/memory/index.js";
import { conversationQuery, ftsPhrase, searchWords, serverQuery } from "../../src/memory/recall.js";
import { conversationStemTerm, conversationTerm, guildStemTerm, guildTerm } from "../../src/memory/terms.js";
import { said } from "../helpers/memory.js";

describe("FTS query building", () => {
  it("quotes every word and doubles quotes, so input is never query syntax", () => {
    expect(ftsPhrase('say "hi" NEAR(x) OR *')).toBe('"say ""hi"" NEAR(x) OR *"');
  });

  it("reads the words it is given the way the index reads text", () => {
    expect(searchWords(["Dog", "dog's", 'a"b', "*", "Été"])).toEqual(["dog", "s", "a", "b", "ete"]);
  });

  it("asks for the conversation's terms of any of the words, by exact form and by stem", () => {
    const c = "channel:1";
    expect(conversationQuery(c, ["dogs", "東京"])).toBe(
      `("${conversationTerm(c, "dogs")}" OR "${conversationStemTerm(c, "dog")}" OR "${conversationTerm(c, "東京")}")`,
    );
    expect(conversationQuery(c, ["dogs", "called"], "exact")).toBe(
      `("${conversationTerm(c, "dogs")}" OR "${conversationTerm(c, "called")}")`,
    );
  });

  it("asks for the server's terms, minus the conversation's own", () => {
    expect(serverQuery("g", "channel:1", ["dog"])).toBe(
      `("${guildTerm("g", "dog")}" OR "${guildStemTerm("g", "dog")}") NOT ("${conversationTerm("channel:1", "dog")}" OR "${conversationStemTerm("channel:1", "dog")}")`,
    );
  });
});

describe("RecallStore", () => {
  let memory: Memory;
  let general: number[];
  beforeEach(() => {
    memory = openMemory(":memory:");
    general = memory.turns.append({ key: "channel:general", guildId: "g1" }, [
      said("Ali", "My dog is called Biscuit."),
      said("Bob", "Nice weather today."),
      said("Ali", "Biscuit loves the beach."),
      said("Bob", 'He typed "dog" AND NOT * NEAR( oddly'),
    ]);
    memory.turns.append({ key: "channel:random", guildId: "g1" }, [said("Cy", "My cat is called Pancake.")]);
    memory.turns.append({ key: "channel:elsewhere", guildId: "g2" }, [said("Di", "A dog called Rex.")]);
    memory.turns.append({ key: "channel:dm" }, [said("Ali", "Secret dog talk.")]);
  });
  afterEach(() => memory.close());

  const contents = (turns: Array<{ content: string }>) => turns.map((t) => t.content);

  it("finds older turns of the same conversation holding any word, newest first", () => {
    const found = memory.recall.searchConversation({
      conversationKey: "channel:general",
      beforeId: 1_000,
      words: ["dog", "biscuit"],
      limit: 10,
    });
    expect(contents(found)).toEqual([
      'He typed "dog" AND NOT * NEAR( oddly',
      "Biscuit loves the beach.",
      "My dog is called Biscuit.",
    ]);
  });

  it("only returns turns older than the window and at most `limit` of them", () => {
    expect(
      contents(
        memory.recall.searchConversation({
          conversationKey: "channel:general",
          beforeId: general[2]!,
          words: ["biscuit"],
          limit: 10,
        }),
      ),
    ).toEqual(["My dog is called Biscuit."]);
    expect(
      memory.recall.searchConversation({
        conversationKey: "channel:general",
        beforeId: 1_000,
        words: ["biscuit"],
        limit: 1,
      }),
    ).toHaveLength(1);
  });

  it("never returns another conversation's turns", () => {
    expect(
      contents(
        memory.recall.searchConversation({
          conversationKey: "channel:random",
          beforeId: 1_000,
          words: ["dog", "called"],
          limit: 10,
        }),
      ),
    ).toEqual(["My cat is called Pancake."]);
  });

  it("searches the server's other channels, but not other servers or DMs", () => {
    const found = memory.recall.searchServer({
      guildId: "g1",
      excludedConversationKey: "channel:general",
      words: ["dog", "called"],
      limit: 10,
    });
    expect(contents(found)).toEqual(["My cat is called Pancake."]);
  });

  it("treats words that look like query syntax as plain words", () => {
    const found = memory.recall.searchConversation({
      conversationKey: "channel:general",
      beforeId: 1_000,
      words: ["AND", "*", '"', 'NEAR(x"y', "ODDLY)"],
      limit: 10,
    });
    expect(contents(found)).toEqual(['He typed "dog" AND NOT * NEAR( oddly']);
    expect(
      memory.recall.searchConversation({
        conversationKey: "channel:general",
        beforeId: 1_000,
        words: ["*", '"', "()"],
        limit: 10,
      }),
    ).toEqual([]);
  });

  it("reads the chosen hits as whole turns, oldest first", () => {
    const turns = memory.recall.turns([general[2]!, general[0]!]);
    expect(turns.map((t) => [t.id, t.authorName, t.content, t.conversationKey])).toEqual([
      [general[0], "Ali", "My dog is called Biscuit.", "channel:general"],
      [general[2], "Ali", "Biscuit loves the beach.", "channel:general"],
    ]);
    expect(memory.recall.turns([])).toEqual([]);
  });

  it("stores the server-wide recall setting per server, off by default", () => {
    expect(memory.recall.serverWide("g1")).toBe(false);
    memory.recall.setServerWide("g1", true, "admin");
    expect(memory.recall.serverWide("g1")).toBe(true);
    expect(memory.recall.serverWide("g2")).toBe(false);
    memory.recall.setServerWide("g1", false, "admin");
    expect(memory.recall.serverWide("g1")).toBe(false);
  });
});
