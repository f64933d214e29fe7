import { OptionsError, type CounterState, type StateStore } from '@valet/core';
import { createClient } from 'redis';
import { within } from './internal/within.js';
import type { RedisClient } from './redis-client.js';

/** Options of {@link redisStateStore}: where Redis is (`url` or `client`), and how to use it. */
export type RedisStateStoreOptions = (
  | {
      /**
       * `redis[s]://[[username][:password]@]host[:port][/db]`: the store opens its own connections
       * and closes them in {@link RedisStateStore.close}.
       */
      readonly url: string;
      readonly client?: undefined;
    }
  | {
      /**
       * A node-redis client the caller created, connected and closes. The store runs its commands
       * on it and duplicates it once for `SUBSCRIBE` (that duplicate is the store's to close).
       */
      readonly client: RedisClient;
      readonly url?: undefined;
    }
) & {
  /**
   * Put before every key and channel, so that several applications can share one Redis
   * (`'files-api:'`). Default `''`.
   */
  readonly keyPrefix?: string;
  /**
   * Milliseconds a command may take, waiting for a connection included, before it rejects:
   * while Redis is unreachable, calls fail after this long instead of hanging, and the connection
   * is retried in the background. Default 1000.
   */
  readonly timeoutMs?: number;
  /**
   * Called with connection errors (each failed attempt while Redis is away) and with errors
   * thrown by subscribers. Calls that fail reject on their own; this is for logs. Default: ignored.
   */
  readonly onError?: (error: Error) => void;
};

/** A {@link StateStore} on Redis, with the connections it opened to close. */
export interface RedisStateStore extends StateStore {
  /** Closes the connections this store opened (a `client` given in the options stays open). */
  close(): Promise<void>;
}

const DEFAULT_TIMEOUT_MS = 1000;

// INCR, then a lifetime only when the key has none: a new counter (or one left without a TTL)
// starts its window; later increments leave it running. One script, so the three are atomic and
// take one round trip. (PEXPIRE ... NX would do it without Lua, but only from Redis 7.0.)
const INCREMENT = `local count = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {count, ttl}`;

/**
 * A {@link StateStore} on Redis (node-redis), for several Valet instances that must share
 * revocations, DPoP proof ids and rate-limit counters. Every method is one Redis command
 * (`SET PX`, `SET NX PX`, `GET`, `PUBLISH`; `increment` is one small Lua script), so each is
 * atomic across instances. Subscriptions share one duplicated connection.
 *
 * With a `url` the store connects at once, in the background: there is no `connect()` to call,
 * and commands issued before the connection is up wait for it (up to `timeoutMs`). Await
 * `valet.ready()` at start-up to fail fast when Redis cannot be reached. While Redis is away,
 * every call rejects after `timeoutMs`; the connection is retried in the background.
 *
 * @example
 * ```ts
 * const store = redisStateStore({ url: process.env.REDIS_URL!, keyPrefix: 'files-api:' });
 * const valet = createValet({ registry, verifier, resource, authorizationServers, store });
 * await valet.ready(); // subscribed to revocations: Redis is reachable
 * // on shutdown
 * await valet.close();
 * await store.close();
 * ```
 */
