/**
 * At most one edit per message per this interval while a reply streams: about one a
 * second, spaced so four edits and the final one fit Discord's 5-per-5-seconds
 * per-channel bucket.
 */
export const EDIT_INTERVAL_MS = 1250;
/**
 * Edits per second all streaming replies may spend together, under Discord's global
 * 50 requests/s, leaving room for new messages and typing calls.
 */
export const EDIT_BUDGET_PER_SECOND = 35;

/**
 * Shares the edit budget among the replies streaming at once: with many of them, each
 * edits less often, so the bot stays under Discord's global limit instead of queueing
 * (and its final edits do not wait behind a backlog).
 */
export class EditBudget {
  #active = 0;

  constructor(
    private readonly minIntervalMs: number = EDIT_INTERVAL_MS,
    private readonly perSecond: number = EDIT_BUDGET_PER_SECOND,
  ) {}

  /** Counts a reply as streaming until the returned function is called. */
  join(): () => void {
    this.#active++;
    let left = false;
    return () => {
      if (!left) this.#active--;
      left = true;
    };
  }

  /** The interval each streaming reply should keep between its edits now. */
  get intervalMs(): number {
    return Math.max(this.minIntervalMs, Math.ceil((this.#active * 1000) / this.perSecond));
  }

  get active(): number {
    return this.#active;
  }
}
