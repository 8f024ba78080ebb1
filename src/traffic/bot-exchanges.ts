import { LruMap } from "./lru.js";

/**
 * Replies to other bots in one conversation with no person speaking in between; past this,
 * the personas there stop answering bots until a person speaks, so two allowed bots cannot
 * talk to each other forever.
 */
export const MAX_BOT_EXCHANGES = 3;
/** Conversations whose count is kept at once; the least recently counted is forgotten first. */
export const MAX_TRACKED_BOT_CONVERSATIONS = 10_000;

/**
 * Counts, per conversation, the messages from other bots taken in for an answer since a person
 * last spoke there. Kept in memory only: a restart lets the bots have their few exchanges again.
 */
export class BotExchanges {
  readonly #counts = new LruMap<string, number>(MAX_TRACKED_BOT_CONVERSATIONS);

  /** Whether a bot's message in `key` may be answered; counts it when it may. */
  mayAnswerBot(key: string): boolean {
    const count = this.#counts.get(key) ?? 0;
    if (count >= MAX_BOT_EXCHANGES) return false;
    this.#counts.set(key, count + 1);
    return true;
  }

  /** A person spoke in `key`: bots there may be answered again. */
  personSpoke(key: string): void {
    if (this.#counts.get(key) !== undefined) this.#counts.set(key, 0);
  }
}
