import { describe, expect, it } from '@jest/globals';
import { memoryStateStore } from '../../src/state/state-store.js';

function clocked(options: { maxEntries?: number } = {}) {
  let now = 1_000_000;
  const store = memoryStateStore({ ...options, clock: () => now });
  return { store, advance: (ms: number) => (now += ms) };
}

describe('memoryStateStore', () => {
  it('keeps a value for its lifetime and not a millisecond longer', async () => {
    const { store, advance } = clocked();
    await store.set('k', 'v', 1000);
    advance(999);
    expect(await store.get('k')).toBe('v');
    advance(1);
    expect(await store.get('k')).toBeUndefined();
  });

  it('setIfAbsent stores once, and again after the first has expired', async () => {
    const { store, advance } = clocked();
    expect(await store.setIfAbsent('jti', '1', 100)).toBe(true);
    expect(await store.setIfAbsent('jti', '2', 100)).toBe(false);
    expect(await store.get('jti')).toBe('1');
    advance(100);
    expect(await store.setIfAbsent('jti', '3', 100)).toBe(true);
  });

  it('increment counts in a fixed window that later increments do not extend', async () => {
    const { store, advance } = clocked();
    expect(await store.increment('c', 1000)).toEqual({ count: 1, ttlMs: 1000 });
    advance(400);
    expect(await store.increment('c', 1000)).toEqual({ count: 2, ttlMs: 600 });
    advance(600);
    expect(await store.increment('c', 1000)).toEqual({ count: 1, ttlMs: 1000 });
  });

  it('delivers a message to every subscriber of its channel until they unsubscribe', async () => {
    const store = memoryStateStore();
    const heard: string[] = [];
    const listener = (message: string) => heard.push(message);
    const first = await store.subscribe('revocations', listener);
    const second = await store.subscribe('revocations', listener);
    await store.subscribe('other', () => heard.push('wrong channel'));
    await store.publish('revocations', 'a');
    await first();
    await store.publish('revocations', 'b');
    await second();
    await store.publish('revocations', 'c');
    expect(heard).toEqual(['a', 'a', 'b']);
  });

  it('when full, drops expired entries first, then the oldest', async () => {
    const { store, advance } = clocked({ maxEntries: 3 });
    await store.set('short', '1', 10);
    await store.set('a', '1', 1000);
    await store.set('b', '1', 1000);
    advance(10);
    await store.set('c', '1', 1000);
    expect([await store.get('a'), await store.get('b'), await store.get('c')]).toEqual(['1', '1', '1']);
    await store.set('d', '1', 1000);
    expect(await store.get('a')).toBeUndefined();
    expect(await store.get('d')).toBe('1');
  });
});
