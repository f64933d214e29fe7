import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { LruCache } from '../../src/lib/lru-cache.js';

/**
 * LRU by its definition, independent of `Map` order: every entry remembers when it was last
 * used, and a full cache evicts the entry used longest ago.
 */
class ReferenceLru<V> {
  readonly entries = new Map<string, { value: V; deadline: number; usedAt: number }>();
  #tick = 0;

  constructor(readonly maxEntries: number) {}

  get(key: string, now: number): V | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.deadline <= now) {
      this.entries.delete(key);
      return undefined;
    }
    entry.usedAt = ++this.#tick;
    return entry.value;
  }

  set(key: string, value: V, deadline: number): void {
    this.entries.delete(key);
    if (this.entries.size >= this.maxEntries) {
      const [oldest] = [...this.entries].reduce((a, b) => (b[1].usedAt < a[1].usedAt ? b : a));
      this.entries.delete(oldest);
    }
    this.entries.set(key, { value, deadline, usedAt: ++this.#tick });
  }
}

type Op =
  | { readonly kind: 'get'; readonly key: string; readonly now: number }
  | { readonly kind: 'set'; readonly key: string; readonly value: number; readonly deadline: number }
  | { readonly kind: 'delete'; readonly key: string }
  | { readonly kind: 'clear' };

const KEYS = ['a', 'b', 'c', 'd', 'e'] as const;
const key = fc.constantFrom(...KEYS);
const op: fc.Arbitrary<Op> = fc.oneof(
  {
    arbitrary: fc.record({ kind: fc.constant('get' as const), key, now: fc.integer({ min: 0, max: 10 }) }),
    weight: 5,
  },
  {
    arbitrary: fc.record({
      kind: fc.constant('set' as const),
      key,
      value: fc.integer(),
      // Mostly alive at the times `get` asks about, sometimes already dead.
      deadline: fc.integer({ min: 0, max: 40 }),
    }),
    weight: 4,
  },
  { arbitrary: fc.record({ kind: fc.constant('delete' as const), key }), weight: 1 },
  { arbitrary: fc.constant({ kind: 'clear' as const }), weight: 1 },
);

describe('LruCache', () => {
  it('behaves exactly like the least-recently-used definition, on any sequence of operations', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 4 }),
        fc.array(op, { minLength: 10, maxLength: 80 }),
        (maxEntries, ops) => {
          const cache = new LruCache<string, number>(maxEntries);
          const reference = new ReferenceLru<number>(maxEntries);
          for (const step of ops) {
            switch (step.kind) {
              case 'get':
                expect(cache.get(step.key, step.now)).toBe(reference.get(step.key, step.now));
                break;
              case 'set':
                cache.set(step.key, step.value, step.deadline);
                reference.set(step.key, step.value, step.deadline);
                break;
              case 'delete':
                expect(cache.delete(step.key)).toBe(reference.entries.delete(step.key));
                break;
              case 'clear':
                cache.clear();
                reference.entries.clear();
                break;
            }
            expect(cache.size).toBe(reference.entries.size);
          }
          // The same survivors, with the same values.
          for (const k of KEYS) expect(cache.get(k, 0)).toBe(reference.get(k, 0));
        },
      ),
    );
  });

  it('moves a hit to the front, so the entry evicted next is the least recently used', () => {
    const cache = new LruCache<string, string>(3);
    cache.set('a', 'A', 10);
    cache.set('b', 'B', 10);
    cache.set('c', 'C', 10);
    expect(cache.get('a', 0)).toBe('A');
    cache.set('d', 'D', 10); // evicts b
    expect(cache.get('b', 0)).toBeUndefined();
    expect([cache.get('a', 0), cache.get('c', 0), cache.get('d', 0)]).toEqual(['A', 'C', 'D']);
    cache.set('e', 'E', 10); // evicts a: c and d were used after it
    expect(cache.get('a', 0)).toBeUndefined();
    expect(cache.size).toBe(3);
  });

  it('drops an entry reached at or after its deadline', () => {
    const cache = new LruCache<string, string>(2);
    cache.set('a', 'A', 10);
    expect(cache.get('a', 9)).toBe('A');
    expect(cache.get('a', 10)).toBeUndefined();
    expect(cache.size).toBe(0);
  });
});
