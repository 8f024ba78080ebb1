import type { ConversationRef } from "../memory/turns.js";
import type { Persona } from "../personas/persona.js";
import type { ModelSlot } from "../traffic/concurrency.js";
import type { IncomingTurn, Place, ReplyOutcome, ReplyRequest, ReplySink } from "./engine.js";
import type { RecallAudience } from "./recollection.js";
import { checkSceneCast, type HeardLine, nextSpeaker, type RandomSource } from "./turn-taking.js";

/** Lines a scene runs when nobody says how many. */
export const DEFAULT_SCENE_TURNS = 6;
/** The most lines one scene may run: every line is a model call. */
export const MAX_SCENE_TURNS = 20;
/** A scene's topic is cut to this many characters (it goes into every line's prompt). */
export const MAX_SCENE_TOPIC_CHARS = 300;
/** After its last line, a scene answers people still waiting with at most this many more lines. */
export const LINES_AFTER_THE_LAST = 1;

/** What a scene needs from the engine. */
export interface SceneEngine {
  reply(request: ReplyRequest, sink: ReplySink): Promise<ReplyOutcome>;
}

/** What a scene is. */
export interface SceneSpec {
  /** The host's name for it (Discord: the command's interaction id), so a stale Stop button stops nothing else. */
  readonly id?: string;
  readonly conversation: ConversationRef;
  readonly place: Place;
  readonly topic: string;
  /** Who takes part, two or more. */
  readonly cast: readonly Persona[];
  /** Lines to run, 1 to MAX_SCENE_TURNS. */
  readonly turns: number;
}

/** Where a line goes and what comes with its request; the host (Discord, the terminal) decides. */
export interface SceneLineSetup {
  readonly sink: ReplySink;
  readonly showsIn?: ReplyRequest["showsIn"];
  readonly review?: ReplyRequest["review"];
  /** Who may see what recall brings from other conversations (see RecallAudience). */
  readonly audience?: RecallAudience;
}

/** What a scene needs from the place it runs in. */
export interface SceneStage {
  /**
   * Waits until the scene may spend one more line of its own (Discord: the starter's rate
   * allowance); rejects with the signal's reason when it is aborted meanwhile. A line that
   * answers people does not wait for it: they spent their own allowance saying it.
   */
  waitForAllowance(signal: AbortSignal): Promise<void>;
  /**
   * Waits for a model slot and resolves with it; rejects when the
   * bot is too busy, or with the signal's reason when the scene is stopped while it waits.
   */
  waitForSlot(signal: AbortSignal): Promise<ModelSlot>;
  /** The sink (and request extras) for `persona`'s next line, answering `heard` if any. */
  lineFor(persona: Persona, heard: readonly IncomingTurn[]): SceneLineSetup | Promise<SceneLineSetup>;
}

/** How a scene ended: all its lines said, stopped, a line failed, or the bot was too busy to go on. */
export type SceneEnd = "finished" | "stopped" | "failed" | "busy";

export interface SceneResult {
  readonly end: SceneEnd;
  /** Who spoke, in order (a cut line counts). */
  readonly speakers: readonly string[];
  readonly error?: Error;
}

/** Something a person said during the scene, waiting for the next line. */
interface Heard {
  readonly turn: IncomingTurn;
  readonly repliedTo?: Persona;
}

const list = (names: readonly string[]) =>
  names.length <= 1 ? names.join("") : `${names.slice(0, -1).join(", ")} and ${names.at(-1)}`;

/**
 * The direction for one line, in the model's words: the scene's topic as the person who
 * started it gave it (quoted: it is theirs, not a line of the scene), who is in it, and
 * whose line this is. It never speaks for another persona.
 */
export function sceneDirection(
  spec: Pick<SceneSpec, "topic" | "cast">,
  speaker: Persona,
  state: { first: boolean; answering: boolean },
): string {
  const others = list(spec.cast.filter((p) => p.id !== speaker.id).map((p) => p.name));
  const cue = state.answering
    ? "First answer what the people just said to the scene."
    : state.first
      ? "Open the scene."
      : "Carry on from the last line.";
  return `You are in a scene with ${others}. Its topic, as the person who started it put it: "${spec.topic}". Write ${speaker.name}'s next line: one short turn, only as ${speaker.name}, never as anyone else. ${cue}`;
}

/**
 * A scene: the cast talks among themselves for `spec.turns` lines, each written by the
 * engine as that persona's turn in the conversation (so later replies and recall see
 * it), one model call at a time under the host's limits. Who speaks next is decided by
 * `nextSpeaker`. People may speak during it: the next line answers them first. `stop()`
 * ends it at once, the line being written ending as cut.
 */
export class Scene {
  readonly #controller = new AbortController();
  readonly #heard: Heard[] = [];
  /** Aborted when a person speaks while the scene waits for its allowance: their answer does not wait for it. */
  #heardWhileWaiting: AbortController | undefined;
  #closed = false;

  constructor(
    private readonly engine: SceneEngine,
    readonly spec: SceneSpec,
    private readonly stage: SceneStage,
    private readonly random: RandomSource = Math.random,
  ) {
    checkSceneCast(spec.cast);
  }

