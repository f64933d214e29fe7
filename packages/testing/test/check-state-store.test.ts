import { describe, expect, it } from '@jest/globals';
import { memoryStateStore, type StateStore } from '@valet/core';
import { checkStateStore } from '../src/check-state-store.js';

describe('checkStateStore', () => {
  it('passes memoryStateStore', async () => {
    await expect(checkStateStore(memoryStateStore())).resolves.toBeUndefined();
  });

  // Each broken store breaks one promise of the contract; the check must name that promise.
  const broken: [string, (store: StateStore) => StateStore, RegExp][] = [
    [
      'a store that lets every setIfAbsent win',
      (s) => ({ ...s, setIfAbsent: (k, v, t) => s.set(k, v, t).then(() => true) }),
      /setIfAbsent on a taken key returns false/,
    ],
    [
      'a store whose increment restarts its window',
      (s) => ({ ...s, increment: (k, t) => s.increment(k, t).then((c) => ({ count: c.count, ttlMs: t })) }),
      /does not extend the window/,
    ],
    [
      'a store that never expires',
      (s) => ({ ...s, set: (k, v) => s.set(k, v, 60_000) }),
      /gone after 150 ms/,
    ],
    [
      'a store whose unsubscribe does nothing',
      (s) => ({ ...s, subscribe: (c, l) => s.subscribe(c, l).then(() => async () => undefined) }),
      /after unsubscribing/,
    ],
    [
      'a store that reads before it writes, so racing callers all win',
      (s) => ({
        ...s,
        setIfAbsent: async (k, v, t) => {
          if ((await s.get(k)) !== undefined) return false;
          await new Promise((resolve) => setTimeout(resolve, 1));
          await s.set(k, v, t);
          return true;
        },
      }),
      /concurrent setIfAbsent calls on one key: exactly one wins/,
    ],
  ];
  it.each(broken)('fails %s, naming the broken expectation', async (_name, breakIt, expectation) => {
    await expect(checkStateStore(breakIt(memoryStateStore()))).rejects.toThrow(expectation);
  });
});
