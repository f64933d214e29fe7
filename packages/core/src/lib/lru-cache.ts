/** One cached value and the time it dies. */
interface Entry<V> {
  readonly value: V;
  readonly deadline: number;
}

/**
 * A bounded least-recently-used map whose entries also die at a deadline. A `Map` iterates in
 * insertion order, so it keeps recency by itself: a hit is deleted and set again to become the
 * newest, and the first key is the least recently used, the next to go.
 */
export class LruCache<K, V> {
  readonly #entries = new Map<K, Entry<V>>();
  readonly #maxEntries: number;
  /** The most recently used key: a hit on it moves nothing (7% of a cached Fastify request, bench/README.md). */
  #newest: K | undefined;

  constructor(maxEntries: number) {
    this.#maxEntries = maxEntries;
  }

  get size(): number {
    return this.#entries.size;
  }

  /** The value stored under `key` if its deadline (ms since the epoch) is after `now`. */
  get(key: K, now: number): V | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.deadline <= now) {
      this.delete(key);
      return undefined;
    }
    if (key !== this.#newest) {
      this.#entries.delete(key);
      this.#entries.set(key, entry);
      this.#newest = key;
    }
    return entry.value;
  }

  /** Stores `value` until `deadline` (ms since the epoch), evicting the least recently used entry if full. */
  set(key: K, value: V, deadline: number): void {
    this.#entries.delete(key);
    if (this.#entries.size >= this.#maxEntries) {
      const oldest = this.#entries.keys().next();
      if (oldest.done !== true) this.#entries.delete(oldest.value);
    }
    this.#entries.set(key, { value, deadline });
    this.#newest = key;
  }

  delete(key: K): boolean {
    if (key === this.#newest) this.#newest = undefined;
    return this.#entries.delete(key);
  }

  clear(): void {
    this.#entries.clear();
    this.#newest = undefined;
  }
}
