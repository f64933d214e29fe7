/**
 * Every error Valet throws is a {@link ValetError}. Callers branch on `code`; people read
 * `message`; adapters read `status` and `challenge` to answer HTTP requests. Messages never
 * contain a token, a secret or a full claim set.
 *
 * @module
 */

/** The stable codes of every {@link ValetError}, for exhaustive `switch (err.code)`. */
export type ValetErrorCode =
  | 'ERR_INVALID_REQUEST'
  | 'ERR_MISSING_TOKEN'
  | 'ERR_INVALID_TOKEN'
  | 'ERR_INVALID_DPOP_PROOF'
  | 'ERR_USE_DPOP_NONCE'
  | 'ERR_INSUFFICIENT_SCOPE'
  | 'ERR_FORBIDDEN'
  | 'ERR_ORIGIN_NOT_ALLOWED'
  | 'ERR_HEADERS_TOO_LARGE'
  | 'ERR_AUTHORIZATION_SERVER_UNAVAILABLE'
  | 'ERR_STATE_UNAVAILABLE'
  | 'ERR_RATE_LIMITED'
  | 'ERR_POLICY_CONFIG'
  | 'ERR_INVALID_OPTIONS'
  | 'ERR_INVALID_INPUT'
  | 'ERR_TOKEN_EXCHANGE';

/** The RFC 6750 section 3.1 error codes a bearer challenge can carry. */
export type BearerErrorCode = 'invalid_request' | 'invalid_token' | 'insufficient_scope';

/** The error codes RFC 9449 (DPoP) adds for a challenge in the `DPoP` scheme (sections 7.1 and 9). */
export type DpopErrorCode = 'invalid_dpop_proof' | 'use_dpop_nonce';

/** The HTTP authentication scheme a challenge is written in. */
export type ChallengeScheme = 'Bearer' | 'DPoP';

/**
 * Why a token was refused. Stable strings: log them, count them, branch on them.
 * The token itself is never part of an error.
 */
export type InvalidTokenReason =
  | 'malformed'
  | 'too_large'
  | 'expired'
  | 'not_yet_valid'
  | 'issued_in_future'
  | 'too_old'
  | 'bad_signature'
  | 'alg_not_allowed'
  | 'unknown_key'
  | 'wrong_issuer'
  | 'unknown_issuer'
  | 'wrong_audience'
  | 'missing_claim'
  | 'invalid_claim'
  | 'wrong_type'
  | 'unsupported_header'
  | 'sender_constrained'
  | 'not_dpop_bound'
  | 'dpop_key_mismatch'
  | 'unsupported_confirmation'
  | 'revoked'
  | 'inactive';

/**
 * Why a DPoP proof (RFC 9449 section 4.3) was refused. Stable strings; the proof itself is never
 * part of an error.
 */
export type DpopProofReason =
  | 'missing'
  | 'multiple'
  | 'too_large'
  | 'malformed'
  | 'wrong_type'
  | 'alg_not_allowed'
  | 'bad_key'
  | 'private_key'
  | 'bad_signature'
  | 'missing_claim'
  | 'invalid_claim'
  | 'wrong_method'
  | 'wrong_url'
  | 'stale'
  | 'issued_in_future'
  | 'wrong_token_hash'
  | 'replayed';

/**
 * What could not be reached when a token could not be checked or exchanged: the signing keys
 * (JWKS), the issuer's metadata (discovery), the introspection endpoint or the token endpoint
 * (token exchange).
 */
export type UnavailableReason =
  'keys_unavailable' | 'discovery_failed' | 'introspection_failed' | 'token_exchange_failed';

/**
 * Why a token exchange was refused. Stable strings:
 * - `consent_or_scope`: the authorization server would issue the token once the user grants more:
 *   `invalid_scope`, `consent_required`, `interaction_required`, or Entra ID's `AADSTS65001`
 *   (`suberror: consent_required`). A step-up at this server may help.
 * - `refused`: any other refusal (`invalid_grant`, `unauthorized_client`, `invalid_target`,
 *   `invalid_client`, ...): no scope the client asks for here would help.
 * - `invalid_response`: the authorization server answered 200 with something that is not a usable
 *   access token.
 */
export type TokenExchangeReason = 'consent_or_scope' | 'refused' | 'invalid_response';

