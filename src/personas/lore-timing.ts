/**
 * World Info's timed effects, counted in messages [WI advanced: SillyTavern-Docs,
 * Usage/World_Info/Advanced.md, "Timed Effects"]: sticky (stays active for N messages after
 * it is activated, skipping its probability roll), cooldown (cannot be activated for N
 * messages after that) and delay (cannot be activated before the chat has N messages).
 *
 * SillyTavern keeps this state in the chat's metadata. Masque derives it from the stored
 * messages instead: it replays the last messages, oldest first, and asks at each whether
 * the entry's keys were in what was scanned then, so the state cannot drift from the chat
 * and a deleted message takes its activation with it (as SillyTavern's rule 3 says).
 */
import type { LoreEntry } from "./persona.js";

/** What the effects say now: a reason the entry cannot fire, or that it is held active. */
export interface TimedState {
  readonly blocked?: string;
  readonly sticky?: string;
}

/**
 * The entry's timed state for the scan whose newest message is `messages[0]` (newest first).
 * `triggeredBy` says whether the keys fire for a text.
 */
export function timedState(
  entry: LoreEntry,
  messages: readonly string[],
  triggeredBy: (text: string) => boolean,
  scanDepth: number,
): TimedState {
  const inChat = messages.length;
  if (entry.delay > 0 && inChat < entry.delay)
    return { blocked: `delayed: the chat has ${inChat} message(s), the entry waits for ${entry.delay}` };
  if (entry.sticky === 0 && entry.cooldown === 0) return {};
  // Replaying one full sticky-and-cooldown cycle back is enough to know where the entry stands now.
  const cycle = entry.sticky + entry.cooldown + 1;
  const now = inChat - 1;
  let activeUntil = -1;
  let coolUntil = -1;
  for (let t = Math.max(0, now - 2 * cycle); t < now; t++) {
    if (t <= coolUntil || t + 1 < entry.delay) continue;
    const scanned = messages.slice(now - t, now - t + (entry.scanDepth ?? scanDepth)).join("\n");
    if (entry.constant || triggeredBy(scanned)) {
      activeUntil = t + entry.sticky;
      coolUntil = activeUntil + entry.cooldown;
    }
  }
  if (now <= activeUntil)
    return {
      sticky: `sticky: activated ${now - activeUntil + entry.sticky} message(s) ago, active for ${entry.sticky}`,
    };
  if (now <= coolUntil) return { blocked: `cooling down: ${coolUntil - now + 1} more message(s)` };
  return {};
}
