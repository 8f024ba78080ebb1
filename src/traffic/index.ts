import { BotExchanges } from "./bot-exchanges.js";
import type { ConcurrencyLimiter } from "./concurrency.js";
import { ReplyPacer } from "./pacing.js";
import { RateLimiter } from "./rate-limit.js";

/** How much the bot answers, and when: per-person allowances, model slots, gaps in `auto` channels. */
export interface Traffic {
  /** Per-person token buckets. */
  readonly rates: RateLimiter;
  /** The global cap on model calls (LLM_MAX_CONCURRENCY, LLM_QUEUE_LIMIT); replies come before summaries. */
  readonly slots: ConcurrencyLimiter;
  /** The least gap between replies in `auto` channels. */
  readonly pacer: ReplyPacer;
  /** Replies to other bots per conversation since a person last spoke there. */
  readonly botExchanges: BotExchanges;
}

/** `slots` are the core's model slots (shared with the summarizer); `now` is the clock of rate limits and reply gaps, tests pass their own. */
export function createTraffic(slots: ConcurrencyLimiter, now?: () => number): Traffic {
  return { rates: new RateLimiter({ now }), slots, pacer: new ReplyPacer({ now }), botExchanges: new BotExchanges() };
}