/** What a challenge needs beyond the error itself: the data of `WWW-Authenticate`. */
export interface ChallengeParams {
  /** RFC 6750 `error`; absent for a request that carried no credentials at all (section 3.1). */
  readonly error?: BearerErrorCode | DpopErrorCode;
  /**
   * The scheme of the request the error answers: `DPoP` for a request made with
   * `Authorization: DPoP` (RFC 9449 section 7.1), so the error goes on the `DPoP` challenge.
   * Absent: `Bearer` (or `DPoP` where the resource requires DPoP).
   */
  readonly scheme?: ChallengeScheme;
  /** Human-readable `error_description`. */
  readonly errorDescription?: string;
  /** The scopes to ask for (RFC 6750 section 3, `scope`). */
  readonly scope?: readonly string[];
}

/** Base class of every error Valet throws. */
export class ValetError extends Error {
  /** A stable code that never changes between releases. */
  readonly code: ValetErrorCode;
  /** The HTTP status an adapter answers with. */
  readonly status: number;

  constructor(code: ValetErrorCode, status: number, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
    this.status = status;
  }

  /** The parameters of the `WWW-Authenticate: Bearer` challenge for this error, if any. */
  get challenge(): ChallengeParams | undefined {
    return undefined;
  }
}

/** 400 `invalid_request`: the request is malformed (two Authorization headers, a token in the query, ...). */
export class InvalidRequestError extends ValetError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_INVALID_REQUEST', 400, message, options);
  }

  override get challenge(): ChallengeParams {
    return { error: 'invalid_request', errorDescription: this.message };
  }
}

/**
 * 401 without an error code: the request carried no credentials (RFC 6750 section 3.1 says the
 * challenge then SHOULD NOT include an error). `scope` lists the scopes a client should ask for.
 */
export class MissingTokenError extends ValetError {
  /** The scopes a client should request to get in. */
  readonly scopes: readonly string[];

  constructor(message = 'Authentication required', scopes: readonly string[] = []) {
    super('ERR_MISSING_TOKEN', 401, message);
    this.scopes = Object.freeze([...scopes]);
  }

  override get challenge(): ChallengeParams {
    return this.scopes.length > 0 ? { scope: this.scopes } : {};
  }
}

/** 401 `invalid_token`: expired, revoked, malformed or otherwise not acceptable. */
export class InvalidTokenError extends ValetError {
  /** Why the token was refused. */
  readonly reason: InvalidTokenReason;
  /** The claim at fault, when one claim is (`exp`, `aud`, `iss`, ...). Never its value. */
  readonly claim: string | undefined;

  /** `DPoP` when the token came with `Authorization: DPoP`: the challenge then uses that scheme. */
  readonly scheme: ChallengeScheme | undefined;

  constructor(
    reason: InvalidTokenReason,
    message: string,
    options?: { cause?: unknown; claim?: string; scheme?: ChallengeScheme },
  ) {
    super('ERR_INVALID_TOKEN', 401, message, options);
    this.reason = reason;
    this.claim = options?.claim;
    this.scheme = options?.scheme;
  }

  override get challenge(): ChallengeParams {
    return this.scheme === undefined
      ? { error: 'invalid_token', errorDescription: this.message }
      : { error: 'invalid_token', errorDescription: this.message, scheme: this.scheme };
  }
}

/**
 * 401 `invalid_dpop_proof` (RFC 9449 sections 7.1 and 12.2): the request used the DPoP scheme and
 * its `DPoP` proof is missing, malformed, not for this request, replayed or not signed as
 * required. The challenge is in the `DPoP` scheme.
 */
export class InvalidDpopProofError extends ValetError {
  /** Why the proof was refused. */
  readonly reason: DpopProofReason;
  /** The proof claim or header parameter at fault (`htu`, `iat`, `jwk`, ...). Never its value. */
  readonly claim: string | undefined;

  constructor(reason: DpopProofReason, message: string, options?: { cause?: unknown; claim?: string }) {
    super('ERR_INVALID_DPOP_PROOF', 401, message, options);
    this.reason = reason;
    this.claim = options?.claim;
  }

  override get challenge(): ChallengeParams {
    return { error: 'invalid_dpop_proof', errorDescription: this.message, scheme: 'DPoP' };
  }
}

/**
 * 401 `use_dpop_nonce` (RFC 9449 section 9): the resource requires a server-provided nonce in
 * DPoP proofs and the proof had none, or one that is no longer (or never was) valid. `nonce` is
 * the one to use, sent as the `DPoP-Nonce` response header.
 */
