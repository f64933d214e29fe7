import type {
  RedisClientType,
  RedisFunctions,
  RedisModules,
  RedisScripts,
  RespVersions,
  TypeMapping,
} from 'redis';

/**
 * A node-redis client (`createClient()` from the `redis` package, v5), whatever its modules,
 * scripts, RESP version or type mapping: what {@link RedisStateStoreOptions.client} takes.
 */
export type RedisClient = RedisClientType<
  RedisModules,
  RedisFunctions,
  RedisScripts,
  RespVersions,
  TypeMapping
>;
