/**
 * The replies and commands being worked on, so shutdown can wait for them (for a grace
 * period) and then abort what is left.
 */
export class ShutdownTracker {
  readonly #work = new Map<Promise<unknown>, AbortController>();

  get size(): number {
    return this.#work.size;
  }

  /** Runs `work` with a signal that shutdown aborts, tracked until it settles. */
  track<T>(work: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const controller = new AbortController();
    const promise = work(controller.signal);
    this.#work.set(promise, controller);
    const forget = () => this.#work.delete(promise);
    promise.then(forget, forget);
    return promise;
  }

  /** Resolves once everything tracked now has settled. */
  settled(): Promise<unknown> {
    return Promise.allSettled([...this.#work.keys()]);
  }

  /** Waits up to `graceMs` for the work in flight, then aborts the rest and waits for it to wind down. */
  async finish(graceMs: number): Promise<void> {
    const grace = new Promise((resolve) => setTimeout(resolve, graceMs).unref());
    await Promise.race([this.settled(), grace]);
    for (const controller of this.#work.values()) controller.abort();
    await this.settled();
  }
}
