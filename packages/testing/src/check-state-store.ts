import { randomUUID } from 'node:crypto';

/**
 * The methods of `@valet/core`'s `StateStore` that {@link checkStateStore} exercises, written out
 * here so that the test kit does not depend on core: any `StateStore` fits.
 */
export interface CheckedStateStore {
  get(key: string): Promise<string | undefined>;
  set(key: string, value: string, ttlMs: number): Promise<void>;
  setIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean>;
  increment(key: string, ttlMs: number): Promise<{ readonly count: number; readonly ttlMs: number }>;
  publish(channel: string, message: string): Promise<void>;
  subscribe(channel: string, listener: (message: string) => void): Promise<() => Promise<void>>;
}

/** Options of {@link checkStateStore}. */
export interface CheckStateStoreOptions {
  /** Callers racing in the concurrency checks. Default 50. */
  readonly concurrency?: number;
  /** Milliseconds a published message may take to arrive. Default 2000. */
  readonly deliveryTimeoutMs?: number;
}

/**
 * Checks that `store` keeps the `StateStore` contract Valet relies on, and throws an `Error` naming
 * the first broken expectation. It runs: set/get and expiry, `setIfAbsent` storing once,
 * `increment` counting in a fixed window, `publish` reaching a subscriber and not after it
 * unsubscribed, and races (many concurrent `setIfAbsent` calls on one key: exactly one wins; many
 * concurrent increments: every count from 1 to n once). Keys and channels are fresh
 * (`valet:check:<uuid>:…`), so a shared store can be checked; they expire within seconds.
 *
 * @example
 * ```ts
 * test('redisStateStore keeps the StateStore contract', () =>
 *   checkStateStore(redisStateStore({ url: redis.url })));
 * ```
 */
export async function checkStateStore(
  store: CheckedStateStore,
  options: CheckStateStoreOptions = {},
): Promise<void> {
  const concurrency = options.concurrency ?? 50;
  const deliveryTimeoutMs = options.deliveryTimeoutMs ?? 2000;
  const prefix = `valet:check:${randomUUID()}:`;

  // set, get, replace, expiry
  await store.set(`${prefix}kept`, 'one', 5000);
  must((await store.get(`${prefix}kept`)) === 'one', 'get after set(key, "one") returns "one"');
  await store.set(`${prefix}kept`, 'two', 5000);
  must((await store.get(`${prefix}kept`)) === 'two', 'set replaces a value: get returns "two"');
  must((await store.get(`${prefix}never-set`)) === undefined, 'get of a key never set returns undefined');
  await store.set(`${prefix}brief`, 'x', 50);
  await sleep(150);
  must((await store.get(`${prefix}brief`)) === undefined, 'a value set for 50 ms is gone after 150 ms');

  // setIfAbsent
  must(
    (await store.setIfAbsent(`${prefix}once`, 'first', 5000)) === true,
    'setIfAbsent on a free key returns true',
  );
  must(
    (await store.setIfAbsent(`${prefix}once`, 'second', 5000)) === false,
    'setIfAbsent on a taken key returns false',
  );
  must((await store.get(`${prefix}once`)) === 'first', 'setIfAbsent on a taken key keeps the first value');
  await store.setIfAbsent(`${prefix}once-brief`, 'a', 50);
  await sleep(150);
  must(
    (await store.setIfAbsent(`${prefix}once-brief`, 'b', 50)) === true,
    'setIfAbsent succeeds again once the value it refused for has expired',
  );

  // increment: a fixed window
  const first = await store.increment(`${prefix}counter`, 5000);
  must(first.count === 1, `the first increment returns count 1 (got ${first.count})`);
  must(
    first.ttlMs > 0 && first.ttlMs <= 5000,
    `the first increment returns 0 < ttlMs <= 5000 (got ${first.ttlMs})`,
  );
  await sleep(20);
  const second = await store.increment(`${prefix}counter`, 5000);
  must(second.count === 2, `the second increment returns count 2 (got ${second.count})`);
  must(
    second.ttlMs > 0 && second.ttlMs < first.ttlMs,
    `a later increment does not extend the window: ttlMs ${second.ttlMs} should be below ${first.ttlMs}`,
  );
  await store.increment(`${prefix}window`, 50);
  await sleep(150);
  const next = await store.increment(`${prefix}window`, 50);
  must(next.count === 1, `a counter starts again at 1 once its window has ended (got ${next.count})`);

  // publish and subscribe
  const channel = `${prefix}channel`;
  const heard: string[] = [];
  const heardBySecond: string[] = [];
  const unsubscribe = await store.subscribe(channel, (message) => heard.push(message));
  const unsubscribeSecond = await store.subscribe(channel, (message) => heardBySecond.push(message));
  const unsubscribeOther = await store.subscribe(`${prefix}other`, (message) =>
    heard.push(`other:${message}`),
  );
  try {
    await store.publish(channel, 'hello');
    await until(() => heard.length > 0 && heardBySecond.length > 0, deliveryTimeoutMs);
    must(
      heard.length === 1 && heard[0] === 'hello' && heardBySecond[0] === 'hello',
      `publish reaches every subscriber of the channel once, and no other channel (heard ${JSON.stringify(heard)})`,
    );
    await unsubscribe();
    await store.publish(channel, 'after');
    // The second subscriber hearing "after" shows the message was delivered: the first must not have.
    await until(() => heardBySecond.includes('after'), deliveryTimeoutMs);
    must(
      heardBySecond.includes('after') && heard.length === 1,
      `after unsubscribing, a listener hears nothing more (heard ${JSON.stringify(heard)})`,
    );
  } finally {
    await unsubscribeSecond();
    await unsubscribeOther();
  }

  // races
  const wins = await Promise.all(
    Array.from({ length: concurrency }, (_, i) => store.setIfAbsent(`${prefix}race`, String(i), 5000)),
  );
  const winners = wins.filter(Boolean).length;
  must(
    winners === 1,
    `${concurrency} concurrent setIfAbsent calls on one key: exactly one wins (${winners} did)`,
  );
  const counts = await Promise.all(
    Array.from({ length: concurrency }, () => store.increment(`${prefix}race-counter`, 5000)),
  );
  const seen = counts.map((c) => c.count).sort((a, b) => a - b);
  must(
    seen.every((count, i) => count === i + 1),
    `${concurrency} concurrent increments return each count from 1 to ${concurrency} once (got ${seen.join(',')})`,
  );
}

function must(holds: boolean, expectation: string): void {
  if (!holds) throw new Error(`StateStore contract broken: ${expectation}.`);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition() && Date.now() < deadline) await sleep(5);
}
