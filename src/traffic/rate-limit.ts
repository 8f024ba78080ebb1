import { LruMap } from "./lru.js";

/** How much one person may ask: `messages` at once, refilled evenly over `windowMs`. */
export interface RateLimit {
  readonly messages: number;
  readonly windowMs: number;
}

/** Whether a message may be answered; when not, whether this is the one time to say so. */
export type RateVerdict =
  | { readonly allowed: true }
  | { readonly allowed: false; readonly notify: boolean; readonly retryAfterMs: number };

/** The most people tracked at once; the one idle longest is forgotten first (they start again full). */
export const MAX_TRACKED_BUCKETS = 10_000;

interface Bucket {
  readonly tokens: number;
  readonly updatedAt: number;
  /** Told about the limit since the last message that went through. */
  readonly notified: boolean;
}

/**
 * Per-person token buckets. Each message takes a token; tokens come back one every
 * `windowMs / messages`. The first refused message asks for a notice, the next ones are
 * refused silently until a token is back. Memory is bounded by MAX_TRACKED_BUCKETS.
 */
export class RateLimiter {
  readonly #buckets: LruMap<string, Bucket>;
  readonly #now: () => number;

  constructor(options: { now?: () => number; maxTracked?: number } = {}) {
    this.#now = options.now ?? Date.now;
    this.#buckets = new LruMap(options.maxTracked ?? MAX_TRACKED_BUCKETS);
  }

  /** Takes a token from `key`'s bucket if one is there. */
  take(key: string, limit: RateLimit): RateVerdict {
    const now = this.#now();
    const refillMs = limit.windowMs / limit.messages;
    const bucket = this.#buckets.get(key);
    const tokens = bucket
      ? Math.min(limit.messages, bucket.tokens + (now - bucket.updatedAt) / refillMs)
      : limit.messages;
    if (tokens >= 1) {
      this.#buckets.set(key, { tokens: tokens - 1, updatedAt: now, notified: false });
      return { allowed: true };
    }
    const notify = !bucket?.notified;
    this.#buckets.set(key, { tokens, updatedAt: now, notified: true });
    return { allowed: false, notify, retryAfterMs: Math.round((1 - tokens) * refillMs) };
  }

  /** People tracked now. */
  get size(): number {
    return this.#buckets.size;
  }
}
