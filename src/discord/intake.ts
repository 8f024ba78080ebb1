/**
 * Runs work for a key one after another, in the order it was handed in, while different
 * keys run side by side. A message whose attachment takes a while to read thus enters its
 * conversation's queue before a message sent after it, as Discord gave them.
 */
export class InOrder {
  readonly #tails = new Map<string, Promise<unknown>>();

  /** Runs `work` once everything handed in earlier for `key` has finished (or failed). */
  run<T>(key: string, work: () => Promise<T>): Promise<T> {
    const previous = this.#tails.get(key) ?? Promise.resolve();
    const result = previous.then(work, work);
    const tail = result.catch(() => {});
    this.#tails.set(key, tail);
    // A key is forgotten once nothing waits on it, so the map holds only busy conversations.
    void tail.then(() => {
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    });
    return result;
  }

  /** Keys with work running or waiting. */
  get size(): number {
    return this.#tails.size;
  }

  /** Resolves once no key has work running or waiting (at once when none has). */
  async idle(): Promise<void> {
    while (this.#tails.size > 0) await Promise.allSettled([...this.#tails.values()]);
  }
}
