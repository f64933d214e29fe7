import { InvalidTokenError, OptionsError } from '../errors.js';
import { cacheDeadline } from '../lib/cache-deadline.js';
import { LruCache } from '../lib/lru-cache.js';
import type { Principal } from '../principal.js';
import type { TokenVerifier } from './token-verifier.js';

/** Options of {@link CachingVerifier}. */
export interface CachingVerifierOptions {
  /** Most principals kept; the least recently used goes first. Default 10 000. */
  readonly maxEntries?: number;
  /**
   * Longest time, in seconds, a principal is served from the cache, however far its `exp` is:
   * how late a revocation or a key the issuer withdrew is noticed. Tokens without `exp` are
   * cached this long too. Default 300 (5 minutes).
   */
  readonly maxTtlSeconds?: number;
  /** Current time in milliseconds since the epoch. Default `Date.now`. */
  readonly clock?: () => number;
}

/** Counters of a {@link CachingVerifier}, for benchmarks and metrics. */
export interface CacheStats {
  /** Verifications answered from the cache. */
  readonly hits: number;
  /** Verifications that called the inner verifier (or joined a call already under way). */
  readonly misses: number;
  /** Misses that joined a call for the same token already under way instead of starting one. */
  readonly shared: number;
  /** Principals cached now (expired ones included until they are touched or evicted). */
  readonly size: number;
}

/**
 * Wraps any {@link TokenVerifier} with a bounded LRU cache that answers only the exact token
 * that was verified: each principal is filed under the last characters of its token (a JWT's
 * signature) and served only when the whole token equals the one it holds. An entry dies at the
 * principal's `exp` or after `maxTtlSeconds`, whichever comes first (an `IntrospectionVerifier`
 * answer sooner: `maxTtlSeconds` after the authorization server gave it): a token is never served
 * past its expiry. Failures are never
 * cached, so a token refused because the JWKS was briefly unavailable is retried on the next
 * request. Concurrent verifications of one uncached token share a single inner call.
 *
 * @example
 * ```ts
 * const verifier = new CachingVerifier(new JwtVerifier({ issuer, audience }), { maxEntries: 50_000 });
 * const principal = await verifier.verify(token);
 * ```
 */
export class CachingVerifier implements TokenVerifier {
  readonly #inner: TokenVerifier;
  readonly #cache: LruCache<string, Principal>;
  /** Verifications under way, by token. */
  readonly #inFlight = new Map<string, Promise<Principal>>();
  readonly #maxTtlMs: number;
  readonly #clock: () => number;
  #hits = 0;
  #misses = 0;
  #shared = 0;

  constructor(inner: TokenVerifier, options: CachingVerifierOptions = {}) {
    if (inner === null || typeof inner !== 'object' || typeof inner.verify !== 'function') {
      throw new OptionsError(
        'inner',
        'CachingVerifier needs a TokenVerifier (an object with verify(token)).',
      );
    }
    const maxEntries = options.maxEntries ?? 10_000;
    if (!Number.isSafeInteger(maxEntries) || maxEntries < 1) {
      throw new OptionsError('maxEntries', 'maxEntries must be a positive integer.');
    }
    const { maxTtlSeconds = 300 } = options;
    if (!(Number.isFinite(maxTtlSeconds) && maxTtlSeconds > 0)) {
      throw new OptionsError('maxTtlSeconds', 'maxTtlSeconds must be a positive number of seconds.');
    }
    if (options.clock !== undefined && typeof options.clock !== 'function') {
      throw new OptionsError('clock', 'clock must be a function returning milliseconds since the epoch.');
    }
    this.#inner = inner;
    this.#cache = new LruCache(maxEntries);
    this.#maxTtlMs = maxTtlSeconds * 1000;
    this.#clock = options.clock ?? Date.now;
  }

  verify(token: string): Promise<Principal> {
    if (typeof token !== 'string') {
      return Promise.reject(new InvalidTokenError('malformed', 'The bearer token is not a string.'));
    }
    const cached = this.peek(token);
    if (cached !== undefined) return Promise.resolve(cached);
    this.#misses++;
    const pending = this.#inFlight.get(token);
    if (pending !== undefined) {
      this.#shared++;
      return pending;
    }
    let inner: Promise<Principal>;
    try {
      inner = this.#inner.verify(token);
    } catch (error) {
      return Promise.reject(error);
    }
    const call = this.#store(token, inner);
    this.#inFlight.set(token, call);
    return call;
  }

  /**
   * The principal held for exactly `token`, while it is fresh; `undefined` otherwise. Never
   * verifies, fetches or throws, and counts as a hit like {@link CachingVerifier.verify}.
   */
  peek(token: string): Principal | undefined {
    const cached = this.#cache.get(cacheKey(token), this.#clock());
    if (cached?.token !== token) return undefined;
    this.#hits++;
    return cached;
  }

  /** Drops the cached principal of `token` (after a revocation, say). True if there was one. */
  evict(token: string): boolean {
    const key = cacheKey(token);
    return this.#cache.get(key, this.#clock())?.token === token && this.#cache.delete(key);
  }

  /** Drops every cached principal. */
  clear(): void {
    this.#cache.clear();
  }

  /** Hit, miss and size counters. */
  get stats(): CacheStats {
    return { hits: this.#hits, misses: this.#misses, shared: this.#shared, size: this.#cache.size };
  }

  // The first await is on `inner`, so `finally` never runs before verify() records the call.
  async #store(token: string, inner: Promise<Principal>): Promise<Principal> {
    try {
      const principal = await inner;
      const deadline = this.#deadline(principal);
      if (deadline > this.#clock()) this.#cache.set(cacheKey(token), principal, deadline);
      return principal;
    } finally {
      this.#inFlight.delete(token);
    }
  }

  /**
   * When the entry dies: at `exp`, after `maxTtlSeconds`, or at the deadline the inner verifier
   * set (an introspection answer obtained earlier, elsewhere). Not a finite number (a verifier let
   * `exp: NaN` through) is not cached.
   */
  #deadline(principal: Principal): number {
    const ttlDeadline = Math.min(this.#clock() + this.#maxTtlMs, cacheDeadline(principal));
    return principal.expiresAt === undefined
      ? ttlDeadline
      : Math.min(principal.expiresAt * 1000, ttlDeadline);
  }
}

/**
 * Where a token is filed: its last 32 characters. Hashing the whole token (often 1 KiB) on every
 * request missed the bench's goal for cached callers (bench/README.md); a token's end is its
 * signature's, as random as the whole, and the whole token is still compared on every hit.
 */
function cacheKey(token: string): string {
  return token.length <= 32 ? token : token.slice(-32);
}
