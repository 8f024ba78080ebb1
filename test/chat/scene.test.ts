import { beforeEach, describe, expect, it, vi } from "vitest";
import type { ChatEngine, IncomingTurn, ReplySink } from "../../src/chat/engine.js";
import { DIRECTION_OPENING } from "../../src/chat/prompt.js";
import { recordSaid } from "../../src/chat/journal.js";
import { Scene, sceneDirection, SceneRegistry, type SceneSpec, type SceneStage } from "../../src/chat/scene.js";
import { SceneCastError } from "../../src/chat/turn-taking.js";
import type { Memory } from "../../src/memory/index.js";
import type { Persona } from "../../src/personas/persona.js";
import { PersonaRegistry } from "../../src/personas/registry.js";
import { ConcurrencyLimiter, QueueFullError } from "../../src/traffic/concurrency.js";
import type { FakeModelServer } from "../fakes/openai-server.js";
import { engineOverFakeModel } from "../helpers/engine.js";
import { testPersona } from "../helpers/personas.js";
import { seededRandom } from "../helpers/random.js";

const WREN = testPersona({ id: "wren", name: "Wren", prompt: "You are {{char}}." });
const QUILL = testPersona({ id: "quill", name: "Captain Quill", aliases: ["Quill"], prompt: "You are {{char}}." });
const THEO = testPersona({ id: "tutor", name: "Professor Theo", aliases: ["Theo"], prompt: "You are {{char}}." });
const REGISTRY = new PersonaRegistry([WREN, QUILL, THEO], "wren");
const CHANNEL = { key: "channel:100", guildId: "900", channelId: "100" };
const PLACE = { server: "The Harbour", channel: "general" };
const TOPIC = "whether the lighthouse is haunted";

let server: FakeModelServer;
let memory: Memory;
let engine: ChatEngine;

const fixture = engineOverFakeModel(REGISTRY, { defaultModel: "scene-model", contextTokens: 8000 });
beforeEach(() => {
  ({ server, memory, engine } = fixture);
});

/** A sink that keeps each line's text, by persona. */
function lineSink(shown: Array<[string, string]>, persona: Persona, onPiece?: () => void): ReplySink {
  let text = "";
  return {
    write(piece) {
      text += piece;
      onPiece?.();
    },
    async end() {
      shown.push([persona.id, text]);
      return { shown: true, messageIds: [] };
    },
  };
}

/** A stage with model slots (one at a time by default) and sinks that record what was shown. */
function stageOf(
  options: { slots?: ConcurrencyLimiter; onPiece?: (persona: Persona) => void } = {},
): SceneStage & { shown: Array<[string, string]> } {
  const slots = options.slots ?? new ConcurrencyLimiter(1, 10);
  const shown: Array<[string, string]> = [];
  return {
    shown,
    waitForAllowance: async () => {},
    waitForSlot: (signal) => slots.acquire(signal),
    lineFor: (persona) => ({ sink: lineSink(shown, persona, () => options.onPiece?.(persona)) }),
  };
}

function spec(overrides: Partial<SceneSpec> = {}): SceneSpec {
  return { conversation: CHANNEL, place: PLACE, topic: TOPIC, cast: [WREN, QUILL, THEO], turns: 6, ...overrides };
}

/** What memory holds for the channel, oldest first: [role, author, content, status]. */
function stored(): Array<[string, string, string, string]> {
  return memory.turns
    .recent(CHANNEL.key, 100)
    .reverse()
    .map((t) => [t.role, t.authorName, t.content, t.status]);
}

