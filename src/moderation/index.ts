import type { DiscordConfig } from "../config.js";
import type { Core } from "../core.js";
import { Auditor, type ChannelPoster } from "./audit.js";
import type { ConcurrencyLimiter } from "./concurrency.js";
import { ContentChecker } from "./content.js";
import { ReplyPacer } from "./pacing.js";
import { ModerationPolicy } from "./policy.js";
import { RateLimiter } from "./rate-limit.js";

/** What the Discord adapter uses to keep the bot safe and affordable. */
export interface Moderation {
  /** Stored choices with defaults filled in: channel modes, limits, content rules, blocks. */
  readonly policy: ModerationPolicy;
  readonly content: ContentChecker;
  /** Per-person token buckets. */
  readonly rates: RateLimiter;
  /** The global cap on replies being written (LLM_MAX_CONCURRENCY, LLM_QUEUE_LIMIT). */
  readonly slots: ConcurrencyLimiter;
  /** The least gap between replies in `auto` channels. */
  readonly pacer: ReplyPacer;
  readonly audit: Auditor;
}

export interface ModerationOptions {
  /** Mirrors audit entries to a server's log channel. */
  readonly post: ChannelPoster;
  /** The clock of rate limits and reply gaps; tests pass their own. */
  readonly now?: () => number;
}

/** Builds the moderation services over the core's memory and model. */
export function createModeration(core: Core, config: DiscordConfig, options: ModerationOptions): Moderation {
  const { memory } = core;
  return {
    policy: new ModerationPolicy(memory.moderation, config.moderation, config.personaWebhooks),
    content: new ContentChecker(core.model, config.moderationModel),
    rates: new RateLimiter({ now: options.now }),
    slots: core.slots,
    pacer: new ReplyPacer({ now: options.now }),
    audit: new Auditor(memory.audit, memory.moderation, options.post, core.log),
  };
}
