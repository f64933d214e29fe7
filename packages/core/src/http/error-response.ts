import type {
  AuthorizationServerUnavailableError,
  RateLimitedError,
  StateUnavailableError,
  UseDpopNonceError,
  ValetError,
} from '../errors.js';
import { challengeFor, type ChallengeOptions } from './challenge.js';
import { rateLimitHeaders } from './rate-limit-headers.js';

/**
 * The `error` member of an error response body: the RFC 6750 codes where one applies, and for
 * the rest `unauthorized` (no credentials: RFC 6750 section 3.1 gives no code), `access_denied`
 * (refused by a rule other than scopes; the RFC 6749 code for a refused request),
 * `temporarily_unavailable` (the authorization server cannot be reached; RFC 6749 section
 * 4.1.2.1), `too_many_requests` (a rate limit; named after the RFC 6585 status, which defines
 * no code) and `server_error` (misconfiguration).
 */
export type ErrorBodyCode =
  | 'invalid_request'
  | 'invalid_token'
  | 'insufficient_scope'
  | 'invalid_dpop_proof'
  | 'use_dpop_nonce'
  | 'unauthorized'
  | 'access_denied'
  | 'temporarily_unavailable'
  | 'too_many_requests'
  | 'server_error';

/** The JSON body of an error response, in the shape of RFC 6749 section 5.2. */
export interface ErrorBody {
  readonly error: ErrorBodyCode;
  readonly error_description: string;
}

/** Everything an adapter needs to answer a request refused with a {@link ValetError}. */
export interface ErrorResponse {
  readonly status: number;
  /**
   * Lower-case header names: `content-type`, `cache-control`, `www-authenticate` when the error
   * has a challenge (with DPoP allowed, a 401's value holds a `Bearer` and a `DPoP` challenge,
   * comma-separated), `dpop-nonce` for `use_dpop_nonce`, `retry-after` for a 503, and for a 429
   * `retry-after`, `ratelimit-policy` and `ratelimit`.
   */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: ErrorBody;
}

/** What a 5xx body says: configuration problems are for the server's logs, not for clients. */
const SERVER_ERROR_DESCRIPTION = 'The server could not authorize the request.';

/** What a 503 body says: which of the authorization server's endpoints failed is for the logs. */
const UNAVAILABLE_DESCRIPTION = 'The authorization server cannot be reached right now; retry later.';

/** What a 429 body says: the operation and the caller's count are for the logs. */
const RATE_LIMITED_DESCRIPTION = 'Too many requests; retry after the number of seconds in Retry-After.';

/** What a 503 body says when the shared state store failed. */
const STATE_UNAVAILABLE_DESCRIPTION = 'The server cannot check the request right now; retry later.';

/**
 * The JSON body for an error: `{ error, error_description }`. 4xx errors carry their message,
 * which Valet writes for clients and which never contains a token; a 429 gets a fixed sentence,
 * as do 5xx errors
 * (`PolicyConfigError`, `OptionsError`, `AuthorizationServerUnavailableError`, a
 * `TokenExchangeError` other than for want of consent or scope) get a fixed sentence, never their
 * message.
 *
 * @example
 * ```ts
 * errorBody(new ForbiddenError('Tool "rm" is refused by policy "owner-of-path".'));
 * // { error: 'access_denied', error_description: 'Tool "rm" is refused by policy "owner-of-path".' }
 * ```
 */
export function errorBody(error: ValetError): ErrorBody {
  const code = bodyCode(error);
  return Object.freeze({
    error: code,
    error_description:
      code === 'server_error'
        ? SERVER_ERROR_DESCRIPTION
        : code === 'too_many_requests'
          ? RATE_LIMITED_DESCRIPTION
          : code !== 'temporarily_unavailable'
            ? error.message
            : error.code === 'ERR_STATE_UNAVAILABLE'
              ? STATE_UNAVAILABLE_DESCRIPTION
              : UNAVAILABLE_DESCRIPTION,
  });
}

/**
 * Translates a {@link ValetError} into status, headers and body: the one place where an
 * adapter's refusal is built, so no adapter writes challenge strings itself. Errors that are not
 * Valet errors are the adapter's (or the framework's) to handle.
 *
 * @example
 * ```ts
 * const challenge = validateChallengeOptions({ resourceMetadata: metadataUrl });
 * app.use((err, req, res, next) => {
 *   if (!isValetError(err)) return next(err);
 *   const { status, headers, body } = errorResponse(err, challenge);
 *   res.status(status).set(headers).send(JSON.stringify(body));
 * });
 * ```
 */
export function errorResponse(error: ValetError, options?: ChallengeOptions): ErrorResponse {
  const body = errorBody(error);
  // A 5xx keeps its status (502 for a failed token exchange); anything else refused as a server error is a 500.
  const status = body.error === 'server_error' && error.status < 500 ? 500 : error.status;
  const challenge = body.error === 'server_error' ? undefined : challengeFor(error, options);
  const headers: Record<string, string> = { 'content-type': 'application/json', 'cache-control': 'no-store' };
  if (challenge !== undefined) headers['www-authenticate'] = challenge;
  if (body.error === 'use_dpop_nonce') headers['dpop-nonce'] = (error as UseDpopNonceError).nonce;
  if (body.error === 'too_many_requests') Object.assign(headers, rateLimitHeaders(error as RateLimitedError));
  if (body.error === 'temporarily_unavailable') {
    headers['retry-after'] = String(
      (error as AuthorizationServerUnavailableError | StateUnavailableError).retryAfter,
    );
  }
  return Object.freeze({ status, headers: Object.freeze(headers), body });
}

function bodyCode(error: ValetError): ErrorBodyCode {
  switch (error.code) {
    case 'ERR_INVALID_REQUEST':
    case 'ERR_INVALID_INPUT':
      return 'invalid_request';
    case 'ERR_MISSING_TOKEN':
      return 'unauthorized';
    case 'ERR_INVALID_TOKEN':
      return 'invalid_token';
    case 'ERR_INSUFFICIENT_SCOPE':
      return 'insufficient_scope';
    case 'ERR_INVALID_DPOP_PROOF':
      return 'invalid_dpop_proof';
    case 'ERR_USE_DPOP_NONCE':
      return 'use_dpop_nonce';
    case 'ERR_HEADERS_TOO_LARGE':
      return 'invalid_request';
    case 'ERR_FORBIDDEN':
    case 'ERR_ORIGIN_NOT_ALLOWED':
      return 'access_denied';
    case 'ERR_AUTHORIZATION_SERVER_UNAVAILABLE':
    case 'ERR_STATE_UNAVAILABLE':
      return 'temporarily_unavailable';
    case 'ERR_RATE_LIMITED':
      return 'too_many_requests';
    case 'ERR_POLICY_CONFIG':
    case 'ERR_INVALID_OPTIONS':
      return 'server_error';
    case 'ERR_TOKEN_EXCHANGE':
      // 403 for want of consent or scope (a step-up may help), else 502: the server's failure.
      return error.status === 403 ? 'access_denied' : 'server_error';
    default:
      return unknownCode(error.code);
  }
}

/** A code added to `ValetErrorCode` must be mapped above; this fails to compile until it is. */
function unknownCode(_code: never): ErrorBodyCode {
  return 'server_error';
}