describe("a scene line (the engine with no new message and a direction)", () => {
  it("shows the topic as a labelled direction, others' lines as other speakers, and records the line as the persona's turn", async () => {
    server.enqueue({ text: "The lamp burns blue at midnight." }, { text: "Blue? That is the sea's own fire, lass." });
    const stage = stageOf();
    const duo = spec({ cast: [WREN, QUILL], turns: 2 });
    const scene = new Scene(engine, duo, stage, () => 0);

    const result = await scene.run();

    expect(result).toEqual({ end: "finished", speakers: ["wren", "quill"] });
    const [toWren, toQuill] = server.chatRequests();
    expect(toWren?.body.messages.slice(1)).toEqual([
      {
        role: "user",
        content:
          '[Direction for your next line, not written by anyone in the conversation: You are in a scene with Captain Quill. Its topic, as the person who started it put it: "whether the lighthouse is haunted". Write Wren\'s next line: one short turn, only as Wren, never as anyone else. Open the scene.]',
      },
    ]);
    expect(toQuill?.body.messages.slice(1)).toEqual([
      {
        role: "user",
        content: `Wren (another persona): The lamp burns blue at midnight.\n${DIRECTION_OPENING} ${sceneDirection(duo, QUILL, { first: false, answering: false })}]`,
      },
    ]);
    expect(sceneDirection(duo, QUILL, { first: false, answering: false })).toBe(
      `You are in a scene with Wren. Its topic, as the person who started it put it: "${TOPIC}". Write Captain Quill's next line: one short turn, only as Captain Quill, never as anyone else. Carry on from the last line.`,
    );
    expect(stored()).toEqual([
      ["assistant", "Wren", "The lamp burns blue at midnight.", "complete"],
      ["assistant", "Captain Quill", "Blue? That is the sea's own fire, lass.", "complete"],
    ]);
    expect(stage.shown).toEqual([
      ["wren", "The lamp burns blue at midnight."],
      ["quill", "Blue? That is the sea's own fire, lass."],
    ]);
  });

  it("lets a later reply see the scene: the persona's own line as its own, the other's as another speaker", async () => {
    server.enqueue({ text: "Haunted, surely." }, { text: "Nonsense." }, { text: "As I said: haunted." });
    await new Scene(engine, spec({ cast: [WREN, QUILL], turns: 2 }), stageOf(), () => 0).run();
    const ana: IncomingTurn = { authorId: "u-ana", authorName: "Ana", content: "Wren, are you sure?" };
    await engine.reply({ conversation: CHANNEL, persona: WREN, turns: [ana], place: PLACE }, lineSink([], WREN));
    expect(server.chatRequests()[2]?.body.messages.slice(1)).toEqual([
      { role: "assistant", content: "Haunted, surely." },
      { role: "user", content: "Captain Quill (another persona): Nonsense.\nAna: Wren, are you sure?" },
    ]);
  });
});