  /** Aborted once the scene is stopped. */
  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  /** True once the scene takes no more messages. */
  get closed(): boolean {
    return this.#closed;
  }

  /** A person spoke during the scene; false when it has ended and they should be answered the usual way. */
  hear(turn: IncomingTurn, repliedTo?: Persona): boolean {
    if (this.#closed) return false;
    this.#heard.push({ turn, repliedTo });
    this.#heardWhileWaiting?.abort(new Error("a person spoke during the scene"));
    return true;
  }

  /** Ends the scene at once; the line being written ends as cut. */
  stop(): void {
    this.#closed = true;
    this.#controller.abort(new Error("the scene was stopped"));
  }

  /** Runs the scene to its end. Throws only when memory could not store a line. */
  async run(): Promise<SceneResult> {
    const speakers: string[] = [];
    let last: { persona: Persona; text: string } | undefined;
    try {
      while (!this.signal.aborted && this.#wantsLine(speakers.length)) {
        const line = await this.#line(last, speakers.length === 0);
        if (line.persona) speakers.push(line.persona.id);
        if (line.end) return { end: line.end, speakers, ...(line.error && { error: line.error }) };
        last = { persona: line.persona!, text: line.text };
      }
      return { end: this.signal.aborted ? "stopped" : "finished", speakers };
    } finally {
      this.#closed = true;
    }
  }

  /** Whether another line is due: one of the scene's own, or one for people still waiting after them. */
  #wantsLine(spoken: number): boolean {
    const due = spoken < this.spec.turns || (this.#heard.length > 0 && spoken < this.spec.turns + LINES_AFTER_THE_LAST);
    // Decided in the same step as the check, so nothing is heard after the scene chose to end.
    if (!due) this.#closed = true;
    return due;
  }

  /**
   * Waits for the scene's allowance for a line of its own; not when people wait to be
   * answered, and no longer once someone speaks: a scene never holds people's replies.
   */
  async #waitForAllowance(): Promise<void> {
    if (this.#heard.length > 0) return;
    const heard = new AbortController();
    this.#heardWhileWaiting = heard;
    try {
      await this.stage.waitForAllowance(AbortSignal.any([this.signal, heard.signal]));
    } catch (error) {
      if (this.signal.aborted || !heard.signal.aborted) throw error;
    } finally {
      this.#heardWhileWaiting = undefined;
    }
  }

  /** Writes one line; says how the scene ends when it cannot go on. */
  async #line(
    last: { persona: Persona; text: string } | undefined,
    first: boolean,
  ): Promise<{ persona?: Persona; text: string; end?: SceneEnd; error?: Error }> {
    let slot: ModelSlot;
    try {
      await this.#waitForAllowance();
      slot = await this.stage.waitForSlot(this.signal);
    } catch (error) {
      if (this.signal.aborted) return { text: "", end: "stopped" };
      return { text: "", end: "busy", error: error instanceof Error ? error : new Error(String(error)) };
    }
    try {
      const heard = this.#heard.splice(0);
      const moment = {
        lastSpeaker: last?.persona,
        lastLine: last?.text,
        heard: heard.map((h): HeardLine => ({ text: h.turn.content, repliedTo: h.repliedTo })),
      };
      const persona = nextSpeaker(this.spec.cast, moment, this.random);
      const turns = heard.map((h) => h.turn);
      const { sink, ...extras } = await this.stage.lineFor(persona, turns);
      const direction = sceneDirection(this.spec, persona, { first, answering: turns.length > 0 });
      const request: ReplyRequest = {
        conversation: this.spec.conversation,
        persona,
        turns,
        place: this.spec.place,
        direction,
        signal: this.signal,
        ...extras,
      };
      const outcome = await this.engine.reply(request, sink);
      if (this.signal.aborted) return { persona, text: outcome.text, end: "stopped" };
      if (outcome.status === "failed" || outcome.status === "withheld")
        return { persona, text: outcome.text, end: "failed", error: outcome.error };
      return { persona, text: outcome.text };
    } finally {
      slot.release();
    }
  }
}

/** The scenes running, at most one per conversation. */
export class SceneRegistry {
  readonly #running = new Map<string, Scene>();

  /** Registers `scene` as its conversation's; false when one runs there already. */
  begin(scene: Scene): boolean {
    const key = scene.spec.conversation.key;
    if (this.#running.has(key)) return false;
    this.#running.set(key, scene);
    return true;
  }

  /** Forgets `scene` once it has ended. */
  end(scene: Scene): void {
    const key = scene.spec.conversation.key;
    if (this.#running.get(key) === scene) this.#running.delete(key);
  }

  /** The scene running in a conversation. */
  get(conversationKey: string): Scene | undefined {
    return this.#running.get(conversationKey);
  }

  get size(): number {
    return this.#running.size;
  }

  /** The scenes running now. */
  running(): Scene[] {
    return [...this.#running.values()];
  }

  /** Stops every scene (shutdown). */
  stopAll(): void {
    for (const scene of this.#running.values()) scene.stop();
  }
}
