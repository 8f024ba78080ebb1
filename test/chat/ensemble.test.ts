import { beforeEach, describe, expect, it } from "vitest";
import type { ChatEngine, IncomingTurn, ReplyOutcome, ReplySink } from "../../src/chat/engine.js";
import type { Memory } from "../../src/memory/index.js";
import type { Persona } from "../../src/personas/persona.js";
import { PersonaRegistry } from "../../src/personas/registry.js";
import type { FakeModelServer } from "../fakes/openai-server.js";
import { engineOverFakeModel } from "../helpers/engine.js";
import { testPersona } from "../helpers/personas.js";

const JUNIPER = testPersona({ id: "juniper", name: "Juniper", prompt: "You are {{char}}." });
const WREN = testPersona({
  id: "wren",
  name: "Wren",
  prompt: "You are {{char}}.",
  model: "wren-model",
  temperature: 0.3,
});
const QUILL = testPersona({
  id: "quill",
  name: "Captain Quill",
  aliases: ["Quill"],
  prompt: "You are {{char}}.",
  model: "quill-model",
  temperature: 1.1,
});
const OUTSIDER = testPersona({ id: "outsider", name: "Outsider", prompt: "You are {{char}}." });
const REGISTRY = new PersonaRegistry([JUNIPER, WREN, QUILL, OUTSIDER], "juniper");

const CHANNEL = { key: "channel:100", guildId: "900", channelId: "100" };
const THREAD = { key: "channel:300", guildId: "900", channelId: "300", parentId: "100", parentKey: "channel:100" };
const PLACE = { server: "The Harbour", channel: "general" };

let server: FakeModelServer;
let memory: Memory;
let engine: ChatEngine;

const fixture = engineOverFakeModel(REGISTRY, { defaultModel: "default-model", contextTokens: 8000 });
beforeEach(() => {
  ({ server, memory, engine } = fixture);
  memory.casts.add(CHANNEL.key, CHANNEL.guildId, WREN.id);
  memory.casts.add(CHANNEL.key, CHANNEL.guildId, QUILL.id);
});

const sink = (): ReplySink => ({ write: () => {}, end: async () => ({ shown: true, messageIds: [] }) });
const ids = (personas: readonly Persona[]) => personas.map((p) => p.id);

/** Answers `turn` with each persona in order, the way the Discord layer and the terminal chat do. */
async function answerInTurn(personas: readonly Persona[], turn: IncomingTurn): Promise<ReplyOutcome[]> {
  const outcomes: ReplyOutcome[] = [];
  let turns: IncomingTurn[] = [turn];
  for (const persona of personas) {
    const after = outcomes.map((o, i) => ({ persona: personas[i]!, text: o.text, turnId: o.assistantTurnId }));
    const outcome = await engine.reply({ conversation: CHANNEL, persona, turns, place: PLACE, after }, sink());
    turns = turns.map((t, i) => ({ ...t, turnId: outcome.userTurnIds[i] }));
    outcomes.push(outcome);
  }
  return outcomes;
}

describe("ChatEngine.answerers", () => {
  it("gives the lead a message that addresses nobody, and those named, in the order named", () => {
    expect(ids(engine.answerers(CHANNEL, { text: "what a day", authorId: "ana" }))).toEqual(["juniper"]);
    expect(ids(engine.answerers(CHANNEL, { text: "Quill, and you?", authorId: "ana" }))).toEqual(["quill"]);
    expect(ids(engine.answerers(CHANNEL, { text: "Wren and Quill, settle this", authorId: "ana" }))).toEqual([
      "wren",
      "quill",
    ]);
  });

  it("gives a reply to a persona's message to that persona first", () => {
    expect(ids(engine.answerers(CHANNEL, { text: "really?", repliedToPersonaId: "wren", authorId: "ana" }))).toEqual([
      "wren",
    ]);
    expect(
      ids(engine.answerers(CHANNEL, { text: "what does Quill say?", repliedToPersonaId: "wren", authorId: "ana" })),
    ).toEqual(["wren", "quill"]);
  });

  it("without a cast gives a message to one voice: the persona replied to, else the lead, whatever names it holds", () => {
    const alone = { key: "channel:200", guildId: "900", channelId: "200" };
    expect(
      ids(engine.answerers(alone, { text: "Juniper, what a day", repliedToPersonaId: QUILL.id, authorId: "ana" })),
    ).toEqual(["quill"]);
    expect(ids(engine.answerers(alone, { text: "Wren and Quill, settle this", authorId: "ana" }))).toEqual(["juniper"]);
  });

  it("does not hear names of personas outside the cast", () => {
    expect(ids(engine.answerers(CHANNEL, { text: "Outsider, hello", authorId: "ana" }))).toEqual(["juniper"]);
  });

  it("gives a thread without a cast of its own its channel's cast", () => {
    expect(ids(engine.answerers(THREAD, { text: "Wren, in here?", authorId: "ana" }))).toEqual(["wren"]);
  });

  it("in auto channels gives a message that addresses nobody to the persona last talking with its author", async () => {
    server.enqueue({ text: "Wren here." }, { text: "Quill here." });
    await answerInTurn([WREN, QUILL], { authorId: "ana", authorName: "Ana", content: "Wren and Quill, hi" });

    expect(ids(engine.answerers(CHANNEL, { text: "and then?", authorId: "ana", mode: "auto" }))).toEqual(["quill"]);
    expect(ids(engine.answerers(CHANNEL, { text: "and then?", authorId: "ana", mode: "mention" }))).toEqual([
      "juniper",
    ]);
    expect(ids(engine.answerers(CHANNEL, { text: "and then?", authorId: "bob", mode: "auto" }))).toEqual(["juniper"]);
    memory.casts.remove(CHANNEL.key, QUILL.id);
    expect(ids(engine.answerers(CHANNEL, { text: "and then?", authorId: "ana", mode: "auto" }))).toEqual(["juniper"]);
  });
});

