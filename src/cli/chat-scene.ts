import type { ReplySink } from "../chat/engine.js";
import { DEFAULT_SCENE_TURNS, MAX_SCENE_TOPIC_CHARS, MAX_SCENE_TURNS, Scene, type SceneStage } from "../chat/scene.js";
import { SceneCastError } from "../chat/turn-taking.js";
import type { Core } from "../core.js";
import type { Persona } from "../personas/persona.js";
import { TERMINAL_SCENE_TEXTS } from "./chat-texts.js";

/** `/scene <topic> [turns]`: the topic, and the number at its end if there is one. */
export function parseSceneArgs(args: string): { topic: string; turns: number } | undefined {
  const match = /^(.*?)(?:\s+(\d+))?$/s.exec(args.trim());
  const topic = (match?.[1] ?? "").trim().slice(0, MAX_SCENE_TOPIC_CHARS);
  if (!topic) return undefined;
  const turns =
    match?.[2] === undefined ? DEFAULT_SCENE_TURNS : Math.min(MAX_SCENE_TURNS, Math.max(1, Number(match[2])));
  return { topic, turns };
}

/** Shows one line on stdout as it streams, after its persona's name; `end` is the chat's usual ending (errors, cuts). */
function lineSink(persona: Persona, ending: ReplySink["end"]): ReplySink {
  let started = false;
  const begin = () => {
    if (!started) process.stdout.write(`${persona.name}: `);
    started = true;
  };
  return {
    write: (piece) => {
      begin();
      process.stdout.write(piece);
    },
    end: (outcome) => {
      begin();
      return ending(outcome);
    },
  };
}

export interface TerminalScene {
  readonly core: Core;
  readonly conversationKey: string;
  readonly place: { readonly server: string; readonly channel: string };
  /** The chat's sink ending: a model failure in one plain line, a cut noted. */
  readonly ending: ReplySink["end"];
  /** Called with the scene's controller: Ctrl+C aborts it. */
  readonly onStart: (controller: AbortController) => void;
}

/** Runs `/scene <topic> [turns]` with the conversation's cast, one line after another on stdout. */
export async function runTerminalScene(args: string, terminal: TerminalScene): Promise<void> {
  const parsed = parseSceneArgs(args);
  if (!parsed) {
    console.log(TERMINAL_SCENE_TEXTS.usage);
    return;
  }
  const { core } = terminal;
  const conversation = { key: terminal.conversationKey };
  const { members } = core.engine.cast(conversation);
  const spec = { conversation, place: terminal.place, topic: parsed.topic, cast: members, turns: parsed.turns };
  // The terminal has one person and no rate limits: a line waits only for a model slot.
  const stage: SceneStage = {
    waitForAllowance: async () => {},
    waitForSlot: (signal) => core.slots.acquire(signal),
    lineFor: (persona) => ({ sink: lineSink(persona, terminal.ending) }),
  };
  let scene: Scene;
  try {
    scene = new Scene(core.engine, spec, stage);
  } catch (error) {
    if (!(error instanceof SceneCastError)) throw error;
    console.log(TERMINAL_SCENE_TEXTS.castTooSmall);
    return;
  }
  const controller = new AbortController();
  controller.signal.addEventListener("abort", () => scene.stop(), { once: true });
  terminal.onStart(controller);
  console.log(
    TERMINAL_SCENE_TEXTS.starting(
      parsed.topic,
      members.map((p) => p.name),
      parsed.turns,
    ),
  );
  const result = await scene.run();
  console.log(TERMINAL_SCENE_TEXTS.ended(result.end, result.speakers.length));
}
