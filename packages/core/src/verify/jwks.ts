import {
  createLocalJWKSet,
  createRemoteJWKSet,
  customFetch,
  errors,
  type CryptoKey,
  type FlattenedJWSInput,
  type JWSHeaderParameters,
  type LocalJWKSet,
} from 'jose';
import { tokenFailure } from './jwt/jose-failure.js';
import { secureUrl } from '../lib/secure-url.js';

/** Timing of a remote JSON Web Key Set. */
export interface JwksOptions {
  /** Abort a JWKS request after this many milliseconds. Default 5000. */
  readonly timeoutMs?: number;
  /**
   * After a fetch (successful or not), an unknown `kid` causes no new fetch for this many
   * milliseconds. Bounds what tokens with made-up key ids can make the server do. Default 30000.
   */
  readonly cooldownMs?: number;
  /**
   * Refresh the key set in the background once it is this old, in milliseconds; verifications
   * never wait for that refresh. Default 600000 (10 minutes).
   */
  readonly cacheMaxAgeMs?: number;
}

/** Options of {@link createJwksResolver}. */
export interface JwksResolverOptions extends JwksOptions {
  /** The fetch implementation. Default the global `fetch`. */
  readonly fetch?: typeof fetch;
}

/** A jose key resolver over a remote JWKS that fails with `InvalidTokenError` reasons. */
export interface JwksResolver {
  (protectedHeader: JWSHeaderParameters, token?: FlattenedJWSInput): Promise<CryptoKey>;
  /** The JWKS URL. */
  readonly url: URL;
}

/**
 * A resolver for jose's `jwtVerify` over a remote JSON Web Key Set, built on jose's
 * `createRemoteJWKSet` (which shares one fetch between concurrent misses and refetches an
 * unknown `kid` at most once per cooldown), with failure handling for a resource server:
 *
 * - the set is fetched on first use; a key unknown after a refetch is `unknown_key`;
 * - when the endpoint fails (an HTTP error, a network error, a timeout, a body that is not a key
 *   set), the request fails closed with `keys_unavailable`, and for `cooldownMs` no new request
 *   goes out: tokens signed with keys already known keep verifying from the cached set, tokens
 *   with any other key get `keys_unavailable`;
 * - a set older than `cacheMaxAgeMs` is refreshed in the background while the cached keys keep
 *   serving, so a slow or dead endpoint never holds up tokens signed with known keys. A key
 *   removed from the set stops verifying once that refresh lands.
 *
 * Keys embedded in a token (`jwk`, `jku`, `x5u`, `x5c`) are never looked at.
 *
 * @example
 * ```ts
 * const keys = createJwksResolver('https://auth.example.com/.well-known/jwks.json', { timeoutMs: 2000 });
 * const { payload } = await jwtVerify(token, keys, { issuer, algorithms: ['RS256'] });
 * ```
 */
export function createJwksResolver(url: string | URL, options: JwksResolverOptions = {}): JwksResolver {
  const href = secureUrl('jwksUri', url);
  const cooldownMs = options.cooldownMs ?? 30_000;
  const cacheMaxAgeMs = options.cacheMaxAgeMs ?? 600_000;
  const fetchImpl = options.fetch ?? ((...args: Parameters<typeof fetch>) => fetch(...args));
  let loadedAt: number | undefined;
  let quietUntil = 0;
  let copy: { readonly loadedAt: number; readonly set: LocalJWKSet } | undefined;

  const remote = createRemoteJWKSet(href, {
    timeoutDuration: options.timeoutMs ?? 5000,
    cooldownDuration: cooldownMs,
    // Staleness is handled here (refreshed in the background), so jose never blocks on it.
    cacheMaxAge: Infinity,
    [customFetch]: async (input, init) => {
      const response = await fetchImpl(input, init);
      if (response.status === 200) loadedAt = Date.now();
      return response;
    },
  });

  const failedNow = (): void => {
    quietUntil = Date.now() + cooldownMs;
  };

  const cached = (): LocalJWKSet | undefined => {
    if (loadedAt === undefined) return undefined;
    if (copy?.loadedAt !== loadedAt) {
      const jwks = remote.jwks();
      if (jwks === undefined) return undefined;
      copy = { loadedAt, set: createLocalJWKSet(jwks) };
    }
    return copy.set;
  };

  const fromCache = async (header: JWSHeaderParameters, token?: FlattenedJWSInput): Promise<CryptoKey> => {
    const set = cached();
    if (set === undefined) throw tokenFailure('keys_unavailable');
    try {
      return await set(header, token);
    } catch (err) {
      if (err instanceof errors.JWKSNoMatchingKey) throw tokenFailure('keys_unavailable', { cause: err });
      throw err;
    }
  };

  const resolve = async (header: JWSHeaderParameters, token?: FlattenedJWSInput): Promise<CryptoKey> => {
    const now = Date.now();
    if (now < quietUntil) return fromCache(header, token);
    if (loadedAt !== undefined && now - loadedAt >= cacheMaxAgeMs && !remote.reloading) {
      remote.reload().catch(failedNow);
    }
    try {
      return await remote(header, token);
    } catch (err) {
      if (err instanceof errors.JWKSNoMatchingKey) throw tokenFailure('unknown_key', { cause: err });
      if (err instanceof errors.JWKSMultipleMatchingKeys || err instanceof errors.JOSENotSupported) throw err;
      failedNow();
      throw tokenFailure('keys_unavailable', { cause: err });
    }
  };
  return Object.defineProperty(resolve, 'url', { value: href, enumerable: true }) as JwksResolver;
}
