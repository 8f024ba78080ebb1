import { LruMap } from "./lru.js";

/** The most conversations whose last reply time is remembered; the one idle longest is forgotten first. */
export const MAX_PACED_CONVERSATIONS = 10_000;

/** Remembers when the bot last replied in each conversation, to keep a least gap between its replies. */
export class ReplyPacer {
  readonly #lastReplyAt: LruMap<string, number>;
  readonly #now: () => number;

  constructor(options: { now?: () => number; maxTracked?: number } = {}) {
    this.#now = options.now ?? Date.now;
    this.#lastReplyAt = new LruMap(options.maxTracked ?? MAX_PACED_CONVERSATIONS);
  }

  /** How long to wait before replying in `key` so replies there are at least `gapMs` apart. */
  delayFor(key: string, gapMs: number): number {
    const last = this.#lastReplyAt.get(key);
    return last === undefined ? 0 : Math.max(0, last + gapMs - this.#now());
  }

  /** Notes that the bot just replied in `key`. */
  replied(key: string): void {
    this.#lastReplyAt.set(key, this.#now());
  }
}
