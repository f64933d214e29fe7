/** One cached value, linked into the recency list. */
interface Entry<K, V> {
  readonly key: K;
  readonly value: V;
  readonly deadline: number;
  /** The next older entry, or `undefined` for the least recently used. */
  older: Entry<K, V> | undefined;
  /** The next newer entry, or `undefined` for the most recently used. */
  newer: Entry<K, V> | undefined;
}

/**
 * A bounded least-recently-used map whose entries also die at a deadline. A `Map` finds the
 * entry; a doubly linked list keeps recency, so a hit moves its entry to the front by relinking
 * two neighbours instead of deleting and re-inserting the key in the `Map` (which rehashes it and
 * costs about a third of a cached token verification).
 */
export class LruCache<K, V> {
  readonly #entries = new Map<K, Entry<K, V>>();
  readonly #maxEntries: number;
  /** Most recently used. */
  #newest: Entry<K, V> | undefined;
  /** Least recently used: the next to go. */
  #oldest: Entry<K, V> | undefined;

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
      this.#remove(entry);
      return undefined;
    }
    if (entry !== this.#newest) {
      this.#unlink(entry);
      this.#pushNewest(entry);
    }
    return entry.value;
  }

  /** Stores `value` until `deadline` (ms since the epoch), evicting the least recently used entry if full. */
  set(key: K, value: V, deadline: number): void {
    const existing = this.#entries.get(key);
    if (existing !== undefined) this.#remove(existing);
    if (this.#entries.size >= this.#maxEntries && this.#oldest !== undefined) this.#remove(this.#oldest);
    const entry: Entry<K, V> = { key, value, deadline, older: undefined, newer: undefined };
    this.#entries.set(key, entry);
    this.#pushNewest(entry);
  }

  delete(key: K): boolean {
    const entry = this.#entries.get(key);
    if (entry === undefined) return false;
    this.#remove(entry);
    return true;
  }

  clear(): void {
    this.#entries.clear();
    this.#newest = undefined;
    this.#oldest = undefined;
  }

  #remove(entry: Entry<K, V>): void {
    this.#entries.delete(entry.key);
    this.#unlink(entry);
  }

  #unlink(entry: Entry<K, V>): void {
    const { older, newer } = entry;
    if (older === undefined) this.#oldest = newer;
    else older.newer = newer;
    if (newer === undefined) this.#newest = older;
    else newer.older = older;
    entry.older = undefined;
    entry.newer = undefined;
  }

  #pushNewest(entry: Entry<K, V>): void {
    entry.older = this.#newest;
    if (this.#newest === undefined) this.#oldest = entry;
    else this.#newest.newer = entry;
    this.#newest = entry;
  }
}