export function redisStateStore(options: RedisStateStoreOptions): RedisStateStore {
  const { keyPrefix = '', timeoutMs = DEFAULT_TIMEOUT_MS, onError = () => undefined } = validate(options);
  const owned = options.client === undefined;
  const client: RedisClient = owned
    ? createClient({ url: options.url, socket: { connectTimeout: timeoutMs } })
    : options.client;
  if (owned) {
    client.on('error', onError);
    client.connect().catch(onError);
  }
  const command = { timeout: timeoutMs };
  const send = <T>(args: string[]): Promise<T> => client.sendCommand<T>(args, command);

  let closed = false;
  let subscriber: RedisClient | undefined;
  let subscriberReady: Promise<RedisClient> | undefined;
  const connectSubscriber = (): Promise<RedisClient> => {
    if (subscriberReady !== undefined) return subscriberReady;
    if (closed) return Promise.reject(new Error('This Redis state store is closed.'));
    const duplicate = client.duplicate();
    duplicate.on('error', onError);
    subscriber = duplicate;
    subscriberReady = duplicate.connect().then(
      () => duplicate,
      (error: unknown) => {
        // The duplicate gave up (its reconnect strategy said so): the next subscribe starts anew.
        subscriber = subscriberReady = undefined;
        throw error;
      },
    );
    subscriberReady.catch(() => undefined);
    return subscriberReady;
  };

  return {
    async get(key) {
      const value = await send<string | Buffer | null>(['GET', keyPrefix + key]);
      return value === null ? undefined : String(value);
    },
    async set(key, value, ttlMs) {
      await send(['SET', keyPrefix + key, value, 'PX', milliseconds(ttlMs)]);
    },
    async setIfAbsent(key, value, ttlMs) {
      return (await send(['SET', keyPrefix + key, value, 'NX', 'PX', milliseconds(ttlMs)])) !== null;
    },
    async increment(key, ttlMs): Promise<CounterState> {
      const [count, ttl] = await send<[number, number]>([
        'EVAL',
        INCREMENT,
        '1',
        keyPrefix + key,
        milliseconds(ttlMs),
      ]);
      return { count: Number(count), ttlMs: Number(ttl) };
    },
    async publish(channel, message) {
      await send(['PUBLISH', keyPrefix + channel, message]);
    },
    async subscribe(channel, listener) {
      const name = keyPrefix + channel;
      const connection = await within(
        timeoutMs,
        connectSubscriber(),
        `connecting to subscribe to "${channel}"`,
      );
      // A function of its own per subscription (one listener subscribed twice unsubscribes once).
      // It stops delivering as soon as unsubscribed, even before Redis confirms (or while Redis is
      // away), and keeps a throwing listener from breaking the connection's reply parsing.
      let active = true;
      const own = (message: string): void => {
        if (!active) return;
        try {
          listener(message);
        } catch (error) {
          onError(error instanceof Error ? error : new Error(String(error)));
        }
      };
      try {
        await within(timeoutMs, connection.subscribe(name, own), `subscribing to "${channel}"`);
      } catch (error) {
        active = false;
        connection.unsubscribe(name, own).catch(() => undefined);
        throw error;
      }
      return async () => {
        active = false;
        await within(timeoutMs, connection.unsubscribe(name, own), `unsubscribing from "${channel}"`).catch(
          onError,
        );
      };
    },
    async close() {
      closed = true;
      const opened = owned ? [client, subscriber] : [subscriber];
      subscriber = subscriberReady = undefined;
      // close() lets commands in flight finish; a client that is not connected has none to wait for.
      await Promise.all(
        opened.map((c) => (c === undefined || !c.isOpen ? undefined : c.isReady ? c.close() : c.destroy())),
      );
    },
  };
}

function validate(options: RedisStateStoreOptions): RedisStateStoreOptions {
  if (options === null || typeof options !== 'object') {
    throw new OptionsError('options', 'redisStateStore() takes { url } or { client }.');
  }
  const { url, client, keyPrefix, timeoutMs, onError } = options;
  if ((url === undefined) === (client === undefined)) {
    throw new OptionsError(
      url === undefined ? 'url' : 'client',
      'redisStateStore() takes either url (the store connects and closes) or client (a connected node-redis client you close), not both and not neither.',
    );
  }
  if (url !== undefined && (typeof url !== 'string' || !/^rediss?:\/\//.test(url))) {
    throw new OptionsError('url', 'url must be a redis:// or rediss:// URL, e.g. redis://127.0.0.1:6379.');
  }
  if (
    client !== undefined &&
    (typeof client.sendCommand !== 'function' || typeof client.duplicate !== 'function')
  ) {
    throw new OptionsError(
      'client',
      'client must be a node-redis client (createClient() from the redis package).',
    );
  }
  if (keyPrefix !== undefined && typeof keyPrefix !== 'string') {
    throw new OptionsError('keyPrefix', 'keyPrefix must be a string.');
  }
  if (timeoutMs !== undefined && !(Number.isFinite(timeoutMs) && timeoutMs > 0)) {
    throw new OptionsError('timeoutMs', 'timeoutMs must be a positive number of milliseconds.');
  }
  if (onError !== undefined && typeof onError !== 'function') {
    throw new OptionsError('onError', 'onError must be a function.');
  }
  return options;
}

/** A lifetime as Redis takes it: whole milliseconds, at least 1. */
function milliseconds(ttlMs: number): string {
  if (!Number.isFinite(ttlMs) || ttlMs <= 0) {
    throw new RangeError(`A lifetime must be a positive number of milliseconds; got ${ttlMs}.`);
  }
  return String(Math.ceil(ttlMs));
}
