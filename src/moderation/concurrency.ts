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

/**
 * At most `maxActive` holders at once and at most `maxWaiting` callers waiting in line
 * (first come, first served). A caller beyond that is refused at once, never queued.
 */
export class ConcurrencyLimiter {
  readonly #waiters: Waiter[] = [];
  #active = 0;

  constructor(
    readonly maxActive: number,
    readonly maxWaiting: number,
  ) {}

  get active(): number {
    return this.#active;
  }

  get waiting(): number {
    return this.#waiters.length;
  }

  /**
   * Resolves with a release function once a slot is free. Throws QueueFullError at once
   * when the line is full; rejects with the signal's reason if aborted while waiting.
   */
  acquire(signal?: AbortSignal): Promise<() => void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.#active < this.maxActive) {
      this.#active++;
      return Promise.resolve(this.#releaser());
    }
    if (this.#waiters.length >= this.maxWaiting) return Promise.reject(new QueueFullError(this.maxActive, this.maxWaiting));
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        const index = this.#waiters.indexOf(waiter);
        if (index !== -1) this.#waiters.splice(index, 1);
        reject(signal?.reason);
      };
      const waiter: Waiter = () => {
        signal?.removeEventListener("abort", onAbort);
        resolve(this.#releaser());
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      this.#waiters.push(waiter);
    });
  }

  /** A release function that frees the slot once, handing it straight to the next in line. */
  #releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.#waiters.shift();
      if (next) next();
      else this.#active--;
    };
  }
}
