import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Valet } from '@valet/core';
import { startRedis, type RedisServer } from '@valet/testing';
import { redisStateStore, type RedisStateStore } from '../src/index.js';
import { valetFixture, type ValetFixture } from './support/valet-fixture.js';

let redis: RedisServer;
let fixture: ValetFixture;
let store: RedisStateStore;
let valet: Valet;
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);
const connectionErrors: Error[] = [];

beforeAll(async () => {
  process.on('unhandledRejection', onUnhandled);
  [redis, fixture] = await Promise.all([startRedis(), valetFixture()]);
  store = redisStateStore({ url: redis.url, timeoutMs: 500, onError: (e) => connectionErrors.push(e) });
  valet = fixture.instance(store);
  await valet.ready();
});
afterAll(async () => {
  await valet.close();
  await store.close();
  await fixture.close();
  await redis.stop();
  process.off('unhandledRejection', onUnhandled);
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** How long `call` took to settle, and its error if it failed. */
async function timed(call: () => Promise<unknown>): Promise<{ ms: number; error: unknown }> {
  const start = performance.now();
  const error = await call().then(
    () => undefined,
    (e: unknown) => e,
  );
  return { ms: performance.now() - start, error };
}

/** Retries `attempt` every 100 ms until it resolves to true, for at most `ms`. */
async function eventually(attempt: () => Promise<boolean>, ms: number): Promise<boolean> {
  for (const deadline = Date.now() + ms; Date.now() < deadline; await sleep(100)) {
    if (await attempt().catch(() => false)) return true;
  }
  return false;
}

describe('Redis unreachable', () => {
  it('fails calls within a bounded time and answers 503 for a token not yet checked', async () => {
    const cached = await fixture.bearer();
    await valet.admit({ authorization: cached });
    await redis.stop();

    const calls = {
      get: () => store.get('k'),
      set: () => store.set('k', 'v', 1000),
      setIfAbsent: () => store.setIfAbsent('k', 'v', 1000),
      increment: () => store.increment('n', 1000),
      publish: () => store.publish('c', 'm'),
      subscribe: () => store.subscribe('late', () => undefined),
    };
    for (const [name, call] of Object.entries(calls)) {
      const { ms, error } = await timed(call);
      expect({ name, failed: error instanceof Error }).toEqual({ name, failed: true });
      expect(ms).toBeLessThan(2000);
    }

    const { ms, error } = await timed(async () => valet.admit({ authorization: await fixture.bearer() }));
    expect(ms).toBeLessThan(2000);
    expect(error).toMatchObject({ code: 'ERR_STATE_UNAVAILABLE', status: 503 });
    expect(valet.errorResponse(error)).toMatchObject({ status: 503, headers: { 'retry-after': '1' } });
    // A token verified before the outage is still served from the cache.
    await expect(valet.admit({ authorization: cached })).resolves.toBeTruthy();
    await expect(valet.revoke({ jti: 'x' })).rejects.toMatchObject({ code: 'ERR_STATE_UNAVAILABLE' });
    expect(connectionErrors.length).toBeGreaterThan(0);
  });

  it('recovers once Redis is back: commands, new tokens, and revocations heard through the subscription', async () => {
    await redis.restart();
    // node-redis retries with a backoff of up to ~2 s.
    expect(await eventually(async () => (await store.get('k')) === undefined, 10_000)).toBe(true);
    await expect(valet.admit({ authorization: await fixture.bearer() })).resolves.toBeTruthy();

    // The subscription connection reconnects on its own and subscribes again to its channels.
    const heard: string[] = [];
    await store.subscribe('probe', (m) => heard.push(m));
    expect(
      await eventually(async () => {
        await store.publish('probe', 'probe');
        await sleep(20);
        return heard.length > 0;
      }, 5000),
    ).toBe(true);

    const other = redisStateStore({ url: redis.url });
    const otherValet = fixture.instance(other);
    try {
      await otherValet.ready();
      const token = await fixture.bearer({ jti: 'after-outage' });
      await valet.admit({ authorization: token });
      await otherValet.revoke({ jti: 'after-outage' });
      // A cached token is admitted without I/O: sleeping lets the published revocation in.
      const refused = await eventually(
        () =>
          valet.admit({ authorization: token }).then(
            () => false,
            () => true,
          ),
        1000,
      );
      expect(refused).toBe(true);
    } finally {
      await otherValet.close();
      await other.close();
    }
    expect(unhandled).toEqual([]);
  });
});
