/** Discord's limit for one message's content. */
export const DISCORD_MESSAGE_LIMIT = 2000;

/** A reopened fence keeps its language only when the info line is short. */
const MAX_FENCE_INFO = 100;
const FENCE = /^\s*(`{3,}|~{3,})(.*)$/;

interface FenceState {
  /** The opening line (e.g. "```ts"), or undefined outside a code block. */
  readonly open: string | undefined;
  readonly marker: string | undefined;
}

/** Tracks whether the text ends inside a fenced code block, starting from `state`. */
function fenceAfter(text: string, state: FenceState): FenceState {
  let { open, marker } = state;
  for (const line of text.split("\n")) {
    const match = FENCE.exec(line);
    if (!match) continue;
    const [, fence = "", info = ""] = match;
    if (open === undefined) {
      open = `${fence}${info.trim()}`;
      marker = fence;
    } else if (marker && fence.startsWith(marker[0]!) && fence.length >= marker.length && info.trim() === "") {
      open = undefined;
      marker = undefined;
    }
  }
  return { open, marker };
}

/** Where to cut `text` so the piece is at most `max` characters: paragraph, then line, then word, then hard. */
function cutPoint(text: string, max: number): number {
  if (text.length <= max) return text.length;
  if (max < 2) return 1;
  const window = text.slice(0, max + 1);
  const minUseful = Math.floor(max / 2);
  for (const separator of ["\n\n", "\n", " "]) {
    const at = window.lastIndexOf(separator);
    if (at >= minUseful) return at + separator.length;
  }
  // No good boundary: do not cut through a surrogate pair.
  const code = text.charCodeAt(max - 1);
  return code >= 0xd800 && code <= 0xdbff ? max - 1 : max;
}

/**
 * Splits text into Discord messages of at most `limit` characters, at paragraph, line or
 * word boundaries. A split inside a fenced code block closes the fence at the end of the
 * piece and reopens it (with its language) at the start of the next, so each message
 * renders on its own. Pieces depend only on the text before them, so while a reply grows
 * only the last piece changes.
 */
export function splitMessage(text: string, limit: number = DISCORD_MESSAGE_LIMIT): string[] {
  const pieces: string[] = [];
  let rest = text;
  let fence: FenceState = { open: undefined, marker: undefined };
  while (rest.length > 0) {
    const prefix = fence.open ? `${fence.open.length > MAX_FENCE_INFO ? fence.marker : fence.open}\n` : "";
    if (prefix.length + rest.length <= limit && !fenceAfter(rest, fence).open) {
      pieces.push(prefix + rest);
      break;
    }
    let cut = cutPoint(rest, limit - prefix.length);
    let after = fenceAfter(rest.slice(0, cut), fence);
    if (after.open) {
      // Leave room for the closing fence line.
      cut = cutPoint(rest, limit - prefix.length - (after.marker ?? "```").length - 1);
      after = fenceAfter(rest.slice(0, cut), fence);
    }
    const body = rest.slice(0, cut);
    const piece = after.open ? `${(prefix + body).replace(/\n?$/, "\n")}${after.marker ?? "```"}` : prefix + body;
    pieces.push(piece);
    rest = rest.slice(cut);
    fence = after;
    if (rest.length === 0) break;
  }
  return pieces.map((p) => p.replace(/\s+$/, "")).filter((p) => p.length > 0);
}
