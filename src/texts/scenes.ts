/**
 * Texts of scenes, part of src/texts.ts (which re-exports them: import them from there). In a
 * file of their own only so src/texts.ts stays under the 300-line limit.
 */

const plural = (n: number, one: string, many: string) => `${n.toLocaleString("en-US")} ${n === 1 ? one : many}`;

/** Scenes: the cast talking among themselves (`/scene`, `/masque scenes`). */
export const SCENE_TEXTS = {
  status: (topic: string, names: readonly string[], turns: number) =>
    `🎬 **Scene:** ${topic}\n${names.join(", ")} · ${plural(turns, "line", "lines")}`,
  ended: (topic: string, lines: number, how: "finished" | "stopped" | "failed" | "busy") =>
    `🎬 **Scene:** ${topic}\n${{ finished: "Ended", stopped: "Stopped", failed: "Ended early: a line failed", busy: "Ended early: I'm too busy" }[how]} after ${plural(lines, "line", "lines")}.`,
  stopLabel: "Stop",
  stopped: "The scene is stopped.",
  noScene: "No scene is running here.",
  alreadyRunning: "A scene is already running here; stop it first with `/scene stop`.",
  off: "Scenes are turned off in this server (`/masque scenes`).",
  notHere: "Scenes run in a server's text channels.",
  channelOff: "I keep quiet in this channel (`/masque channel`), so no scene runs here.",
  stoppedByChannelOff: (scenes: number) =>
    `${scenes === 1 ? "The scene running there is" : `The ${plural(scenes, "scene", "scenes")} running there are`} stopped: in an \`off\` channel I hear nothing.`,
  castTooSmall: "A scene needs at least two personas here: add one with `/persona add`.",
  notInCast: (names: readonly string[]) =>
    `Not in the cast here: ${names.join(", ")}. \`/persona list\` shows the cast.`,
  setting: (on: boolean) =>
    on ? "Scenes are on in this server: admins can start one with `/scene start`." : "Scenes are off in this server.",
} as const;
