/** A Map that holds at most `maxSize` entries, forgetting the least recently written first. */
export class LruMap<K, V> {
  readonly #entries = new Map<K, V>();

  constructor(readonly maxSize: number) {}

  get(key: K): V | undefined {
    return this.#entries.get(key);
  }

  /** Writes `key` as the most recent entry, forgetting the oldest when over `maxSize`. */
  set(key: K, value: V): void {
    this.#entries.delete(key);
    this.#entries.set(key, value);
    if (this.#entries.size > this.maxSize) {
      const oldest = this.#entries.keys().next().value;
      if (oldest !== undefined) this.#entries.delete(oldest);
    }
  }

  get size(): number {
    return this.#entries.size;
  }
}
