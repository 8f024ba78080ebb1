/** The items waiting for a key, as a runner sees them. */
export interface Waiting<T> {
  /** What is queued right now, oldest first (a view: it changes as items arrive). */
  readonly items: readonly T[];
  /** Removes and returns everything queued so far; items arriving later go to the next batch. */
  take(): T[];
}

/** Answers one batch for `key`, calling `waiting.take()` once, when it is ready to answer. */
export type BatchRunner<T> = (key: string, waiting: Waiting<T>) => Promise<void>;

export interface BatchingQueueOptions<T> {
  /** Most items waiting per key while a batch is answered; more are refused. */
  readonly maxPending: number;
  readonly run: BatchRunner<T>;
  /** Called when a run throws; the queue carries on with the next batch. */
  readonly onError: (error: unknown, key: string) => void;
}

/**
 * One batch at a time per key: items that arrive while a batch is being answered wait and
 * are answered together in the next one. Bounded: at most `maxPending` items wait per key,
 * and a key is forgotten as soon as nothing is queued or running for it.
 */
export class BatchingQueue<T> {
  readonly #pending = new Map<string, T[]>();
  readonly #drains = new Set<Promise<void>>();
  readonly #drainOf = new Map<string, Promise<void>>();
  /** The batch each key is answering now (taken from its queue). */
  readonly #answering = new Map<string, readonly T[]>();

  constructor(private readonly options: BatchingQueueOptions<T>) {}

  /** Queues an item and starts answering if `key` was idle. Returns false, queueing nothing, when `key` is full. */
  push(key: string, item: T): boolean {
    const pending = this.#pending.get(key);
    if (pending) {
      if (pending.length >= this.options.maxPending) return false;
      pending.push(item);
      return true;
    }
    const fresh = [item];
    this.#pending.set(key, fresh);
    const drain = this.#drain(key, fresh);
    this.#drains.add(drain);
    this.#drainOf.set(key, drain);
    void drain.finally(() => {
      this.#drains.delete(drain);
      if (this.#drainOf.get(key) === drain) this.#drainOf.delete(key);
    });
    return true;
  }

  /** Items waiting for `key` (not counting the batch being answered). */
  waiting(key: string): number {
    return this.#pending.get(key)?.length ?? 0;
  }

  /** Items queued across all keys (the batches being answered included, until they are taken). */
  get totalWaiting(): number {
    let total = 0;
    for (const items of this.#pending.values()) total += items.length;
    return total;
  }

  /** Keys with a batch queued or running. */
  get activeKeys(): number {
    return this.#pending.size;
  }

  /** Resolves once `key` has nothing queued or running (at once when it is idle). */
  async settled(key: string): Promise<void> {
    for (let drain = this.#drainOf.get(key); drain; drain = this.#drainOf.get(key)) await drain.catch(() => {});
  }

  /**
   * Resolves once every key that holds an item matching `holds` now (queued, or in the
   * batch being answered) has nothing queued or running: e.g. a person's replies in flight.
   */
  async settledWhere(holds: (item: T) => boolean): Promise<void> {
    const keys = [...this.#pending.keys()].filter(
      (key) => this.#pending.get(key)!.some(holds) || (this.#answering.get(key) ?? []).some(holds),
    );
    await Promise.all(keys.map((key) => this.settled(key)));
  }

  /** Resolves once no key has anything queued or running. */
  async idle(): Promise<void> {
    while (this.#drains.size > 0) await Promise.allSettled([...this.#drains]);
  }

  async #drain(key: string, pending: T[]): Promise<void> {
    while (pending.length > 0) {
      let taken = false;
      const waiting: Waiting<T> = {
        items: pending,
        take: () => {
          taken = true;
          const batch = pending.splice(0);
          this.#answering.set(key, batch);
          return batch;
        },
      };
      try {
        await this.options.run(key, waiting);
      } catch (error) {
        this.options.onError(error, key);
      } finally {
        this.#answering.delete(key);
      }
      // A run that never took its batch must not spin on it forever.
      if (!taken) pending.length = 0;
    }
    // Same synchronous step as the final length check, so no push can slip in between.
    this.#pending.delete(key);
  }
}
