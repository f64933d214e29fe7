import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createTestIssuer, type TestIssuer } from '@valet/testing';
import { generateKeyPair, SignJWT, UnsecuredJWT, type CryptoKey } from 'jose';
import { createPrincipal, type Principal } from '../../src/principal.js';
import { JwtVerifier } from '../../src/verify/jwt-verifier.js';
import { MultiIssuerVerifier } from '../../src/verify/multi-issuer-verifier.js';
import type { TokenVerifier } from '../../src/verify/token-verifier.js';

/** Accepts every token, remembering which it saw: shows where the router sent a token. */
class RecordingVerifier implements TokenVerifier {
  readonly seen: string[] = [];
  constructor(readonly name: string) {}
  async verify(token: string): Promise<Principal> {
    this.seen.push(token);
    return createPrincipal({ token, subject: this.name });
  }
}

const A = 'https://a.example.com/';
const B = 'https://login.example.net/tenant-b/v2.0';

describe('MultiIssuerVerifier', () => {
  let key: CryptoKey;
  const jwt = (claims: Record<string, unknown>) =>
    new SignJWT(claims).setProtectedHeader({ alg: 'ES256', typ: 'at+jwt' }).setExpirationTime('1h').sign(key);

  beforeAll(async () => {
    ({ privateKey: key } = await generateKeyPair('ES256'));
  });

  it('routes a JWT by its unverified iss to that issuer’s verifier', async () => {
    const a = new RecordingVerifier('a');
    const b = new RecordingVerifier('b');
    const verifier = new MultiIssuerVerifier({ issuers: { [A]: a, [B]: b } });
    const tokenA = await jwt({ iss: A });
    const tokenB = await jwt({ iss: B });
    await expect(verifier.verify(tokenA)).resolves.toMatchObject({ subject: 'a' });
    await expect(verifier.verify(tokenB)).resolves.toMatchObject({ subject: 'b' });
    expect(a.seen).toEqual([tokenA]);
    expect(b.seen).toEqual([tokenB]);
  });

  it('takes presets (routes with issuer, verifier, matchesIssuer)', async () => {
    const fixed = new RecordingVerifier('fixed');
    const tenants = new RecordingVerifier('tenants');
    const verifier = new MultiIssuerVerifier({
      issuers: [
        { issuer: A, verifier: fixed },
        {
          issuer: 'https://login.example.net/{tenantid}/v2.0',
          verifier: tenants,
          matchesIssuer: (iss) => /^https:\/\/login\.example\.net\/[\w-]+\/v2\.0$/.test(iss),
        },
      ],
    });
    await expect(verifier.verify(await jwt({ iss: B }))).resolves.toMatchObject({ subject: 'tenants' });
    await expect(verifier.verify(await jwt({ iss: A }))).resolves.toMatchObject({ subject: 'fixed' });
  });

  describe('Security: making the server trust or call out to an issuer of the attacker’s choice', () => {
    it('refuses an unknown issuer as unknown_issuer without calling any verifier', async () => {
      const a = new RecordingVerifier('a');
      const opaque = new RecordingVerifier('opaque');
      const verifier = new MultiIssuerVerifier({ issuers: { [A]: a }, opaque });
      await expect(verifier.verify(await jwt({ iss: 'https://evil.example/' }))).rejects.toMatchObject({
        code: 'ERR_INVALID_TOKEN',
        reason: 'unknown_issuer',
      });
      expect(a.seen).toHaveLength(0);
      expect(opaque.seen).toHaveLength(0);
    });

    describe('with real JWT verifiers and JWKS servers', () => {
      let trusted: TestIssuer;
      let untrusted: TestIssuer;
      beforeAll(async () => {
        [trusted, untrusted] = await Promise.all([createTestIssuer(), createTestIssuer()]);
      });
      afterAll(async () => {
        await Promise.all([trusted.close(), untrusted.close()]);
      });

      it('makes no request at all for a token naming an issuer it does not trust', async () => {
        const verifier = new MultiIssuerVerifier({
          issuers: [
            {
              issuer: trusted.url,
              verifier: new JwtVerifier({ issuer: trusted.url, audience: trusted.audience, discovery: true }),
            },
          ],
        });
        const foreign = await untrusted.mint();
        await expect(verifier.verify(foreign)).rejects.toMatchObject({ reason: 'unknown_issuer' });
        expect(trusted.requests).toEqual({ jwks: 0, oauthMetadata: 0, openidConfiguration: 0 });
        expect(untrusted.requests).toEqual({ jwks: 0, oauthMetadata: 0, openidConfiguration: 0 });

        await expect(verifier.verify(await trusted.mint({ scopes: 'a' }))).resolves.toMatchObject({
          issuer: trusted.url,
        });
        expect(trusted.requests.jwks).toBe(1);
      });
    });

    it('compares issuers exactly: no trailing-slash, case or prefix games', async () => {
      const a = new RecordingVerifier('a');
      const verifier = new MultiIssuerVerifier({ issuers: { [A]: a } });
      for (const iss of ['https://a.example.com', 'https://A.example.com/', `${A}x`, `${A} `]) {
        await expect(verifier.verify(await jwt({ iss }))).rejects.toMatchObject({ reason: 'unknown_issuer' });
      }
      expect(a.seen).toHaveLength(0);
    });

    it('refuses a JWT without iss, or with a non-string iss, as missing_claim', async () => {
      const verifier = new MultiIssuerVerifier({ issuers: { [A]: new RecordingVerifier('a') } });
      await expect(verifier.verify(await jwt({ sub: 'x' }))).rejects.toMatchObject({
        reason: 'missing_claim',
      });
      await expect(verifier.verify(await jwt({ iss: [A] }))).rejects.toMatchObject({
        reason: 'missing_claim',
      });
    });

    it('never sends a JOSE-looking token that fails to decode to the opaque verifier', async () => {
      const opaque = new RecordingVerifier('opaque');
      const verifier = new MultiIssuerVerifier({ issuers: { [A]: new RecordingVerifier('a') }, opaque });
      const header = Buffer.from(JSON.stringify({ alg: 'ES256' })).toString('base64url');
      const jwe = `${Buffer.from(JSON.stringify({ alg: 'dir', enc: 'A256GCM' })).toString('base64url')}..iv.ct.tag`;
      for (const token of [`${header}.bm90IGpzb24.sig`, `${header}.W10.sig`, jwe]) {
        await expect(verifier.verify(token)).rejects.toMatchObject({ reason: 'malformed' });
      }
      expect(opaque.seen).toHaveLength(0);
    });

    it('refuses an unsigned (alg none) token naming a foreign issuer before any verifier runs', async () => {
      const a = new RecordingVerifier('a');
      const verifier = new MultiIssuerVerifier({ issuers: { [A]: a } });
      const unsigned = new UnsecuredJWT({ iss: 'https://evil.example/' }).encode();
      await expect(verifier.verify(unsigned)).rejects.toMatchObject({ reason: 'unknown_issuer' });
      expect(a.seen).toHaveLength(0);
    });

    it('refuses oversized tokens before decoding them', async () => {
      const verifier = new MultiIssuerVerifier({
        issuers: { [A]: new RecordingVerifier('a') },
        maxTokenBytes: 64,
      });
      await expect(verifier.verify(await jwt({ iss: A, pad: 'x'.repeat(100) }))).rejects.toMatchObject({
        reason: 'too_large',
      });
    });
  });

  it('hands an opaque token to the opaque verifier, or refuses it as malformed without one', async () => {
    const opaque = new RecordingVerifier('opaque');
    const withOpaque = new MultiIssuerVerifier({ issuers: { [A]: new RecordingVerifier('a') }, opaque });
    await expect(withOpaque.verify('2YotnFZFEjr1zCsicMWpAA')).resolves.toMatchObject({ subject: 'opaque' });
    await expect(withOpaque.verify('a.b.c')).resolves.toMatchObject({ subject: 'opaque' });
    expect(opaque.seen).toEqual(['2YotnFZFEjr1zCsicMWpAA', 'a.b.c']);

    const without = new MultiIssuerVerifier({ issuers: { [A]: new RecordingVerifier('a') } });
    await expect(without.verify('2YotnFZFEjr1zCsicMWpAA')).rejects.toMatchObject({ reason: 'malformed' });
    await expect(without.verify('')).rejects.toMatchObject({ reason: 'malformed' });
  });

  it('refuses bad options at construction, naming the field', () => {
    const a = new RecordingVerifier('a');
    expect(() => new MultiIssuerVerifier({ issuers: {} })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_OPTIONS', field: 'issuers' }),
    );
    expect(() => new MultiIssuerVerifier({ issuers: [{ issuer: '', verifier: a }] })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_OPTIONS', field: 'issuers[0].issuer' }),
    );
    expect(() => new MultiIssuerVerifier({ issuers: { [A]: {} as TokenVerifier } })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_OPTIONS', field: 'issuers[0].verifier' }),
    );
    expect(
      () =>
        new MultiIssuerVerifier({
          issuers: [
            { issuer: A, verifier: a },
            { issuer: A, verifier: a },
          ],
        }),
    ).toThrow(expect.objectContaining({ code: 'ERR_INVALID_OPTIONS', field: 'issuers[1]' }));
    expect(() => new MultiIssuerVerifier({ issuers: { [A]: a }, opaque: {} as TokenVerifier })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_OPTIONS', field: 'opaque' }),
    );
  });
});