describe("Scene", () => {
  it("runs six lines by three personas, never the same one twice in a row, each line recorded", async () => {
    server.setDefault((req) => ({ text: `line ${server.chatRequests().indexOf(req) + 1}` }));
    const stage = stageOf();
    const result = await new Scene(engine, spec(), stage, seededRandom(3)).run();

    expect(result.end).toBe("finished");
    expect(result.speakers).toHaveLength(6);
    for (let i = 1; i < result.speakers.length; i++) expect(result.speakers[i]).not.toBe(result.speakers[i - 1]);
    expect(stored().map(([role, , content]) => [role, content])).toEqual(
      [1, 2, 3, 4, 5, 6].map((n) => ["assistant", `line ${n}`]),
    );
    expect(stage.shown.map(([id]) => id)).toEqual(result.speakers);
  });

  it("gives the next line to the persona the last line addressed", async () => {
    server.enqueue(
      { text: "Theo, you have read about this. Is it haunted?" },
      { text: "Ghosts are a matter of evidence." },
    );
    const result = await new Scene(engine, spec({ turns: 2 }), stageOf(), () => 0).run();
    expect(result.speakers).toEqual(["wren", "tutor"]);
  });

  it("stops at once: the line being written ends as cut, and no other line starts", async () => {
    server.enqueue(
      { text: "Aye.", chunkSize: 4 },
      { text: "Once upon a stormy night the keeper saw", chunkSize: 5, chunkDelayMs: 40 },
    );
    let scene: Scene | undefined;
    let pieces = 0;
    const stage = stageOf({ onPiece: () => pieces++ === 2 && scene?.stop() });
    scene = new Scene(engine, spec(), stage, () => 0);

    const result = await scene.run();

    expect(result).toEqual({ end: "stopped", speakers: ["wren", "quill"] });
    expect(server.chatRequests()).toHaveLength(2);
    expect(stored()).toEqual([
      ["assistant", "Wren", "Aye.", "complete"],
      ["assistant", "Captain Quill", "Once upon ", "interrupted"],
    ]);
    expect(scene.hear({ authorId: "u-ana", authorName: "Ana", content: "hello?" })).toBe(false);
  });

  it("answers a person who spoke during the scene first, with the persona they addressed", async () => {
    let scene: Scene | undefined;
    const ana = { authorId: "u-ana", authorName: "Ana", content: "Quill, have you seen the ghost yourself?" };
    server.enqueue(
      (req) => {
        // Ana speaks while Wren's line is written: kept as it arrives, as the Discord intake does.
        const turnId = recordSaid(memory.turns, CHANNEL, ana);
        scene?.hear({ ...ana, turnId });
        return { text: `Wren's line (${req.body.messages.length} messages)` };
      },
      { text: "Seen it? I've shared my rum with it, Ana." },
    );
    scene = new Scene(engine, spec({ turns: 2 }), stageOf(), () => 0.99);

    const result = await scene.run();

    // Without Ana, a roll of 0.99 after Wren gives the line to Theo, the last of the others.
    expect(result.speakers).toEqual(["tutor", "quill"]);
    const toQuill = server.chatRequests()[1]!.body.messages.at(-1).content as string;
    expect(toQuill).toBe(
      `Professor Theo (another persona): Wren's line (2 messages)\nAna: Quill, have you seen the ghost yourself?\n${DIRECTION_OPENING} ${sceneDirection(spec(), QUILL, { first: false, answering: true })}]`,
    );
    // Ana's message was kept when it arrived, during Theo's line; Quill's line answers it.
    const turns = memory.turns.recent(CHANNEL.key, 10);
    const anaTurn = turns.find((t) => t.authorName === "Ana")!;
    const quillTurn = turns.find((t) => t.personaId === "quill")!;
    expect(memory.turns.answeredBy([anaTurn.id]).get(anaTurn.id)).toBe(quillTurn.id);
  });

  it("answers people still waiting after its last line with one more line, then takes no more", async () => {
    let scene: Scene | undefined;
    server.enqueue(
      () => {
        scene?.hear({ authorId: "u-ana", authorName: "Ana", content: "what about me?" });
        return { text: "The only line." };
      },
      { text: "We hear you, Ana." },
    );
    scene = new Scene(engine, spec({ turns: 1 }), stageOf(), () => 0);
    const result = await scene.run();
    expect(result).toEqual({ end: "finished", speakers: ["wren", "quill"] });
    expect(scene.hear({ authorId: "u-ana", authorName: "Ana", content: "and now?" })).toBe(false);
  });

  it("waits for its allowance only for its own lines: a person who speaks meanwhile is answered at once, unpaid by the scene", async () => {
    const waits: string[] = [];
    // The allowance for one line of the scene's own, then none until the scene is stopped.
    let allowance = 1;
    const stage: SceneStage = {
      ...stageOf(),
      waitForAllowance: (signal) => {
        waits.push(allowance > 0 ? "granted" : "waiting");
        if (allowance-- > 0) return Promise.resolve();
        return new Promise((_resolve, reject) =>
          signal.addEventListener("abort", () => reject(signal.reason), { once: true }),
        );
      },
    };
    server.enqueue({ text: "The lamp burns blue." }, { text: "I have seen it too, Ana." });
    const scene = new Scene(engine, spec({ turns: 3 }), stage, () => 0);
    const running = scene.run();
    await vi.waitFor(() => expect(waits).toEqual(["granted", "waiting"]));

    expect(scene.hear({ authorId: "u-ana", authorName: "Ana", content: "Quill, have you seen it?" })).toBe(true);
    await vi.waitFor(() => expect(server.chatRequests()).toHaveLength(2));
    await vi.waitFor(() => expect(waits).toEqual(["granted", "waiting", "waiting"]));
    scene.stop();

    expect(await running).toEqual({ end: "stopped", speakers: ["wren", "quill"] });
    expect(stored().map(([, author]) => author)).toEqual(["Wren", "Ana", "Captain Quill"]);
  });

  it("waits for a model slot like any reply, and ends as busy when the line for one is full", async () => {
    const slots = new ConcurrencyLimiter(1, 0);
    const held = await slots.acquire();
    const result = await new Scene(engine, spec(), stageOf({ slots }), () => 0).run();
    expect(result.end).toBe("busy");
    expect(result.error).toBeInstanceOf(QueueFullError);
    expect(server.chatRequests()).toHaveLength(0);
    held.release();
  });

  it("ends as failed when a line fails, keeping the lines before it", async () => {
    server.enqueue({ text: "First." }, { status: 500 });
    const result = await new Scene(engine, spec(), stageOf(), () => 0).run();
    expect(result.end).toBe("failed");
    expect(result.speakers).toEqual(["wren", "quill"]);
    expect(stored()).toEqual([["assistant", "Wren", "First.", "complete"]]);
  });

  it("refuses a cast of one", () => {
    expect(() => new Scene(engine, spec({ cast: [WREN] }), stageOf())).toThrow(SceneCastError);
  });
});

describe("SceneRegistry", () => {
  it("holds at most one scene per conversation, and forgets a scene once it ended", () => {
    const scenes = new SceneRegistry();
    const first = new Scene(engine, spec(), stageOf());
    const second = new Scene(engine, spec(), stageOf());
    const elsewhere = new Scene(engine, spec({ conversation: { key: "channel:200" } }), stageOf());
    expect(scenes.begin(first)).toBe(true);
    expect(scenes.begin(second)).toBe(false);
    expect(scenes.begin(elsewhere)).toBe(true);
    expect(scenes.get(CHANNEL.key)).toBe(first);
    scenes.end(second);
    expect(scenes.get(CHANNEL.key)).toBe(first);
    scenes.end(first);
    expect(scenes.begin(second)).toBe(true);
  });
});
