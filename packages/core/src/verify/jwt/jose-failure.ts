import { errors } from 'jose';
import {
  AuthorizationServerUnavailableError,
  InvalidTokenError,
  type InvalidTokenReason,
} from '../../errors.js';

const MESSAGES: Readonly<Record<InvalidTokenReason, string>> = {
  malformed: 'The token is not a well-formed signed JWT.',
  too_large: 'The token is too large.',
  expired: 'The token has expired; get a new one.',
  not_yet_valid: 'The token is not valid yet (nbf is in the future); check the clocks.',
  issued_in_future: 'The token was issued in the future (iat); check the clocks.',
  too_old: 'The token was issued too long ago (iat older than maxTokenAge); get a new one.',
  bad_signature: 'The token signature does not verify.',
  alg_not_allowed: 'The token is signed with an algorithm this server does not accept.',
  unknown_key: 'The token is signed with a key this server does not know.',
  wrong_issuer: 'The token was issued by an authorization server this server does not trust.',
  unknown_issuer: 'The token was issued by an authorization server this server does not trust.',
  wrong_audience: 'The token was issued for another resource (aud).',
  missing_claim: 'The token lacks a required claim.',
  invalid_claim: 'The token has a claim of the wrong type or value.',
  wrong_type: 'The token is not an OAuth access token (typ must be at+jwt, RFC 9068).',
  unsupported_header: 'The token uses a header parameter this server does not support.',
  sender_constrained: 'The token is bound to a key (cnf); it cannot be used as a bearer token.',
  not_dpop_bound: 'The token is not bound to a DPoP key (cnf.jkt); send it with the Bearer scheme.',
  dpop_key_mismatch:
    'The DPoP proof is signed with another key than the one the token is bound to (cnf.jkt).',
  unsupported_confirmation:
    'The token is bound in a way this server cannot check (cnf without jkt, e.g. a TLS client certificate).',
  revoked: 'The token has been revoked; get a new one.',
  inactive: 'The token is not active.',
};

/** An `InvalidTokenError` with the standard message for `reason`; the claim name, never its value. */
export function tokenFailure(
  reason: InvalidTokenReason,
  options?: { cause?: unknown; claim?: string },
): InvalidTokenError {
  const claim = options?.claim;
  const message =
    claim !== undefined && (reason === 'missing_claim' || reason === 'invalid_claim')
      ? `The token ${reason === 'missing_claim' ? 'lacks the required' : 'has an invalid'} "${claim}" claim.`
      : MESSAGES[reason];
  return new InvalidTokenError(reason, message, options);
}

function claimFailure(err: errors.JWTClaimValidationFailed): InvalidTokenError {
  const claim = err.claim;
  const options = { cause: err, claim };
  if (err.reason === 'missing') return tokenFailure('missing_claim', options);
  if (err.reason === 'check_failed') {
    switch (claim) {
      case 'iss':
        return tokenFailure('wrong_issuer', options);
      case 'aud':
        return tokenFailure('wrong_audience', options);
      case 'nbf':
        return tokenFailure('not_yet_valid', options);
      case 'iat':
        return tokenFailure('issued_in_future', options);
      case 'typ':
        return tokenFailure('wrong_type', options);
    }
  }
  return tokenFailure('invalid_claim', options);
}

/**
 * Maps anything a jose verification throws to an `InvalidTokenError` with a stable reason; the
 * original error stays reachable as `cause` (with its jose `code`). An `InvalidTokenError` or
 * `AuthorizationServerUnavailableError` (thrown by a Valet key resolver or claim check) passes
 * through unchanged; a key in the issuer's set that cannot be imported is the server's fault
 * (503); anything unexpected is `malformed`, so no `TypeError` ever reaches a caller.
 */
export function joseFailure(err: unknown): InvalidTokenError | AuthorizationServerUnavailableError {
  if (err instanceof InvalidTokenError || err instanceof AuthorizationServerUnavailableError) return err;
  const cause = { cause: err };
  if (err instanceof errors.JWTExpired) {
    return tokenFailure(err.claim === 'iat' ? 'too_old' : 'expired', { cause: err, claim: err.claim });
  }
  if (err instanceof errors.JWTClaimValidationFailed) return claimFailure(err);
  if (err instanceof errors.JOSEAlgNotAllowed) return tokenFailure('alg_not_allowed', cause);
  if (err instanceof errors.JWSSignatureVerificationFailed) return tokenFailure('bad_signature', cause);
  if (err instanceof errors.JWKSNoMatchingKey || err instanceof errors.JWKSMultipleMatchingKeys) {
    return tokenFailure('unknown_key', cause);
  }
  if (err instanceof errors.JWKInvalid) {
    return new AuthorizationServerUnavailableError(
      'keys_unavailable',
      'The key the token names is not usable in the published key set.',
      cause,
    );
  }
  if (err instanceof errors.JOSENotSupported) return tokenFailure('unsupported_header', cause);
  return tokenFailure('malformed', cause);
}
