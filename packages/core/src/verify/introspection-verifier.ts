import { AuthorizationServerUnavailableError, InvalidTokenError, OptionsError } from '../errors.js';
import {
  checkAudience,
  checkClientAuth,
  checkScopes,
  positive,
  stringList,
} from './introspection/introspection-options.js';
import { principalFromIntrospection } from './introspection/introspection-response.js';
import { SharedAnswers, type Answer } from './introspection/shared-answers.js';
import type { StateStore } from '../state/state-store.js';
import { cacheNoLaterThan } from '../lib/cache-deadline.js';
import { clientSecretBasic } from '../lib/client-secret-basic.js';
import { secureUrl } from '../lib/secure-url.js';
import type { Principal } from '../principal.js';
import type { AudienceMatcher } from './audience.js';
import { CachingVerifier } from './caching-verifier.js';
import type { TokenVerifier } from './token-verifier.js';

/**
 * How the resource server authenticates to the introspection endpoint (RFC 7662 section 2.1).
 * `client_secret_basic` (the default) form-urlencodes id and secret before base64, as RFC 6749
 * section 2.3.1 requires; `bearer` sends an access token meant for the introspection endpoint.
 */
export type IntrospectionClientAuth =
  | { readonly method?: 'client_secret_basic'; readonly clientId: string; readonly clientSecret: string }
  | { readonly method: 'client_secret_post'; readonly clientId: string; readonly clientSecret: string }
  | { readonly method: 'bearer'; readonly token: string | (() => string | Promise<string>) };

/** Options of {@link IntrospectionVerifier}. */
export interface IntrospectionVerifierOptions {
  /** The RFC 7662 endpoint. `https:` required; `http:` only on a loopback host. */
  readonly endpoint: string | URL;
  /** Credentials of this resource server at the authorization server. */
  readonly clientAuth: IntrospectionClientAuth;
  /**
   * The `aud` the response must carry (this resource's URL, RFC 8707), compared like JWT
   * audiences. `false` skips the check: only when the authorization server scopes introspection
   * to the calling resource server itself.
   */
  readonly audience: string | readonly string[] | false;
  /** The `iss` the response must carry, when set. */
  readonly issuer?: string | readonly string[];
  /**
   * Scopes every token must carry to be accepted here at all, else `invalid_claim` (401). Use
   * policies for per-operation scopes: they answer 403 with a step-up challenge.
   */
  readonly requiredScopes?: readonly string[];
  /** Abort the request after this many milliseconds (then a 503, `introspection_failed`). Default 5000. */
  readonly timeoutMs?: number;
  /** Seconds of leeway on `exp` and `nbf`. Default 5. */
  readonly clockTolerance?: number;
  /** Longest token sent to the endpoint, in UTF-8 bytes; longer is `too_large`. Default 8192. */
  readonly maxTokenBytes?: number;
  /**
   * Cache of active results (a {@link CachingVerifier} inside), never kept past the response's `exp`.
   * `maxTtlSeconds` (default 60) bounds how late a revocation is noticed: it counts from when the
   * authorization server answered, in this cache, in a `CachingVerifier` around this verifier and
   * on every instance sharing the `store`. Inactive results and failures are not cached. `false`
   * introspects every request.
   */
  readonly cache?: false | { readonly maxEntries?: number; readonly maxTtlSeconds?: number };
  /**
   * Share answers between instances through this store (`redisStateStore` from `@valet/redis`):
   * one request to the authorization server per token per lifetime, whatever the number of
   * instances. Answers live until the response's `exp` or `cache.maxTtlSeconds` (default 60) after
   * they were obtained, inactive ones at most 30 s; an instance that reads one late caches it only
   * for what is left. They are filed under a SHA-256 of the token, never the token. A
   * store that fails is skipped: the authorization server is asked, as without one.
   */
  readonly store?: StateStore;
  /** The fetch implementation. Default the global `fetch`. */
  readonly fetch?: typeof fetch;
  /** Current time in milliseconds since the epoch. Default `Date.now`. */
  readonly clock?: () => number;
}

