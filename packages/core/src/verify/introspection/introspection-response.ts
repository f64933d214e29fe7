import { AuthorizationServerUnavailableError, InvalidTokenError } from '../../errors.js';
import { checkTimeClaims } from '../time-claims.js';
import { createPrincipal, type Principal } from '../../principal.js';
import type { AudienceMatcher } from '../audience.js';

/** The checks an introspection response must pass, precomputed by the verifier. */
export interface IntrospectionChecks {
  readonly audience: AudienceMatcher | false;
  readonly issuers: ReadonlySet<string> | undefined;
  readonly requiredScopes: readonly string[];
  readonly nowSeconds: number;
  readonly clockTolerance: number;
}

/**
 * Turns an RFC 7662 response into a principal, or throws the `InvalidTokenError` that says why
 * the token is not acceptable here. Messages name claims, never their values.
 */
export function principalFromIntrospection(
  body: unknown,
  token: string,
  checks: IntrospectionChecks,
): Principal {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new AuthorizationServerUnavailableError(
      'introspection_failed',
      'The introspection response is not a JSON object.',
    );
  }
  const claims = body as Record<string, unknown>;
  if (claims['active'] === false) {
    throw new InvalidTokenError('inactive', 'The token is not active (revoked, expired or unknown).');
  }
  if (claims['active'] !== true) {
    throw new AuthorizationServerUnavailableError(
      'introspection_failed',
      'The introspection response has no boolean "active".',
    );
  }

  const tokenType = optionalString(claims, 'token_type');
  // `DPoP` (RFC 9449 section 6.2) comes with a `cnf`: the flow checks the binding, knowing the scheme.
  if (tokenType !== undefined && !['bearer', 'dpop'].includes(tokenType.toLowerCase())) {
    throw new InvalidTokenError('wrong_type', 'The token is not a bearer or DPoP access token.', {
      claim: 'token_type',
    });
  }

  const issuer = optionalString(claims, 'iss');
  if (checks.issuers !== undefined) {
    if (issuer === undefined)
      throw new InvalidTokenError('missing_claim', 'The token has no issuer.', { claim: 'iss' });
    if (!checks.issuers.has(issuer)) {
      throw new InvalidTokenError('wrong_issuer', 'The token was issued by an unexpected issuer.', {
        claim: 'iss',
      });
    }
  }

  const audience = audienceOf(claims['aud']);
  if (checks.audience !== false) {
    if (audience.length === 0) {
      throw new InvalidTokenError('missing_claim', 'The token has no audience.', { claim: 'aud' });
    }
    if (!checks.audience.matches(audience)) {
      throw new InvalidTokenError('wrong_audience', 'The token is meant for another resource.', {
        claim: 'aud',
      });
    }
  }

  checkTimeClaims(claims);
  const exp = optionalNumber(claims, 'exp');
  if (exp !== undefined && exp <= checks.nowSeconds - checks.clockTolerance) {
    throw new InvalidTokenError('expired', 'The token has expired.', { claim: 'exp' });
  }
  const nbf = optionalNumber(claims, 'nbf');
  if (nbf !== undefined && nbf > checks.nowSeconds + checks.clockTolerance) {
    throw new InvalidTokenError('not_yet_valid', 'The token is not valid yet.', { claim: 'nbf' });
  }

  const scope = optionalString(claims, 'scope');
  const scopes = scope === undefined ? [] : scope.split(' ').filter((s) => s !== '');
  const missing = checks.requiredScopes.filter((required) => !scopes.includes(required));
  if (missing.length > 0) {
    throw new InvalidTokenError(
      'invalid_claim',
      `The token lacks the scopes this resource requires: ${missing.join(' ')}.`,
      { claim: 'scope' },
    );
  }

  return createPrincipal({
    token,
    subject: optionalString(claims, 'sub'),
    clientId: optionalString(claims, 'client_id'),
    issuer,
    audience,
    scopes,
    expiresAt: exp,
    claims,
  });
}

function optionalString(claims: Record<string, unknown>, name: string): string | undefined {
  const value = claims[name];
  if (value === undefined || typeof value === 'string') return value;
  throw new InvalidTokenError('invalid_claim', `The introspection response's "${name}" is not a string.`, {
    claim: name,
  });
}

function optionalNumber(claims: Record<string, unknown>, name: string): number | undefined {
  const value = claims[name];
  if (value === undefined || (typeof value === 'number' && Number.isFinite(value))) return value;
  throw new InvalidTokenError('invalid_claim', `The introspection response's "${name}" is not a number.`, {
    claim: name,
  });
}

function audienceOf(aud: unknown): readonly string[] {
  if (aud === undefined) return [];
  if (typeof aud === 'string') return [aud];
  if (Array.isArray(aud) && aud.every((a) => typeof a === 'string')) return aud as string[];
  throw new InvalidTokenError(
    'invalid_claim',
    'The introspection response\'s "aud" is not a string or array of strings.',
    {
      claim: 'aud',
    },
  );
}
