import { AuthorizationServerUnavailableError, TokenExchangeError } from '../../errors.js';
import type { ExchangeRequest, ExchangedToken } from '../token-exchanger.js';
import { isErrorAnswer, refusal } from './refusal.js';

/** RFC 8693 section 3: the token type of an OAuth 2.0 access token. */
export const ACCESS_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:access_token';

/**
 * How long a token whose response has no `expires_in` is assumed to live, in seconds. RFC 6749
 * section 5.1 makes `expires_in` only RECOMMENDED; a minute bounds how long an unknown lifetime is
 * trusted from the cache, at the cost of one exchange a minute per caller and audience.
 */
export const ASSUMED_LIFETIME_SECONDS = 60;

/** What one token request needs besides its form. */
export interface TokenRequestContext {
  readonly endpoint: string;
  readonly timeoutMs: number;
  readonly fetch: typeof fetch;
  readonly clock: () => number;
  /** Whether the response must say `issued_token_type` = access token (RFC 8693), or need not (Entra ID). */
  readonly requireIssuedTokenType: boolean;
}

/**
 * POSTs a token request and reads the answer (RFC 6749 section 5, RFC 8693 section 2.2): 200 with
 * a usable access token, or a {@link TokenExchangeError} for an OAuth error answer or an unusable
 * token, or {@link AuthorizationServerUnavailableError} (`token_exchange_failed`) when the
 * endpoint cannot be reached, times out, or answers something that is not an OAuth answer (a 5xx,
 * a body that is not JSON).
 */
export async function requestToken(
  form: URLSearchParams,
  headers: Record<string, string>,
  request: ExchangeRequest,
  context: TokenRequestContext,
): Promise<ExchangedToken> {
  let response: Response;
  let text: string;
  try {
    response = await context.fetch(context.endpoint, {
      method: 'POST',
      headers: {
        ...headers,
        'content-type': 'application/x-www-form-urlencoded',
        accept: 'application/json',
      },
      body: form.toString(),
      redirect: 'error',
      signal: AbortSignal.timeout(context.timeoutMs),
    });
    text = await response.text();
  } catch (error) {
    // Not `instanceof`: the DOMException may come from another realm (test runners, workers).
    const timedOut = (error as { name?: unknown } | null)?.name === 'TimeoutError';
    throw new AuthorizationServerUnavailableError(
      'token_exchange_failed',
      timedOut
        ? `The token endpoint did not answer within ${context.timeoutMs} ms.`
        : 'The token endpoint could not be reached.',
      { cause: error },
    );
  }
  let body: unknown;
  try {
    body = JSON.parse(text) as unknown;
  } catch {
    body = undefined;
  }
  if (response.status === 200 && body !== undefined) return accessToken(body, request, context);
  if (response.status >= 400 && response.status < 500 && isErrorAnswer(body)) {
    throw refusal(body, request, request.subjectToken);
  }
  throw new AuthorizationServerUnavailableError(
    'token_exchange_failed',
    body === undefined
      ? `The token endpoint answered HTTP ${response.status} with a body that is not JSON.`
      : `The token endpoint answered HTTP ${response.status} without an OAuth error.`,
    { retryAfter: retryAfter(response) },
  );
}

/** The exchanged token of a 200 answer, checked. */
function accessToken(body: unknown, request: ExchangeRequest, context: TokenRequestContext): ExchangedToken {
  const invalid = (what: string): TokenExchangeError =>
    new TokenExchangeError(
      'invalid_response',
      `The token endpoint's answer for "${request.audience}" is not a usable access token: ${what}.`,
      { audience: request.audience, scopes: request.scopes },
    );
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw invalid('not a JSON object');
  const answer = body as Record<string, unknown>;
  const token = answer['access_token'];
  if (typeof token !== 'string' || token === '') throw invalid('no access_token');
  const issuedType = answer['issued_token_type'];
  if (
    context.requireIssuedTokenType
      ? issuedType !== ACCESS_TOKEN_TYPE
      : issuedType !== undefined && issuedType !== ACCESS_TOKEN_TYPE
  ) {
    throw invalid(`issued_token_type is not ${ACCESS_TOKEN_TYPE}`);
  }
  const tokenType = answer['token_type'];
  const scheme = typeof tokenType === 'string' ? tokenType.toLowerCase() : undefined;
  if (scheme !== 'bearer' && scheme !== 'dpop') throw invalid('token_type is not Bearer');
  const expiresIn = answer['expires_in'];
  const lifetime =
    expiresIn === undefined
      ? ASSUMED_LIFETIME_SECONDS
      : typeof expiresIn === 'number' || (typeof expiresIn === 'string' && /^\d+$/.test(expiresIn))
        ? Number(expiresIn)
        : NaN;
  if (!(Number.isFinite(lifetime) && lifetime > 0)) throw invalid('expires_in is not a positive number');
  const scope = answer['scope'];
  if (scope !== undefined && typeof scope !== 'string') throw invalid('scope is not a string');
  return Object.freeze({
    accessToken: token,
    tokenType: scheme === 'dpop' ? 'DPoP' : 'Bearer',
    expiresAt: context.clock() + lifetime * 1000,
    scopes: Object.freeze(scope === undefined ? [...request.scopes] : scope.split(' ').filter(Boolean)),
  });
}

/** Whole seconds from a numeric `Retry-After`, else 1. */
function retryAfter(response: Response): number {
  const value = response.headers.get('retry-after');
  return value !== null && /^\d{1,6}$/.test(value.trim()) ? Number(value.trim()) : 1;
}
