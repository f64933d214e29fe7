import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Valet } from '@valet/core';
import { startRedis, type RedisServer } from '@valet/testing';
import { redisStateStore, type RedisStateStore } from '../src/index.js';
import { valetFixture, type ValetFixture } from './support/valet-fixture.js';

let redis: RedisServer;
let fixture: ValetFixture;
const opened: { valet: Valet; store: RedisStateStore }[] = [];

/** A Valet instance with a Redis store of its own, as one replica behind a load balancer. */
async function replica(): Promise<Valet> {
  const store = redisStateStore({ url: redis.url });
  const valet = fixture.instance(store);
  opened.push({ valet, store });
  await valet.ready();
  return valet;
}

beforeAll(async () => {
  [redis, fixture] = await Promise.all([startRedis(), valetFixture()]);
});
afterAll(async () => {
  for (const { valet, store } of opened) {
    await valet.close();
    await store.close();
  }
  await fixture.close();
  await redis.stop();
});

const REVOKED = { code: 'ERR_INVALID_TOKEN', status: 401, reason: 'revoked' };

describe('Security: a revoked token replayed on another instance', () => {
  it('is refused by every instance sharing Redis, from their caches too, within a second', async () => {
    const [a, b] = [await replica(), await replica()];
    const token = await fixture.bearer({ jti: 'stolen' });
    const other = await fixture.bearer({ jti: 'innocent' });
    // Both instances verified and cached the token: the next admit does not read the store.
    for (const valet of [a, b])
      await valet.admit({ authorization: token, operations: [{ id: 'read_file' }] });

    const revokedAt = Date.now();
    await a.revoke({ jti: 'stolen' });
    let refused = false;
    while (!refused && Date.now() - revokedAt < 1000) {
      // A cached token is admitted without I/O: let the subscription's messages in between tries.
      await new Promise((resolve) => setTimeout(resolve, 10));
      refused = await b.admit({ authorization: token }).then(
        () => false,
        (error: unknown) => (expect(error).toMatchObject(REVOKED), true),
      );
    }
    expect(refused).toBe(true);
    await expect(a.admit({ authorization: token })).rejects.toMatchObject(REVOKED);
    for (const valet of [a, b]) await expect(valet.admit({ authorization: other })).resolves.toBeTruthy();
  });

  it('is refused by an instance started after the revocation', async () => {
    const a = await replica();
    await a.revoke({ subject: 'mallory' });
    const token = await fixture.bearer({ sub: 'mallory', iat: Math.floor(Date.now() / 1000) - 5 });
    const late = await replica();
    await expect(late.admit({ authorization: token })).rejects.toMatchObject(REVOKED);
    // From its cache of what it has heard, the second time.
    await expect(late.admit({ authorization: token })).rejects.toMatchObject(REVOKED);
  });
});
