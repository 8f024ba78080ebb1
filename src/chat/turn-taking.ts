import type { Persona } from "../personas/persona.js";
import { addressedIn } from "./addressing.js";

/** A scene needs at least this many personas: one persona alone would only talk to itself. */
export const MIN_SCENE_CAST = 2;

/** A number in [0, 1): Math.random, or a seeded source in tests. */
export type RandomSource = () => number;

/** Something a person said during a scene. */
export interface HeardLine {
  readonly text: string;
  /** The persona whose line it replies to, if any: that addresses it too. */
  readonly repliedTo?: Persona;
}

/** What the choice of the next speaker looks at: the scene's latest lines. */
export interface SceneMoment {
  /** The persona whose line came last in the scene; undefined before the first line. */
  readonly lastSpeaker?: Persona;
  /** That line's text. */
  readonly lastLine?: string;
  /** What people said since that line, oldest first: the next speaker answers them first. */
  readonly heard?: readonly HeardLine[];
}

/** The scene cannot run with this cast. */
export class SceneCastError extends Error {
  constructor(readonly castSize: number) {
    super(`A scene needs at least ${MIN_SCENE_CAST} personas; this cast has ${castSize}.`);
    this.name = "SceneCastError";
  }
}

/** Throws SceneCastError unless the cast can hold a scene. */
export function checkSceneCast(cast: readonly Persona[]): void {
  if (new Set(cast.map((p) => p.id)).size < MIN_SCENE_CAST) throw new SceneCastError(cast.length);
}

/**
 * One persona drawn with a chance proportional to its talkativeness; when every
 * candidate's is 0, any of them with the same chance. SillyTavern's group chat ("natural
 * order", `activateNaturalOrder` in SillyTavern/SillyTavern public/scripts/group-chats.js)
 * rolls each member against its talkativeness and falls back to a random pick of the
 * members whose talkativeness is above 0; a scene line has one speaker, so here the same
 * weights decide one draw.
 */
export function drawByTalkativeness(candidates: readonly Persona[], random: RandomSource): Persona {
  if (candidates.length === 0) throw new SceneCastError(0);
  const total = candidates.reduce((sum, p) => sum + p.talkativeness, 0);
  if (total <= 0) return candidates[Math.min(candidates.length - 1, Math.floor(random() * candidates.length))]!;
  let roll = random() * total;
  for (const persona of candidates) {
    if (persona.talkativeness <= 0) continue;
    roll -= persona.talkativeness;
    if (roll < 0) return persona;
  }
  // Rounding can leave a sliver at the end: it belongs to the last persona that may speak.
  return candidates.findLast((p) => p.talkativeness > 0)!;
}

/**
 * Who speaks next in a scene:
 * - when people spoke since the last line, the one their newest message addressing someone
 *   replied to or named first (even the one who spoke last: a person's message came between);
 * - else the first cast member the last line addressed, never the one who spoke it;
 * - else a draw by talkativeness among the others (SillyTavern bans the last speaker the
 *   same way unless a group allows self-responses).
 * So no persona speaks twice in a row unless a person asked it to.
 */
export function nextSpeaker(cast: readonly Persona[], moment: SceneMoment, random: RandomSource): Persona {
  checkSceneCast(cast);
  const heard = moment.heard ?? [];
  for (const line of [...heard].reverse()) {
    const replied = line.repliedTo && cast.find((p) => p.id === line.repliedTo?.id);
    const addressed = replied ?? addressedIn(line.text, cast)[0];
    if (addressed) return addressed;
  }
  const others = cast.filter((p) => p.id !== moment.lastSpeaker?.id);
  if (heard.length === 0 && moment.lastLine !== undefined) {
    const [addressed] = addressedIn(moment.lastLine, others);
    if (addressed) return addressed;
  }
  return drawByTalkativeness(others, random);
}
