import {
  createLocalJWKSet,
  errors,
  type CryptoKey,
  type FlattenedJWSInput,
  type JWSHeaderParameters,
  type LocalJWKSet,
} from 'jose';
import { AuthorizationServerUnavailableError } from '../errors.js';
import { beforeDeadline, Refresher } from '../lib/refresher.js';
import { secureUrl } from '../lib/secure-url.js';
import { tokenFailure } from './jwt/jose-failure.js';

/** Timing of a remote JSON Web Key Set (and of the discovery that finds it). */
export interface JwksOptions {
  /** Abort one request to the JWKS (or metadata) endpoint after this many milliseconds. Default 5000. */
  readonly timeoutMs?: number;
  /**
   * The longest a request waits for discovery and key fetches together, in milliseconds; then it
   * is answered 503 while the fetch goes on for later requests. Default 2000.
   */
  readonly deadlineMs?: number;
  /**
   * After a fetch, a token with an unknown `kid` causes no new fetch for this many milliseconds;
   * after failures, retries back off from 500 ms up to this. Bounds what made-up key ids can make
   * the server do, and how long a recovered endpoint goes unnoticed. Default 5000.
   */
  readonly cooldownMs?: number;
  /**
   * Refresh the key set in the background once it is this old, in milliseconds: a key the
   * issuer removed stops verifying at that refresh. Verifications never wait for it. Default
   * 300000 (5 minutes).
   */
  readonly cacheMaxAgeMs?: number;
}

/** {@link JwksOptions} with every default applied, and the fetch to use. */
export interface JwksSettings {
  readonly timeoutMs: number;
  readonly deadlineMs: number;
  readonly cooldownMs: number;
  readonly cacheMaxAgeMs: number;
  readonly fetch: typeof fetch | undefined;
}

/** Largest key set read, in characters: a real one is a few KiB. */
const MAX_JWKS_CHARS = 1_048_576;

/** The whole seconds to put in `Retry-After`, from a wait in milliseconds. */
export function retryAfterSeconds(waitMs: number): number {
  return Math.max(1, Math.ceil(waitMs / 1000));
}

/**
 * The signing keys of one issuer, fetched from its JWKS URL and cached:
 *
 * - fetched on first use; a token with a `kid` not in the set causes a refetch at once, unless one
 *   ran within `cooldownMs`; then it is `unknown_key` (401);
 * - one fetch at a time, shared by every waiting request; a request waits at most until its
 *   deadline, then is answered `AuthorizationServerUnavailableError` (503) while the fetch runs on;
 * - when the endpoint fails (an HTTP error, a network error, a timeout, a body that is not a key
 *   set), tokens signed with keys already known keep verifying; others get a 503 with
 *   `Retry-After` at once, and fetches back off from 500 ms up to `cooldownMs`;
 * - a set older than `cacheMaxAgeMs` is refreshed in the background while its keys keep serving.
 *
 * Keys embedded in a token (`jwk`, `jku`, `x5u`, `x5c`) are never looked at.
 */
export class RemoteKeySet {
  /** The JWKS URL. */
  readonly url: URL;
  readonly #settings: JwksSettings;
  readonly #keys: Refresher<LocalJWKSet>;

  constructor(url: string | URL, settings: JwksSettings) {
    this.url = secureUrl('jwksUri', url);
    this.#settings = settings;
    this.#keys = new Refresher(() => this.#fetch(), settings.cooldownMs);
  }

  /** Starts fetching the set now, in the background, unless a fetch runs or is backing off. */
  prefetch(): void {
    void this.#keys.refresh(Date.now());
  }

