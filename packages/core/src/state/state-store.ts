/** A counter after {@link StateStore.increment}. */
export interface CounterState {
  /** The count, this increment included. */
  readonly count: number;
  /** Milliseconds until the counter (and its window) ends. */
  readonly ttlMs: number;
}

/**
 * The state Valet keeps between requests: cached introspection results, revocations, DPoP proof
 * ids and rate-limit counters. One process needs nothing but the default,
 * {@link memoryStateStore}; several instances behind a load balancer share one store (Redis, in
 * `@valet/redis`) so that what one instance learns, every instance knows.
 *
 * Keys are strings Valet builds (`valet:<purpose>:...`); values are strings. Every entry has a
 * lifetime: nothing is kept for ever. Implementations are expected to be atomic per call, as
 * Redis commands are: two instances calling {@link setIfAbsent} with one key never both win.
 */
export interface StateStore {
  /** The value at `key`, or `undefined` when there is none or it has expired. */
  get(key: string): Promise<string | undefined>;
  /** Stores `value` at `key` for `ttlMs` milliseconds, replacing any value. */
  set(key: string, value: string, ttlMs: number): Promise<void>;
  /** Stores `value` at `key` for `ttlMs` milliseconds only if nothing is there; true when it stored it. */
  setIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean>;
  /**
   * Adds 1 to the counter at `key`, creating it at 1 with a lifetime of `ttlMs` milliseconds
   * (a later increment does not extend it: a fixed window).
   */
  increment(key: string, ttlMs: number): Promise<CounterState>;
  /** Sends `message` to every subscriber of `channel`, on every instance, this one included. */
  publish(channel: string, message: string): Promise<void>;
  /** Calls `listener` with each message published on `channel` from now on; resolves to an unsubscribe function. */
  subscribe(channel: string, listener: (message: string) => void): Promise<() => Promise<void>>;
}

/** Options of {@link memoryStateStore}. */
export interface MemoryStateStoreOptions {
  /**
   * Most entries held; when full, expired entries are dropped first, then the oldest. Default
   * 1 000 000.
   */
  readonly maxEntries?: number;
  /** Current time in milliseconds since the epoch. Default `Date.now`. */
  readonly clock?: () => number;
}

interface Entry {
  value: string;
  readonly deadline: number;
}

/**
 * A {@link StateStore} in this process's memory: what Valet uses when no store is given, and
 * what a single instance needs. Publishing reaches this process's subscribers only.
 *
 * @example
 * ```ts
 * const store = memoryStateStore();
 * await store.setIfAbsent('valet:dpop:jti:abc', '1', 60_000); // true
 * await store.setIfAbsent('valet:dpop:jti:abc', '1', 60_000); // false: already used
 * ```
 */
export function memoryStateStore(options: MemoryStateStoreOptions = {}): StateStore {
  const maxEntries = options.maxEntries ?? 1_000_000;
  const clock = options.clock ?? Date.now;
  const entries = new Map<string, Entry>();
  const channels = new Map<string, Set<(message: string) => void>>();

  const live = (key: string, now: number): Entry | undefined => {
    const entry = entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.deadline > now) return entry;
    entries.delete(key);
    return undefined;
  };
  const store = (key: string, value: string, deadline: number, now: number): void => {
    entries.delete(key);
    if (entries.size >= maxEntries) {
      for (const [old, entry] of entries) if (entry.deadline <= now) entries.delete(old);
      if (entries.size >= maxEntries) entries.delete(entries.keys().next().value!);
    }
    entries.set(key, { value, deadline });
  };

  return {
    async get(key) {
      return live(key, clock())?.value;
    },
    async set(key, value, ttlMs) {
      const now = clock();
      store(key, value, now + ttlMs, now);
    },
    async setIfAbsent(key, value, ttlMs) {
      const now = clock();
      if (live(key, now) !== undefined) return false;
      store(key, value, now + ttlMs, now);
      return true;
    },
    async increment(key, ttlMs) {
      const now = clock();
      const entry = live(key, now);
      if (entry === undefined) {
        store(key, '1', now + ttlMs, now);
        return { count: 1, ttlMs };
      }
      entry.value = String(Number(entry.value) + 1);
      return { count: Number(entry.value), ttlMs: entry.deadline - now };
    },
    async publish(channel, message) {
      for (const listener of channels.get(channel) ?? []) listener(message);
    },
    async subscribe(channel, listener) {
      const listeners = channels.get(channel) ?? new Set();
      channels.set(channel, listeners);
      // A function of its own per subscription, so one listener subscribed twice unsubscribes once.
      const own = (message: string): void => listener(message);
      listeners.add(own);
      return async () => {
        listeners.delete(own);
      };
    },
  };
}
