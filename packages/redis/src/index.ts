// The whole public surface of @valet/redis, by name. Anything not listed here is internal.
export { redisStateStore } from './redis-state-store.js';
export type { RedisStateStore, RedisStateStoreOptions } from './redis-state-store.js';
export type { RedisClient } from './redis-client.js';
