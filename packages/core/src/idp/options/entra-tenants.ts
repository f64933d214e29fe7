import { decodeJwt, jwtVerify, type JWTPayload } from 'jose';
import { InvalidTokenError } from '../../errors.js';
import type { Principal } from '../../principal.js';
import type { JwksResolver } from '../../verify/jwks.js';
import type { TokenVerifier } from '../../verify/token-verifier.js';
import { joseFailure, tokenFailure } from '../../verify/jwt/jose-failure.js';
import { LruCache } from '../../lib/lru-cache.js';

/** How a multi-tenant Entra ID preset accepts tokens of any tenant. */
export interface AnyTenantSetup {
  /** The issuer of tenant `tid` (the issuer template filled in). */
  readonly issuerOf: (tid: string) => string;
  /** A verifier pinned to tenant `tid` and its issuer. */
  readonly verifierFor: (tid: string) => TokenVerifier;
  /** The keys every tenant's tokens are signed with (Entra's common key set). */
  readonly keys: JwksResolver;
  readonly algorithms: readonly string[];
  readonly maxTokenBytes: number;
  /** Most tenants whose verifiers are kept. */
  readonly maxTenants: number;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * Accepts tokens of any Entra ID tenant: `iss` must be the issuer template filled with the
 * token's own `tid`, and then a verifier pinned to that exact issuer checks everything. Such a
 * verifier is made only for a token whose signature verifies against Entra's keys, so made-up
 * tenant ids cost no key fetches and cannot crowd real tenants out of the bounded cache.
 */
export class AnyTenantVerifier implements TokenVerifier {
  readonly #setup: AnyTenantSetup;
  readonly #tenants: LruCache<string, TokenVerifier>;

  constructor(setup: AnyTenantSetup) {
    this.#setup = setup;
    this.#tenants = new LruCache(setup.maxTenants);
  }

  async verify(token: string): Promise<Principal> {
    if (typeof token !== 'string' || token === '') throw tokenFailure('malformed');
    if (token.length > this.#setup.maxTokenBytes) throw tokenFailure('too_large');
    let claims: JWTPayload;
    try {
      claims = decodeJwt(token);
    } catch (error) {
      throw tokenFailure('malformed', { cause: error });
    }
    const tid = claims['tid'];
    if (tid === undefined) throw tokenFailure('missing_claim', { claim: 'tid' });
    if (typeof tid !== 'string' || !GUID.test(tid)) throw tokenFailure('invalid_claim', { claim: 'tid' });
    const issuer = this.#setup.issuerOf(tid);
    if (claims.iss !== issuer) {
      throw new InvalidTokenError('wrong_issuer', "The token's issuer does not match its tenant (tid).", {
        claim: 'iss',
      });
    }
    let verifier = this.#tenants.get(issuer, 0);
    if (verifier === undefined) {
      try {
        await jwtVerify(token, this.#setup.keys, { algorithms: [...this.#setup.algorithms] });
      } catch (error) {
        throw joseFailure(error);
      }
      verifier = this.#setup.verifierFor(tid);
      this.#tenants.set(issuer, verifier, Number.POSITIVE_INFINITY);
    }
    return verifier.verify(token);
  }
}