  /** The key for a token's header; `deadline` is when the request stops waiting (ms since the epoch). */
  async key(
    header: JWSHeaderParameters,
    token: FlattenedJWSInput | undefined,
    deadline: number,
  ): Promise<CryptoKey> {
    const now = Date.now();
    const keys = this.#keys;
    const known = await this.#known(header, token);
    if (known !== undefined) {
      if (now - keys.loadedAt >= this.#settings.cacheMaxAgeMs) void keys.refresh(now);
      return known;
    }
    // A set fetched within the cooldown is taken as current: made-up kids cause no fetch.
    if (!keys.running && !keys.failing && now - keys.loadedAt < this.#settings.cooldownMs) {
      throw tokenFailure('unknown_key');
    }
    const running = keys.refresh(now);
    if (running === undefined) throw this.#unavailable(now, false);
    const loaded = await beforeDeadline(running, deadline);
    if (loaded !== true) throw this.#unavailable(Date.now(), loaded === undefined);
    const key = await this.#known(header, token);
    if (key === undefined) throw tokenFailure('unknown_key');
    return key;
  }

  /** The key from the cached set; `undefined` when there is no set or no key matches. */
  async #known(
    header: JWSHeaderParameters,
    token: FlattenedJWSInput | undefined,
  ): Promise<CryptoKey | undefined> {
    const set = this.#keys.value;
    if (set === undefined) return undefined;
    try {
      return await set(header, token);
    } catch (error) {
      if (error instanceof errors.JWKSNoMatchingKey) return undefined;
      throw error;
    }
  }

  #unavailable(now: number, late: boolean): AuthorizationServerUnavailableError {
    const what = late ? 'were not fetched before the deadline' : 'could not be fetched';
    return new AuthorizationServerUnavailableError(
      'keys_unavailable',
      `The signing keys at ${this.url.href} ${what}, and no cached key matches the token.`,
      {
        cause: late ? undefined : this.#keys.lastError,
        retryAfter: retryAfterSeconds(this.#keys.waitMs(now)),
      },
    );
  }

  async #fetch(): Promise<LocalJWKSet> {
    const response = await (this.#settings.fetch ?? fetch)(this.url, {
      headers: { accept: 'application/json' },
      redirect: 'error',
      signal: AbortSignal.timeout(this.#settings.timeoutMs),
    });
    if (response.status !== 200) {
      await response.body?.cancel();
      throw new Error(`The JWKS endpoint answered HTTP ${response.status}, not 200.`);
    }
    const text = await response.text();
    if (text.length > MAX_JWKS_CHARS) throw new Error('The JWKS is larger than 1 MiB.');
    return createLocalJWKSet(JSON.parse(text) as Parameters<typeof createLocalJWKSet>[0]);
  }
}

/** Options of {@link createJwksResolver}. */
export interface JwksResolverOptions extends JwksOptions {
  /** The fetch implementation. Default the global `fetch`. */
  readonly fetch?: typeof fetch;
}

/** A jose key resolver over a {@link RemoteKeySet}. */
export interface JwksResolver {
  (protectedHeader: JWSHeaderParameters, token?: FlattenedJWSInput): Promise<CryptoKey>;
  /** The JWKS URL. */
  readonly url: URL;
}

/** The defaults of {@link JwksOptions}, with the fetch to use. */
export function jwksSettings(options: JwksResolverOptions = {}): JwksSettings {
  return {
    timeoutMs: options.timeoutMs ?? 5000,
    deadlineMs: options.deadlineMs ?? 2000,
    cooldownMs: options.cooldownMs ?? 5000,
    cacheMaxAgeMs: options.cacheMaxAgeMs ?? 300_000,
    fetch: options.fetch,
  };
}

/**
 * A resolver for jose's `jwtVerify` over the key set at `url` (see {@link RemoteKeySet}); each
 * call's deadline starts when jose asks for the key.
 */
export function createJwksResolver(url: string | URL, options: JwksResolverOptions = {}): JwksResolver {
  const settings = jwksSettings(options);
  const keys = new RemoteKeySet(url, settings);
  const resolve = (header: JWSHeaderParameters, token?: FlattenedJWSInput): Promise<CryptoKey> =>
    keys.key(header, token, Date.now() + settings.deadlineMs);
  return Object.defineProperty(resolve, 'url', { value: keys.url, enumerable: true }) as JwksResolver;
}