export class UseDpopNonceError extends ValetError {
  /** The nonce the client puts in its next proof. */
  readonly nonce: string;

  constructor(
    nonce: string,
    message = 'The resource requires a nonce in DPoP proofs; retry with the one given in DPoP-Nonce.',
  ) {
    super('ERR_USE_DPOP_NONCE', 401, message);
    this.nonce = nonce;
  }

  override get challenge(): ChallengeParams {
    return { error: 'use_dpop_nonce', errorDescription: this.message, scheme: 'DPoP' };
  }
}

/** 403 `insufficient_scope`: the token is valid but lacks scopes; `required` goes into the challenge. */
export class InsufficientScopeError extends ValetError {
  /** Every scope the operation needs: what one step-up request should ask for. */
  readonly required: readonly string[];
  /** A smallest set of scopes that, once granted, would allow. */
  readonly missing: readonly string[];
  /** The operation refused, if known. */
  readonly operationId: string | undefined;

  /** `DPoP` when the caller presented a DPoP-bound token: the challenge then uses that scheme. */
  readonly scheme: ChallengeScheme | undefined;

  constructor(
    message: string,
    init: {
      required: readonly string[];
      missing?: readonly string[];
      operationId?: string;
      scheme?: ChallengeScheme;
    },
  ) {
    super('ERR_INSUFFICIENT_SCOPE', 403, message);
    this.required = Object.freeze([...init.required]);
    this.missing = Object.freeze([...(init.missing ?? init.required)]);
    this.operationId = init.operationId;
    this.scheme = init.scheme;
  }

  override get challenge(): ChallengeParams {
    const params = {
      error: 'insufficient_scope',
      errorDescription: this.message,
      scope: this.required,
    } as const;
    return this.scheme === undefined ? params : { ...params, scheme: this.scheme };
  }
}

/** 403 without a scope to ask for: a rule other than scopes refused (an attribute check, `not`, default deny). */
export class ForbiddenError extends ValetError {
  /** The operation refused, if known. */
  readonly operationId: string | undefined;

  constructor(message: string, operationId?: string) {
    super('ERR_FORBIDDEN', 403, message);
    this.operationId = operationId;
  }
}

/**
 * 403 before any credential is read: the request's `Origin` or `Host` header is not one this
 * server answers (DNS rebinding protection). No token can change that, so there is no challenge.
 */
export class OriginNotAllowedError extends ValetError {
  /** The header at fault. */
  readonly header: 'origin' | 'host';

  constructor(header: 'origin' | 'host', message: string) {
    super('ERR_ORIGIN_NOT_ALLOWED', 403, message);
    this.header = header;
  }
}

/**
 * 431: the request has so many header lines that Node stopped reading them. What was dropped
 * could be a second `Authorization` header, so the request is refused rather than read in part.
 */
export class HeadersTooLargeError extends ValetError {
  constructor(message = 'The request has too many header lines to be checked.') {
    super('ERR_HEADERS_TOO_LARGE', 431, message);
  }
}

/**
 * 503: the token could not be checked because the authorization server (its keys, its metadata
 * or its introspection endpoint) cannot be reached and nothing usable is cached. The fault is the
 * server's, not the client's token, so there is no `invalid_token` challenge: the client keeps its
 * token and retries after `retryAfter` seconds. The message is for logs; clients get a fixed
 * sentence.
 */
export class AuthorizationServerUnavailableError extends ValetError {
  /** What could not be reached. */
  readonly reason: UnavailableReason;
  /** Whole seconds a client should wait before retrying: the `Retry-After` header. At least 1. */
  readonly retryAfter: number;

  constructor(
    reason: UnavailableReason,
    message: string,
    options?: { cause?: unknown; retryAfter?: number },
  ) {
    super('ERR_AUTHORIZATION_SERVER_UNAVAILABLE', 503, message, options);
    this.reason = reason;
    const retryAfter = options?.retryAfter ?? 1;
    this.retryAfter = Number.isFinite(retryAfter) ? Math.max(1, Math.ceil(retryAfter)) : 1;
  }
}

/**
 * 503: the shared state store (Redis, say) did not answer a lookup a request needs, such as
 * whether its token was revoked. The client keeps its token and retries after `retryAfter`
 * seconds. The message is for logs; clients get a fixed sentence.
 */
