/**
 * A bounded least-recently-used map whose entries also die at a deadline. A `Map` keeps
 * insertion order, so the first key is the least recently used one: a hit moves its entry to
 * the end (delete + set), an insert past `maxEntries` drops the first.
 */
export class LruCache<V> {
  readonly #entries = new Map<string, { readonly value: V; readonly deadline: number }>();
  readonly #maxEntries: number;

  constructor(maxEntries: number) {
    this.#maxEntries = maxEntries;
  }

  get size(): number {
    return this.#entries.size;
  }

  /** The value stored under `key` if its deadline (ms since the epoch) is after `now`. */
  get(key: string, now: number): V | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    this.#entries.delete(key);
    if (entry.deadline <= now) return undefined;
    this.#entries.set(key, entry);
    return entry.value;
  }

  /** Stores `value` until `deadline` (ms since the epoch), evicting the least recently used entry if full. */
  set(key: string, value: V, deadline: number): void {
    this.#entries.delete(key);
    if (this.#entries.size >= this.#maxEntries) {
      const oldest = this.#entries.keys().next();
      if (oldest.done !== true) this.#entries.delete(oldest.value);
    }
    this.#entries.set(key, { value, deadline });
  }

  delete(key: string): boolean {
    return this.#entries.delete(key);
  }

  clear(): void {
    this.#entries.clear();
  }
}