/**
 * Verifies opaque access tokens by asking the authorization server (OAuth 2.0 Token
 * Introspection, RFC 7662). Fails closed: a non-200 answer, a body that is not a JSON object,
 * a network error or a timeout is `AuthorizationServerUnavailableError` (503, reason
 * `introspection_failed`), never a 500, and the client keeps its token. `active: false`
 * is `inactive`. The response's `aud`, `iss`, `exp`, `nbf` and `token_type` (`Bearer` or `DPoP`)
 * are checked too; a `cnf` stays in the claims for the flow, which refuses a bound token sent as
 * Bearer and checks a DPoP proof against it.
 *
 * @example
 * ```ts
 * const verifier = new IntrospectionVerifier({
 *   endpoint: 'https://as.example.com/oauth2/introspect',
 *   clientAuth: { clientId: 'mcp-server', clientSecret: process.env.INTROSPECTION_SECRET! },
 *   audience: 'https://mcp.example.com/mcp',
 * });
 * ```
 */
export class IntrospectionVerifier implements TokenVerifier {
  readonly #endpoint: string;
  readonly #clientAuth: IntrospectionClientAuth;
  readonly #audience: AudienceMatcher | false;
  readonly #issuers: ReadonlySet<string> | undefined;
  readonly #requiredScopes: readonly string[];
  readonly #timeoutMs: number;
  readonly #clockTolerance: number;
  readonly #maxTokenBytes: number;
  readonly #fetch: typeof fetch;
  readonly #clock: () => number;
  readonly #front: TokenVerifier;
  readonly #shared: SharedAnswers | undefined;
  /** How long an answer is good for, from when it was obtained. */
  readonly #answerTtlMs: number;