export class StateUnavailableError extends ValetError {
  /** Whole seconds a client should wait before retrying: the `Retry-After` header. */
  readonly retryAfter: number;

  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_STATE_UNAVAILABLE', 503, message, options);
    this.retryAfter = 1;
  }
}

/**
 * 429: the caller performed the operation as often as its rate limit allows in the current
 * window (`rateLimited()`, `@RateLimit()`). No token changes that, so there is no challenge; the
 * response carries `Retry-After` and the IETF `RateLimit-Policy` / `RateLimit` headers. The
 * message is for logs; clients get a fixed sentence.
 */
export class RateLimitedError extends ValetError {
  /** The operation limited. */
  readonly operationId: string;
  /** Calls allowed per window. */
  readonly limit: number;
  /** The window's length in seconds. */
  readonly windowSeconds: number;
  /** Calls left in the current window: 0. */
  readonly remaining: number;
  /** Whole seconds until the current window ends, at least 1. */
  readonly resetSeconds: number;
  /** Whole seconds a client should wait before retrying: the `Retry-After` header, at least 1. */
  readonly retryAfter: number;

  constructor(
    message: string,
    init: { operationId: string; limit: number; windowSeconds: number; resetSeconds: number },
  ) {
    super('ERR_RATE_LIMITED', 429, message);
    this.operationId = init.operationId;
    this.limit = init.limit;
    this.windowSeconds = init.windowSeconds;
    this.remaining = 0;
    const reset = Number.isFinite(init.resetSeconds) ? Math.ceil(init.resetSeconds) : init.windowSeconds;
    this.resetSeconds = Math.max(1, reset);
    this.retryAfter = this.resetSeconds;
  }
}

/**
 * The authorization server would not exchange the caller's token for one for a downstream API
 * (RFC 8693, or Entra ID's on-behalf-of flow). `reason` says whether more consent or scope could
 * help (`consent_or_scope`, status 403: answer with a step-up naming the scopes to ask this server
 * for) or not (`refused` and `invalid_response`, status 502: the server failed to get a token
 * downstream; a tool error). An authorization server that cannot be reached is
 * {@link AuthorizationServerUnavailableError} (503, `token_exchange_failed`) instead. Neither the
 * caller's token nor the exchanged one is ever part of it; `description` is the authorization
 * server's `error_description`, first line only, printable ASCII, long runs of token-like
 * characters replaced, for logs.
 */
export class TokenExchangeError extends ValetError {
  /** Why the exchange failed. */
  readonly reason: TokenExchangeReason;
  /** The OAuth `error` code of the refusal (`invalid_scope`, `invalid_grant`, ...), when there was one. */
  readonly oauthError: string | undefined;
  /** The authorization server's `error_description`, sanitized (see the class); for logs. */
  readonly description: string | undefined;
  /** The downstream API the token was asked for. */
  readonly audience: string;
  /** The scopes asked for. */
  readonly scopes: readonly string[];

  constructor(
    reason: TokenExchangeReason,
    message: string,
    init: {
      audience: string;
      scopes: readonly string[];
      oauthError?: string;
      description?: string;
      cause?: unknown;
    },
  ) {
    super('ERR_TOKEN_EXCHANGE', reason === 'consent_or_scope' ? 403 : 502, message, { cause: init.cause });
    this.reason = reason;
    this.oauthError = init.oauthError;
    this.description = init.description;
    this.audience = init.audience;
    this.scopes = Object.freeze([...init.scopes]);
  }
}

/** Start-up misconfiguration of policies: unknown scope, duplicate operation, cycle in `implies`, ... */
export class PolicyConfigError extends ValetError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_POLICY_CONFIG', 500, message, options);
  }
}

/** An options object failed validation at construction; the message names the field. */
export class OptionsError extends ValetError {
  /** The option at fault, as a dotted path (`jwks.timeout`). */
  readonly field: string;

  constructor(field: string, message: string, options?: { cause?: unknown }) {
    super('ERR_INVALID_OPTIONS', 500, message, options);
    this.field = field;
  }
}

/** True when `value` is a {@link ValetError} (works across package copies, unlike `instanceof`). */
export function isValetError(value: unknown): value is ValetError {
  return (
    value instanceof ValetError ||
    (value instanceof Error &&
      typeof (value as Partial<ValetError>).code === 'string' &&
      typeof (value as Partial<ValetError>).status === 'number' &&
      (value as Partial<ValetError>).code!.startsWith('ERR_'))
  );
}
