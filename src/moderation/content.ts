import type { ModelClient, ModerationResult } from "../llm/client.js";
import { findBlockedWord } from "./filter.js";
import type { ContentRules } from "./policy.js";

/** Why a text was flagged: a blocked-words entry, or the provider's categories. */
export interface ContentFlag {
  readonly source: "filter" | "openai";
  readonly reasons: readonly string[];
}

/** A text did not pass the content checks; thrown by a reply's review to withhold it. */
export class ContentFlaggedError extends Error {
  constructor(readonly flag: ContentFlag) {
    super(`Flagged by ${flag.source}: ${flag.reasons.join(", ")}`);
    this.name = "ContentFlaggedError";
  }
}

/** The moderation endpoint failed or is missing, so the text could not be checked (and is not let through). */
export class ModerationUnavailableError extends Error {
  constructor(
    message: string,
    override readonly cause?: unknown,
  ) {
    super(message);
    this.name = "ModerationUnavailableError";
  }
}

/** Checks texts against a server's blocked words and, when on, the provider's moderation endpoint. */
export class ContentChecker {
  constructor(
    private readonly model: ModelClient,
    /** MODERATION_MODEL. */
    private readonly moderationModel: string,
  ) {}

  /** Whether replies must be held back and checked before they are shown. */
  needsReview(rules: ContentRules): boolean {
    return rules.provider !== "off" || rules.blockedWords.length > 0;
  }

  /** The blocked-words check alone: instant, no provider. */
  filter(text: string, rules: ContentRules): ContentFlag | undefined {
    const entry = findBlockedWord(text, rules.blockedWords);
    return entry === undefined ? undefined : { source: "filter", reasons: [entry] };
  }

  /**
   * One flag (or undefined) per text, in order: blocked words first, then one provider call
   * for the texts they let through. Throws ModerationUnavailableError when the provider is
   * on and fails: an unchecked text is never treated as clean.
   */
  async check(
    texts: readonly string[],
    rules: ContentRules,
    signal?: AbortSignal,
  ): Promise<Array<ContentFlag | undefined>> {
    const flags = texts.map((text) => this.filter(text, rules));
    const unchecked = texts.flatMap((text, index) => (flags[index] ? [] : [{ text, index }]));
    if (rules.provider === "off" || unchecked.length === 0) return flags;
    let results: ModerationResult[];
    try {
      results = await this.model.moderate(
        unchecked.map((u) => u.text),
        this.moderationModel,
        signal,
      );
    } catch (error) {
      throw new ModerationUnavailableError(
        `The moderation endpoint failed: ${error instanceof Error ? error.message : String(error)}`,
        error,
      );
    }
    if (results.length !== unchecked.length) {
      throw new ModerationUnavailableError(
        `The moderation endpoint answered ${results.length} results for ${unchecked.length} texts.`,
      );
    }
    unchecked.forEach(({ index }, i) => {
      const result = results[i]!;
      if (result.flagged) flags[index] = { source: "openai", reasons: result.categories };
    });
    return flags;
  }

  /** Resolves when every text passes; throws ContentFlaggedError (the first flag) or ModerationUnavailableError. */
  async review(texts: readonly string[], rules: ContentRules, signal?: AbortSignal): Promise<void> {
    const flag = (await this.check(texts, rules, signal)).find((f) => f !== undefined);
    if (flag) throw new ContentFlaggedError(flag);
  }

  /**
   * The review every reply under `rules` gets before it is shown (its text and the thinking
   * its sink shows, in one check), or undefined when nothing is checked there.
   */
  replyReview(rules: ContentRules, signal?: AbortSignal): ((texts: readonly string[]) => Promise<void>) | undefined {
    return this.needsReview(rules) ? (texts) => this.review(texts, rules, signal) : undefined;
  }
}
