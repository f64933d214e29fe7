import { beforeEach, describe, expect, it } from '@jest/globals';
import { memoryStateStore, type StateStore } from '../../../src/state/state-store.js';
import { SharedAnswers } from '../../../src/verify/introspection/shared-answers.js';

const ENDPOINT = 'https://as.example.com/introspect';
const T0 = 1_900_000_000_000;
const ACTIVE = { active: true, sub: 'alice', exp: T0 / 1000 + 3600 };

describe('SharedAnswers', () => {
  let now = T0;
  const clock = () => now;
  // The store keeps entries by its own (real) clock: only the answers' obtainedAt bounds them here.
  let store: StateStore;
  let written: { key: string; value: string; ttlMs: number }[];

  beforeEach(() => {
    now = T0;
    const inner = memoryStateStore();
    written = [];
    store = {
      ...inner,
      set: (key, value, ttlMs) => {
        written.push({ key, value, ttlMs });
        return inner.set(key, value, ttlMs);
      },
    };
  });

  it('hands an answer back with the time it was obtained, for what is left of maxTtlSeconds', async () => {
    const shared = new SharedAnswers(store, ENDPOINT, 60, clock);
    await shared.remember('opaque-token', { body: ACTIVE, obtainedAt: T0 });
    now = T0 + 59_999;
    await expect(shared.answer('opaque-token')).resolves.toEqual({ body: ACTIVE, obtainedAt: T0 });
    now = T0 + 60_000;
    await expect(shared.answer('opaque-token')).resolves.toBeUndefined();
  });

  it('Security: answer outliving its bound: a reader with a shorter maxTtlSeconds counts from when it was obtained', async () => {
    await new SharedAnswers(store, ENDPOINT, 60, clock).remember('t', { body: ACTIVE, obtainedAt: T0 });
    now = T0 + 30_000;
    await expect(new SharedAnswers(store, ENDPOINT, 30, clock).answer('t')).resolves.toBeUndefined();
  });

  it('stores the answer for what is left of maxTtlSeconds, never past exp, inactive ones 30 s at most', async () => {
    const shared = new SharedAnswers(store, ENDPOINT, 60, clock);
    now = T0 + 15_000;
    await shared.remember('late', { body: ACTIVE, obtainedAt: T0 });
    await shared.remember('short', { body: { ...ACTIVE, exp: T0 / 1000 + 20 }, obtainedAt: T0 });
    await shared.remember('inactive', { body: { active: false }, obtainedAt: T0 });
    await shared.remember('expired', { body: { ...ACTIVE, exp: T0 / 1000 }, obtainedAt: T0 });
    await shared.remember('too-old', { body: ACTIVE, obtainedAt: T0 - 60_000 });
    await shared.remember('not-an-answer', { body: { sub: 'alice' }, obtainedAt: T0 });
    expect(written.map(({ ttlMs }) => ttlMs)).toEqual([45_000, 5_000, 30_000]);
  });

  it('files answers under a hash of endpoint and token, never the token', async () => {
    await new SharedAnswers(store, ENDPOINT, 60, clock).remember('secret-token', {
      body: ACTIVE,
      obtainedAt: T0,
    });
    await new SharedAnswers(store, `${ENDPOINT}2`, 60, clock).remember('secret-token', {
      body: ACTIVE,
      obtainedAt: T0,
    });
    expect(written[0]!.key).toMatch(/^valet:introspection:[\w-]{43}$/);
    expect(written[1]!.key).not.toBe(written[0]!.key);
    expect(JSON.stringify(written)).not.toContain('secret-token');
  });

  it('Security: clock skew: an answer obtained "in the future" by a fast clock counts from now, not later', async () => {
    const shared = new SharedAnswers(store, ENDPOINT, 60, clock);
    await shared.remember('t', { body: ACTIVE, obtainedAt: T0 });
    now = T0 - 30_000;
    await expect(shared.answer('t')).resolves.toEqual({ body: ACTIVE, obtainedAt: T0 - 30_000 });
  });

  it('ignores what is not an answer with its time (an older format, garbage) and a failing store', async () => {
    const shared = new SharedAnswers(store, ENDPOINT, 60, clock);
    await shared.remember('t', { body: ACTIVE, obtainedAt: T0 });
    const key = written[0]!.key;
    for (const value of [JSON.stringify(ACTIVE), '{"body":{},"obtainedAt":"soon"}', 'not json', 'null']) {
      await store.set(key, value, 60_000);
      await expect(shared.answer('t')).resolves.toBeUndefined();
    }
    const failing: StateStore = { ...store, get: () => Promise.reject(new Error('ECONNREFUSED')) };
    await expect(new SharedAnswers(failing, ENDPOINT, 60, clock).answer('t')).resolves.toBeUndefined();
  });
});
