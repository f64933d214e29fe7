import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { checkStateStore, startRedis, type RedisServer } from '@valet/testing';
import { createClient } from 'redis';
import { redisStateStore, type RedisStateStore } from '../src/index.js';

let redis: RedisServer;
/** A plain client, to look at what the stores wrote. */
let probe: ReturnType<typeof createClient>;
const stores: RedisStateStore[] = [];
const store = (options: { keyPrefix?: string } = {}): RedisStateStore => {
  const opened = redisStateStore({ url: redis.url, ...options });
  stores.push(opened);
  return opened;
};

beforeAll(async () => {
  redis = await startRedis();
  probe = await createClient({ url: redis.url }).connect();
});
afterAll(async () => {
  await Promise.all(stores.map((s) => s.close()));
  await probe.close();
  await redis.stop();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('redisStateStore', () => {
  it('keeps the StateStore contract', async () => {
    await checkStateStore(store());
  });

  it('keeps the contract on a client the caller owns, and leaves that client open', async () => {
    const client = await createClient({ url: redis.url, RESP: 3 }).connect();
    const onClient = redisStateStore({ client });
    await checkStateStore(onClient);
    await onClient.close();
    expect(await client.ping()).toBe('PONG');
    await expect(onClient.subscribe('after-close', () => undefined)).rejects.toThrow(/closed/);
    await client.close();
  });

  it('lets Redis keep the lifetime: SET PX, a counter window that INCR does not extend', async () => {
    const s = store();
    await s.set('ttl:value', 'v', 60_000);
    const ttl = await probe.pTTL('ttl:value');
    expect(ttl).toBeGreaterThan(59_000);
    expect(ttl).toBeLessThanOrEqual(60_000);
    await s.setIfAbsent('ttl:once', 'v', 30_000);
    expect(await probe.pTTL('ttl:once')).toBeGreaterThan(29_000);

    const first = await s.increment('ttl:counter', 10_000);
    await sleep(50);
    const second = await s.increment('ttl:counter', 10_000);
    expect(second.count).toBe(2);
    expect(second.ttlMs).toBeLessThanOrEqual(first.ttlMs - 40);
    expect(await probe.pTTL('ttl:counter')).toBeLessThanOrEqual(second.ttlMs);
  });

  it('gives a counter left without a lifetime one, rather than counting for ever', async () => {
    await probe.set('ttl:stuck', '7');
    expect(await store().increment('ttl:stuck', 1000)).toEqual({ count: 8, ttlMs: 1000 });
    expect(await probe.pTTL('ttl:stuck')).toBeGreaterThan(0);
  });

  it('rounds a fractional lifetime up and refuses one that is not positive', async () => {
    const s = store();
    await s.set('ttl:fraction', 'v', 0.4);
    await expect(s.set('ttl:zero', 'v', 0)).rejects.toThrow(/positive number of milliseconds/);
    await expect(s.increment('ttl:nan', Number.NaN)).rejects.toThrow(/positive number of milliseconds/);
  });

  it('puts keyPrefix before every key and channel', async () => {
    const s = store({ keyPrefix: 'app-a:' });
    await s.set('k', 'a', 10_000);
    expect(await probe.get('app-a:k')).toBe('a');
    expect(await store({ keyPrefix: 'app-b:' }).get('k')).toBeUndefined();
    const heard: string[] = [];
    await store({ keyPrefix: 'app-b:' }).subscribe('news', (m) => heard.push(`b:${m}`));
    await s.subscribe('news', (m) => heard.push(`a:${m}`));
    await s.publish('news', 'hi');
    for (let i = 0; i < 200 && heard.length === 0; i++) await sleep(10);
    await sleep(50);
    expect(heard).toEqual(['a:hi']);
  });

  it('shares state between two stores on one Redis: one setIfAbsent winner, publish heard by the other', async () => {
    const [a, b] = [store(), store()];
    const wins = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        (i % 2 === 0 ? a : b).setIfAbsent('shared:jti', String(i), 10_000),
      ),
    );
    expect(wins.filter(Boolean)).toHaveLength(1);
    const counts = await Promise.all(
      Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? a : b).increment('shared:n', 10_000)),
    );
    expect(counts.map((c) => c.count).sort((x, y) => x - y)).toEqual(
      Array.from({ length: 40 }, (_, i) => i + 1),
    );

    const heard: string[] = [];
    await b.subscribe('shared:channel', (m) => heard.push(m));
    await a.publish('shared:channel', 'from a');
    for (let i = 0; i < 100 && heard.length === 0; i++) await sleep(10);
    expect(heard).toEqual(['from a']);
  });

  it('uses one connection for every subscription of a store', async () => {
    const s = store();
    const before = Number(/connected_clients:(\d+)/.exec(await probe.info('clients'))![1]);
    await s.subscribe('one', () => undefined);
    await s.subscribe('two', () => undefined);
    await s.subscribe('three', () => undefined);
    const after = Number(/connected_clients:(\d+)/.exec(await probe.info('clients'))![1]);
    expect(after - before).toBe(1);
  });

  it('refuses options it cannot use, naming them', () => {
    expect(() => redisStateStore({} as never)).toThrow(expect.objectContaining({ field: 'url' }));
    expect(() => redisStateStore({ url: redis.url, client: probe } as never)).toThrow(
      expect.objectContaining({ field: 'client' }),
    );
    expect(() => redisStateStore({ url: '127.0.0.1:6379' })).toThrow(
      expect.objectContaining({ field: 'url' }),
    );
    expect(() => redisStateStore({ client: {} as never })).toThrow(
      expect.objectContaining({ field: 'client' }),
    );
    expect(() => redisStateStore({ url: redis.url, timeoutMs: 0 })).toThrow(
      expect.objectContaining({ field: 'timeoutMs' }),
    );
  });
});
