import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { MAX_HISTORY_TURNS, RECALL_MAX_TURNS, type RecallAudience, recollect } from "../../src/chat/recollection.js";
import { buildPrompt, type PendingTurn } from "../../src/chat/prompt.js";
import { countTurnTokens } from "../../src/chat/tokens.js";
import { type Memory, openMemory } from "../../src/memory/index.js";
import type { ConversationRef } from "../../src/memory/turns.js";
import { said } from "../helpers/memory.js";
import { JUNIPER } from "../helpers/personas.js";

/** Small enough that a few hundred filler turns overflow the window. */
const CONTEXT = 2000;
const GENERAL = { key: "channel:general", guildId: "g1" };

function ask(content: string): PendingTurn {
  return { authorId: "id-ali", authorName: "Ali", content, tokenCount: countTurnTokens("Ali", content) };
}

const fillers = (count: number) =>
  Array.from({ length: count }, (_, i) => said("Bob", `Filler message ${i} about the weather and nothing else.`));

describe("recollect", () => {
  let memory: Memory;
  beforeEach(() => {
    memory = openMemory(":memory:");
  });
  afterEach(() => memory.close());

  /** Everyone may read everything: the host's permission check is not what these tests are about. */
  const EVERYONE_READS: RecallAudience = { canRead: () => true };
  const gather = (
    content: string,
    conversation: ConversationRef = GENERAL,
    audience: RecallAudience = EVERYONE_READS,
  ) =>
    recollect(memory, { conversation, persona: JUNIPER, newTurns: [ask(content)], contextTokens: CONTEXT, audience });

  it("recalls a turn from 500 turns ago when the new message relates to it", () => {
    const [fact] = memory.turns.append(GENERAL, [said("Ali", "My dog is called Biscuit.")]);
    memory.turns.append(GENERAL, fillers(500));
    const context = gather("what did I say my dog was called?");
    expect(context.recalled.map((r) => [r.turn.id, r.turn.content, r.elsewhere])).toEqual([
      [fact, "My dog is called Biscuit.", false],
    ]);
    expect(context.history.some((t) => t.id === fact)).toBe(false);
  });

  it("reads the text of only the newest turns that can fit, and the prompt is the one all of them would give", () => {
    memory.turns.append(GENERAL, fillers(500));
    const newTurns = [ask("what is the weather like?")];
    const context = recollect(memory, { conversation: GENERAL, persona: JUNIPER, newTurns, contextTokens: CONTEXT });
    const all = memory.turns.recent(GENERAL.key, MAX_HISTORY_TURNS);

    // Each filler costs about 16 tokens: a 2,000-token context fits a hundred or so, not 400.
    expect(context.history.length).toBeGreaterThan(50);
    expect(context.history.length).toBeLessThan(150);
    expect(context.history).toEqual(all.slice(0, context.history.length));
    const macros = {
      char: "Juniper",
      user: "Ali",
      server: "Test",
      channel: "general",
      date: new Date("2025-03-14T12:00:00Z"),
    };
    // Not all 500 fit, so the window's start is counted from the first turn: the tokens before the history read say where.
    const beforeAll = memory.turns.tokensBetween(GENERAL.key, 0, all.at(-1)!.id);
    const fromWindow = buildPrompt({
      persona: JUNIPER,
      macros,
      newTurns,
      contextTokens: CONTEXT,
      history: context.history,
      olderTokens: context.olderTokens,
      summary: undefined,
      recalled: [],
    });
    const fromAll = buildPrompt({
      persona: JUNIPER,
      macros,
      newTurns,
      contextTokens: CONTEXT,
      history: all,
      olderTokens: beforeAll,
      summary: undefined,
      recalled: [],
    });
    expect(beforeAll).toBeGreaterThan(0);
    expect(fromWindow.messages).toEqual(fromAll.messages);
    expect(fromWindow.historyTurns).toBe(fromAll.historyTurns);
  });

  it("still reads the turns a persona's lore scans when none of them fit", () => {
    memory.turns.append(GENERAL, [said("Bob", "the dragon ".repeat(300)), said("Bob", "the castle ".repeat(300))]);
    const persona = { ...JUNIPER, loreScanDepth: 2 };
    const context = recollect(memory, {
      conversation: GENERAL,
      persona,
      newTurns: [ask("hello")],
      contextTokens: CONTEXT,
    });
    expect(context.history.map((t) => t.content.slice(0, 10))).toEqual(["the castle", "the dragon"]);
  });

  it("recalls nothing the window could show, and nothing when the message has no telling words", () => {
    memory.turns.append(GENERAL, [said("Ali", "My dog is called Biscuit."), ...fillers(3)]);
    expect(gather("what did I say my dog was called?").recalled).toEqual([]);
    memory.turns.append(GENERAL, fillers(300));
    expect(gather("what did I say again?").recalled).toEqual([]);
  });

  it("brings back at most RECALL_MAX_TURNS turns, the ones holding the most words first", () => {
    memory.turns.append(GENERAL, [
      said("Ali", "My dog is called Biscuit."),
      said("Ali", "The dog park was muddy."),
      said("Ali", "A dog barked."),
      said("Ali", "Another dog story."),
      said("Ali", "Dog dog dog."),
      ...fillers(300),
    ]);
    const recalled = gather("what was my dog called?").recalled.map((r) => r.turn.content);
    expect(recalled).toHaveLength(RECALL_MAX_TURNS);
    expect(recalled[0]).toBe("My dog is called Biscuit.");
  });

  it("leaves summarized turns out of the window, returns the summary, and can still recall them", () => {
    const [fact] = memory.turns.append(GENERAL, [said("Ali", "My dog is called Biscuit.")]);
    const older = memory.turns.append(GENERAL, fillers(30));
    const newer = memory.turns.append(GENERAL, fillers(2));
    memory.summaries.saveIfUnchanged(
      {
        conversationKey: GENERAL.key,
        content: "Ali has a dog; Bob talks weather.",
        firstTurnId: fact!,
        lastTurnId: older.at(-1)!,
        tokenCount: 9,
      },
      { previous: undefined, batchFirstId: fact!, batchLastId: older.at(-1)!, batchSize: 31 },
    );
    const context = gather("what was my dog called?");
    expect(context.summary?.content).toBe("Ali has a dog; Bob talks weather.");
    expect(context.history.map((t) => t.id)).toEqual([...newer].reverse());
    expect(context.recalled.map((r) => r.turn.id)).toEqual([fact]);
  });

  it("keeps recall inside the conversation unless the server turned on server-wide recall, and never reaches DMs", () => {
    const [elsewhere] = memory.turns.append({ key: "channel:random", guildId: "g1" }, [
      said("Cy", "My dog is called Rex."),
    ]);
    memory.turns.append({ key: "channel:dm" }, [said("Ali", "My dog is called Secret.")]);
    memory.turns.append({ key: "channel:other-server", guildId: "g2" }, [said("Di", "My dog is called Other.")]);
    memory.turns.append(GENERAL, fillers(300));
    expect(gather("what was my dog called?").recalled).toEqual([]);

    memory.recall.setServerWide("g1", true);
    expect(gather("what was my dog called?").recalled.map((r) => [r.turn.id, r.elsewhere])).toEqual([
      [elsewhere, true],
    ]);
    expect(gather("what was my dog called?", { key: "channel:dm", guildId: null }).recalled).toEqual([]);
  });

  it("brings turns from other conversations only where the audience may read them, and none without an audience", () => {
    const [open] = memory.turns.append({ key: "channel:random", guildId: "g1" }, [said("Cy", "My dog is called Rex.")]);
    memory.turns.append({ key: "channel:mods", guildId: "g1" }, [said("Mo", "My dog is called Secret.")]);
    memory.turns.append(GENERAL, fillers(300));
    memory.recall.setServerWide("g1", true);
    const asked: string[] = [];
    const onlyRandom: RecallAudience = {
      canRead: (key) => {
        asked.push(key);
        return key === "channel:random";
      },
    };

    expect(gather("what was my dog called?", GENERAL, onlyRandom).recalled.map((r) => r.turn.id)).toEqual([open]);
    expect(asked.sort()).toEqual(["channel:mods", "channel:random"]);
    const withoutAudience = recollect(memory, {
      conversation: GENERAL,
      persona: JUNIPER,
      newTurns: [ask("what was my dog called?")],
      contextTokens: CONTEXT,
    });
    expect(withoutAudience.recalled).toEqual([]);
  });
});
