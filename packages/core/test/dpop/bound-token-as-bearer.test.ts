import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CachingVerifier } from '../../src/verify/caching-verifier.js';
import { RESOURCE, valetFixture, type ValetFixture } from '../support/valet-fixture.js';

let fixture: ValetFixture;

beforeAll(async () => {
  fixture = await valetFixture();
});

afterAll(() => fixture.close());

/** Every confirmation a token may carry: bound to something, so never a bearer token. */
const BOUND: readonly (readonly [string, unknown])[] = [
  ['cnf.jkt (DPoP, RFC 9449)', { jkt: 'NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs' }],
  ['cnf.x5t#S256 (mTLS, RFC 8705)', { 'x5t#S256': 'bwcK0esc3ACC3DB2Y5_lESsXE8o9ltc05O89jdN-dg2' }],
  ['cnf.jwk (RFC 7800)', { jwk: { kty: 'OKP', crv: 'Ed25519', x: 'abc' } }],
  ['cnf.kid (RFC 7800)', { kid: 'key-1' }],
  ['cnf.jku (RFC 7800)', { jku: 'https://client.example/jwks' }],
  ['cnf an empty object', {}],
  ['cnf null', null],
  ['cnf a string', 'bound'],
];

describe('Attack: a token bound to a key (cnf) presented as a bearer token (RFC 9449 section 7.2)', () => {
  describe.each([
    ['mode allowed', {}],
    ['mode off', { dpop: { mode: 'off' as const } }],
  ])('%s', (_mode, options) => {
    it.each(BOUND)('refuses %s with 401 invalid_token sender_constrained', async (_name, cnf) => {
      const token = await fixture.issuer.mint({
        audience: RESOURCE,
        scopes: ['files:read'],
        claims: { cnf },
      });
      const valet = fixture.valetWith(options);
      const refusal = valet.admit({ authorization: `Bearer ${token}`, operations: [{ id: 'read_file' }] });
      await expect(refusal).rejects.toMatchObject({
        code: 'ERR_INVALID_TOKEN',
        reason: 'sender_constrained',
        status: 401,
      });
      const error = await refusal.catch((e: unknown) => e);
      expect(JSON.stringify(valet.errorResponse(error))).not.toContain(token.split('.')[2]);
    });
  });

  it('refuses it again when the cache holds it (the check runs on cache hits too)', async () => {
    const valet = fixture.valetWith({ verifier: new CachingVerifier(fixture.verifier) });
    const token = await fixture.issuer.mint({ audience: RESOURCE, claims: { cnf: { jkt: 'x' } } });
    await expect(valet.admit({ authorization: `Bearer ${token}` })).rejects.toMatchObject({
      reason: 'sender_constrained',
    });
    await expect(valet.admit({ authorization: `Bearer ${token}` })).rejects.toMatchObject({
      reason: 'sender_constrained',
    });
  });

  it('says an mTLS-bound token cannot be checked here', async () => {
    const token = await fixture.issuer.mint({ audience: RESOURCE, claims: { cnf: { 'x5t#S256': 'x' } } });
    await expect(fixture.valetWith().admit({ authorization: `Bearer ${token}` })).rejects.toThrow(
      /TLS client certificate/,
    );
  });
});