  constructor(options: IntrospectionVerifierOptions) {
    if (options === null || typeof options !== 'object') {
      throw new OptionsError('options', 'IntrospectionVerifier needs an options object.');
    }
    this.#endpoint = secureUrl('endpoint', options.endpoint).href;
    this.#clientAuth = checkClientAuth(options.clientAuth);
    this.#audience = checkAudience(options.audience);
    this.#issuers = options.issuer === undefined ? undefined : new Set(stringList(options.issuer, 'issuer'));
    this.#requiredScopes = options.requiredScopes === undefined ? [] : checkScopes(options.requiredScopes);
    this.#timeoutMs = positive(options.timeoutMs ?? 5000, 'timeoutMs');
    this.#clockTolerance = options.clockTolerance ?? 5;
    if (!(Number.isFinite(this.#clockTolerance) && this.#clockTolerance >= 0)) {
      throw new OptionsError('clockTolerance', 'clockTolerance must be a non-negative number of seconds.');
    }
    this.#maxTokenBytes = positive(options.maxTokenBytes ?? 8192, 'maxTokenBytes');
    if (options.fetch !== undefined && typeof options.fetch !== 'function') {
      throw new OptionsError('fetch', 'fetch must be a function with the signature of the global fetch.');
    }
    this.#fetch = options.fetch ?? ((input, init) => fetch(input, init));
    this.#clock = options.clock ?? Date.now;
    const { store } = options;
    if (store !== undefined && (typeof store?.get !== 'function' || typeof store.set !== 'function')) {
      throw new OptionsError(
        'store',
        'store must be a StateStore (memoryStateStore(), redisStateStore(...)).',
      );
    }
    const answerTtl = options.cache === false ? 60 : (options.cache?.maxTtlSeconds ?? 60);
    this.#answerTtlMs = answerTtl * 1000;
    this.#shared =
      store === undefined ? undefined : new SharedAnswers(store, this.#endpoint, answerTtl, this.#clock);
    const uncached: TokenVerifier = { verify: (token) => this.#introspect(token) };
    if (options.cache === false) {
      this.#front = uncached;
    } else {
      if (options.cache !== undefined && (options.cache === null || typeof options.cache !== 'object')) {
        throw new OptionsError('cache', 'cache must be false or { maxEntries?, maxTtlSeconds? }.');
      }
      this.#front = cachingFront(uncached, options.cache ?? {}, this.#clock);
    }
  }

  verify(token: string): Promise<Principal> {
    return this.#front.verify(token);
  }

  async #introspect(token: string): Promise<Principal> {
    if (typeof token !== 'string' || token.length === 0) {
      throw new InvalidTokenError('malformed', 'The bearer token is empty.');
    }
    if (Buffer.byteLength(token, 'utf8') > this.#maxTokenBytes) {
      throw new InvalidTokenError(
        'too_large',
        `The bearer token is longer than ${this.#maxTokenBytes} bytes.`,
      );
    }
    const answer = (await this.#shared?.answer(token)) ?? (await this.#ask(token));
    const principal = principalFromIntrospection(answer.body, token, {
      audience: this.#audience,
      issuers: this.#issuers,
      requiredScopes: this.#requiredScopes,
      nowSeconds: this.#clock() / 1000,
      clockTolerance: this.#clockTolerance,
    });
    return cacheNoLaterThan(principal, answer.obtainedAt + this.#answerTtlMs);
  }

  /** Asks the authorization server, and shares the answer when there is a store. */
  async #ask(token: string): Promise<Answer> {
    // Taken before the request: the answer may describe the token as it was this early.
    const obtainedAt = this.#clock();
    const answer = { body: await this.#post(token), obtainedAt };
    await this.#shared?.remember(token, answer);
    return answer;
  }

  async #bearer(source: string | (() => string | Promise<string>)): Promise<string> {
    if (typeof source === 'string') return source;
    try {
      return await source();
    } catch (error) {
      throw new AuthorizationServerUnavailableError(
        'introspection_failed',
        'No access token for the introspection endpoint: clientAuth.token failed.',
        { cause: error },
      );
    }
  }

  async #post(token: string): Promise<unknown> {
    const form = new URLSearchParams({ token, token_type_hint: 'access_token' });
    const headers: Record<string, string> = {
      'content-type': 'application/x-www-form-urlencoded',
      accept: 'application/json',
    };
    const auth = this.#clientAuth;
    if (auth.method === 'bearer') {
      headers['authorization'] = `Bearer ${await this.#bearer(auth.token)}`;
    } else if (auth.method === 'client_secret_post') {
      form.set('client_id', auth.clientId);
      form.set('client_secret', auth.clientSecret);
    } else {
      headers['authorization'] = clientSecretBasic(auth.clientId, auth.clientSecret);
    }
    let response: Response;
    let text: string;
    try {
      response = await this.#fetch(this.#endpoint, {
        method: 'POST',
        headers,
        body: form.toString(),
        redirect: 'error',
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
      text = await response.text();
    } catch (error) {
      // Not `instanceof`: the DOMException may come from another realm (test runners, workers).
      const timedOut = (error as { name?: unknown } | null)?.name === 'TimeoutError';
      throw new AuthorizationServerUnavailableError(
        'introspection_failed',
        timedOut
          ? `The introspection endpoint did not answer within ${this.#timeoutMs} ms.`
          : 'The introspection endpoint could not be reached.',
        { cause: error },
      );
    }
    if (response.status !== 200) {
      throw new AuthorizationServerUnavailableError(
        'introspection_failed',
        `The introspection endpoint answered HTTP ${response.status}` +
          (response.status === 401 || response.status === 403 ? '; check clientAuth.' : '.'),
      );
    }
    try {
      return JSON.parse(text) as unknown;
    } catch (error) {
      throw new AuthorizationServerUnavailableError(
        'introspection_failed',
        'The introspection response is not JSON.',
        {
          cause: error,
        },
      );
    }
  }
}

/** The result cache, its option errors named under `cache.`. */
function cachingFront(
  uncached: TokenVerifier,
  cache: { readonly maxEntries?: number; readonly maxTtlSeconds?: number },
  clock: () => number,
): TokenVerifier {
  try {
    return new CachingVerifier(uncached, {
      maxEntries: cache.maxEntries ?? 10_000,
      maxTtlSeconds: cache.maxTtlSeconds ?? 60,
      clock,
    });
  } catch (error) {
    if (!(error instanceof OptionsError)) throw error;
    throw new OptionsError(`cache.${error.field}`, `cache.${error.message}`);
  }
}
