/** Every slot is taken and the waiting line is full: the caller should tell the person the bot is busy. */
export class QueueFullError extends Error {
  constructor(
    readonly maxActive: number,
    readonly maxWaiting: number,
  ) {
    super(`All ${maxActive} model slots are busy and ${maxWaiting} more requests already wait.`);
    this.name = "QueueFullError";
  }
}

/** Hands a freed slot to a waiting caller. */
type Waiter = () => void;

/** A model slot, held until `release()` frees it; releasing again does nothing. */
export interface ModelSlot {
  release(): void;
}

/** Replies come first; background work (summaries) gets a slot only when no reply waits for one. */
export type SlotPriority = "reply" | "background";

/**
 * At most `maxActive` holders at once and at most `maxWaiting` replies waiting in line
 * (first come, first served). A reply beyond that is refused at once, never queued.
 * Background work waits in a line of its own, served only when no reply waits: it is
 * never refused, and never holds a reply back for longer than one call.
 */
export class ConcurrencyLimiter {
  readonly #waiters: Waiter[] = [];
  readonly #background: Waiter[] = [];
  #active = 0;

  constructor(
    readonly maxActive: number,
    readonly maxWaiting: number,
  ) {}

  get active(): number {
    return this.#active;
  }

  /** Replies waiting for a slot. */
  get waiting(): number {
    return this.#waiters.length;
  }

  /** Background calls waiting for a slot. */
  get waitingInBackground(): number {
    return this.#background.length;
  }

  /**
   * Resolves with the slot once one is free. Throws QueueFullError at once
   * when the line is full; rejects with the signal's reason if aborted while waiting.
   */
  acquire(signal?: AbortSignal, priority: SlotPriority = "reply"): Promise<ModelSlot> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    const line = priority === "reply" ? this.#waiters : this.#background;
    // A free slot means nobody waits: a release hands its slot straight to the next in line.
    if (this.#active < this.maxActive) {
      this.#active++;
      return Promise.resolve(this.#slot());
    }
    if (priority === "reply" && line.length >= this.maxWaiting)
      return Promise.reject(new QueueFullError(this.maxActive, this.maxWaiting));
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        const index = line.indexOf(waiter);
        if (index !== -1) line.splice(index, 1);
        reject(signal?.reason);
      };
      const waiter: Waiter = () => {
        signal?.removeEventListener("abort", onAbort);
        resolve(this.#slot());
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      line.push(waiter);
    });
  }

  /** A slot whose release frees it once, handing it straight to the next in line. */
  #slot(): ModelSlot {
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        const next = this.#waiters.shift() ?? this.#background.shift();
        if (next) next();
        else this.#active--;
      },
    };
  }
}

/**
 * This shard process's part of a machine-wide limit: `total` divided among the shard
 * processes on the machine (`shardsHere`), the remainder going to the first ones, so the
 * parts add up to `total`. Each shard's servers can use only its own part.
 */
export function shareOf(total: number, shardsHere: readonly number[], shard: number): number {
  const position = Math.max(0, shardsHere.indexOf(shard));
  const count = Math.max(1, shardsHere.length);
  return Math.floor(total / count) + (position < total % count ? 1 : 0);
}
