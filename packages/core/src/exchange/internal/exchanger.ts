import { OptionsError } from '../../errors.js';
import { optionalFunction, positiveNumber } from '../../lib/option-checks.js';
import { memoryStateStore } from '../../state/state-store.js';
import type { ExchangeClientAuth, ExchangeCommonOptions } from '../exchange-options.js';
import type { ExchangeRequest, ExchangedToken, TokenExchanger } from '../token-exchanger.js';
import { clientAuthentication } from './client-auth.js';
import { ExchangeCache } from './exchange-cache.js';
import { requestToken } from './token-request.js';
import type { TokenEndpoint } from './token-endpoint.js';

/** What differs between flavours of exchange: the grant's own form parameters. */
export interface Grant {
  /** A name for the cache partition and messages: `rfc8693`, `entra-obo`. */
  readonly name: string;
  /** The form of one request, client authentication aside; throws `OptionsError` for a need it cannot express. */
  readonly form: (request: ExchangeRequest) => URLSearchParams;
  /** Whether the answer must carry `issued_token_type` (RFC 8693 section 2.2.1 makes it REQUIRED). */
  readonly requireIssuedTokenType: boolean;
}

/** The common options, checked; with the pieces every exchanger is built from. */
export interface ExchangerParts {
  readonly grant: Grant;
  readonly endpoint: TokenEndpoint;
  /** Identifies the authorization server in cache keys: the issuer or token endpoint as configured. */
  readonly server: string;
  readonly clientAuth: ExchangeClientAuth;
}

/** Checked common options, for the endpoint resolver that needs them before {@link createExchanger}. */
export function commonSettings(options: ExchangeCommonOptions): {
  readonly timeoutMs: number;
  readonly fetch: typeof fetch;
  readonly clock: () => number;
} {
  const timeoutMs = options.timeoutMs === undefined ? 5000 : positiveNumber('timeoutMs', options.timeoutMs);
  const given = optionalFunction<typeof fetch>('fetch', options.fetch);
  const clock = optionalFunction<() => number>('clock', options.clock) ?? Date.now;
  return { timeoutMs, fetch: given ?? ((input, init) => fetch(input, init)), clock };
}

/**
 * A {@link TokenExchanger} from a grant, an endpoint and the common options: checks each request,
 * answers from the cache, else authenticates and posts one token request.
 */
export function createExchanger(options: ExchangeCommonOptions, parts: ExchangerParts): TokenExchanger {
  const { timeoutMs, fetch, clock } = commonSettings(options);
  const { store } = options;
  if (store !== undefined && (typeof store?.get !== 'function' || typeof store.set !== 'function')) {
    throw new OptionsError('store', 'store must be a StateStore (memoryStateStore(), redisStateStore(...)).');
  }
  const authenticate = clientAuthentication(parts.clientAuth, clock);
  const partition = JSON.stringify([parts.grant.name, parts.server, parts.clientAuth.clientId]);
  const cache = new ExchangeCache(store ?? memoryStateStore({ maxEntries: 100_000 }), partition, clock);
  const { grant, endpoint } = parts;

  const post = async (form: URLSearchParams, request: ExchangeRequest): Promise<ExchangedToken> => {
    const url = await endpoint();
    const headers: Record<string, string> = {};
    await authenticate(form, headers, url);
    return requestToken(form, headers, request, {
      endpoint: url,
      timeoutMs,
      fetch,
      clock,
      requireIssuedTokenType: grant.requireIssuedTokenType,
    });
  };
  return Object.freeze({
    exchange(request: ExchangeRequest): Promise<ExchangedToken> {
      let form: URLSearchParams;
      try {
        checkRequest(request);
        form = grant.form(request);
      } catch (error) {
        return Promise.reject(error);
      }
      return cache.get(request, () => post(form, request));
    },
  });
}

/** An exchange request that a tool's declaration could not have produced fails before any I/O. */
function checkRequest(request: ExchangeRequest): void {
  if (request === null || typeof request !== 'object') {
    throw new OptionsError('request', 'exchange() needs { subjectToken, audience, scopes }.');
  }
  if (typeof request.subjectToken !== 'string' || request.subjectToken === '') {
    throw new OptionsError(
      'subjectToken',
      "subjectToken must be the caller's access token, a non-empty string.",
    );
  }
  if (typeof request.audience !== 'string' || request.audience === '') {
    throw new OptionsError('audience', 'audience must name the downstream API: a non-empty string.');
  }
  if (
    !Array.isArray(request.scopes) ||
    request.scopes.some((scope) => typeof scope !== 'string' || scope === '' || /[\s"\\]/.test(scope))
  ) {
    throw new OptionsError('scopes', 'scopes must be a list of scope names, each without spaces or quotes.');
  }
}
