import { InvalidTokenError } from '../errors.js';
import type { Principal } from '../principal.js';

/**
 * The confirmation (`cnf`, RFC 7800) of a principal's token: `undefined` for an unbound token.
 * Verifiers leave `cnf` alone; the flow, which knows the scheme the token came with, decides.
 */
function confirmation(principal: Principal): unknown {
  return principal.claims['cnf'];
}

/** True when the principal's token is bound to a DPoP key (`cnf.jkt`). */
export function isDpopBound(principal: Principal | null): boolean {
  const cnf = principal === null ? undefined : confirmation(principal);
  return typeof cnf === 'object' && cnf !== null && typeof (cnf as { jkt?: unknown }).jkt === 'string';
}

/**
 * Throws unless the principal's token may be used as a Bearer token: a token with any `cnf` is
 * bound to a key or certificate, and a bound token sent as Bearer MUST be refused (RFC 9449
 * section 7.2, RFC 8705 section 3). Valet checks no TLS client certificates, so an mTLS-bound
 * token is refused too, with a message that says so.
 */
export function refuseBoundBearer(principal: Principal): never {
  const cnf = confirmation(principal) as Record<string, unknown> | null;
  const mtlsOnly = typeof cnf === 'object' && cnf !== null && 'x5t#S256' in cnf && !('jkt' in cnf);
  throw new InvalidTokenError(
    'sender_constrained',
    mtlsOnly
      ? 'The token is bound to a TLS client certificate (cnf x5t#S256, RFC 8705), which this server cannot check.'
      : 'The token is bound to a key (cnf); send it with "Authorization: DPoP" and a DPoP proof, not as a Bearer token.',
    { claim: 'cnf' },
  );
}

/**
 * Throws unless the principal's token is bound (`cnf.jkt`, RFC 9449 section 6) to the key that
 * signed the request's proof, whose RFC 7638 thumbprint is `jkt`. A token with only an mTLS
 * binding, or `cnf` members Valet cannot check, is refused.
 */
export function checkDpopBinding(principal: Principal, jkt: string): void {
  const cnf = confirmation(principal);
  if (cnf === undefined) {
    throw new InvalidTokenError(
      'not_dpop_bound',
      'The token is not bound to a DPoP key (no cnf.jkt); send it as "Authorization: Bearer", or get a DPoP-bound token.',
      { claim: 'cnf', scheme: 'DPoP' },
    );
  }
  if (typeof cnf !== 'object' || cnf === null || Array.isArray(cnf)) {
    throw new InvalidTokenError('invalid_claim', 'The token has an invalid "cnf" claim.', {
      claim: 'cnf',
      scheme: 'DPoP',
    });
  }
  const members = Object.keys(cnf);
  if (!members.includes('jkt') || members.length > 1) {
    throw new InvalidTokenError(
      'unsupported_confirmation',
      members.includes('x5t#S256')
        ? 'The token is bound to a TLS client certificate (cnf x5t#S256, RFC 8705), which this server cannot check.'
        : 'The token is bound in a way this server cannot check; only cnf.jkt (DPoP) is supported.',
      { claim: 'cnf', scheme: 'DPoP' },
    );
  }
  if ((cnf as { jkt: unknown }).jkt !== jkt) {
    throw new InvalidTokenError(
      'dpop_key_mismatch',
      'The DPoP proof is signed with another key than the one the token is bound to (cnf.jkt).',
      { claim: 'cnf', scheme: 'DPoP' },
    );
  }
}