describe("a cast answering one message", () => {
  it("shows the second persona the first one's reply as another persona's line after the message, with its own model settings", async () => {
    server.enqueue({ text: "I think it will rain." }, { text: "Rain? Never at sea." });

    await answerInTurn([WREN, QUILL], { authorId: "ana", authorName: "Ana", content: "Wren and Quill, will it rain?" });

    const [first, second] = server
      .chatRequests()
      .map((r) => r.body as { model: string; temperature: number; messages: Array<{ role: string; content: string }> });
    expect(first?.model).toBe("wren-model");
    expect(first?.temperature).toBe(0.3);
    expect(first?.messages.slice(1)).toEqual([{ role: "user", content: "Ana: Wren and Quill, will it rain?" }]);
    expect(second?.model).toBe("quill-model");
    expect(second?.temperature).toBe(1.1);
    expect(second?.messages.slice(1)).toEqual([
      { role: "user", content: "Ana: Wren and Quill, will it rain?\nWren (another persona): I think it will rain." },
    ]);
  });

  it("stores the message once and each reply as its persona's own, in the order spoken", async () => {
    server.enqueue({ text: "I think it will rain." }, { text: "Rain? Never at sea." });

    await answerInTurn([WREN, QUILL], {
      authorId: "ana",
      authorName: "Ana",
      content: "Wren and Quill, will it rain?",
      messageId: "m1",
    });

    const stored = memory.turns.recent(CHANNEL.key, 10).reverse();
    expect(stored.map((t) => [t.role, t.personaId, t.content])).toEqual([
      ["user", null, "Wren and Quill, will it rain?"],
      ["assistant", "wren", "I think it will rain."],
      ["assistant", "quill", "Rain? Never at sea."],
    ]);
  });

  it("shows the next message to a persona with the earlier exchange in the order it happened, its own line as its own", async () => {
    server.enqueue({ text: "I think it will rain." }, { text: "Rain? Never at sea." }, { text: "Says you." });
    await answerInTurn([WREN, QUILL], { authorId: "ana", authorName: "Ana", content: "Wren and Quill, will it rain?" });

    await answerInTurn([WREN], { authorId: "ana", authorName: "Ana", content: "Wren, do you agree?" });

    const last = server.chatRequests().at(-1)?.body as { messages: Array<{ role: string; content: string }> };
    expect(last.messages.slice(1)).toEqual([
      { role: "user", content: "Ana: Wren and Quill, will it rain?" },
      { role: "assistant", content: "I think it will rain." },
      { role: "user", content: "Captain Quill (another persona): Rain? Never at sea.\nAna: Wren, do you agree?" },
    ]);
  });

  it("forgets every persona's reply to a person's message with it (forget-me), and clears the whole exchange", async () => {
    server.enqueue({ text: "I think it will rain." }, { text: "Rain? Never at sea." });
    await answerInTurn([WREN, QUILL], { authorId: "ana", authorName: "Ana", content: "Wren and Quill, will it rain?" });
    memory.turns.append(CHANNEL, [
      { role: "user", authorId: "bob", authorName: "Bob", content: "Bob stays.", tokenCount: 3, createdAt: Date.now() },
    ]);

    const erased = await memory.eraser.forgetPerson("ana");

    expect(erased.replies).toBe(2);
    expect(memory.turns.recent(CHANNEL.key, 10).map((t) => t.content)).toEqual(["Bob stays."]);
    await memory.eraser.clearConversation(CHANNEL.key);
    expect(memory.turns.count(CHANNEL.key)).toBe(0);
  });
});
