import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createTestIssuer, type TestIssuer } from '@valet/testing';
import { exportJWK, exportSPKI, generateKeyPair, SignJWT, type CryptoKey, type JWTPayload } from 'jose';
import { InvalidTokenError } from '../../src/errors.js';
import { JwtVerifier } from '../../src/verify/jwt-verifier.js';
import type { JwtVerifierOptions } from '../../src/verify/jwt-verifier-options.js';

const AUDIENCE = 'https://mcp.example.com/mcp';

async function refusal(promise: Promise<unknown>): Promise<InvalidTokenError> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(InvalidTokenError);
    return err as InvalidTokenError;
  }
  throw new Error('the token was accepted');
}

describe('JwtVerifier with a JWKS', () => {
  let issuer: TestIssuer;
  let verifier: JwtVerifier;
  const make = (options: Partial<JwtVerifierOptions> = {}): JwtVerifier =>
    new JwtVerifier({ issuer: issuer.url, audience: AUDIENCE, jwksUri: issuer.jwksUri, ...options });

  beforeAll(async () => {
    issuer = await createTestIssuer({ audience: AUDIENCE, algorithms: ['ES256', 'EdDSA', 'PS256'] });
    verifier = make();
  });
  afterAll(() => issuer.close());

  it('returns the principal of a valid token', async () => {
    const token = await issuer.mint({
      scopes: ['files:read', 'files:write'],
      subject: 'alice',
      clientId: 'cli',
    });
    const principal = await verifier.verify(token);
    expect(principal).toMatchObject({
      subject: 'alice',
      clientId: 'cli',
      issuer: issuer.url,
      audience: [AUDIENCE],
    });
    expect([...principal.scopes]).toEqual(['files:read', 'files:write']);
    expect(principal.expiresAt).toBe(principal.claims['exp']);
    expect(principal.token).toBe(token);
    expect(Object.isFrozen(principal.claims)).toBe(true);
    expect(Object.isFrozen(principal)).toBe(true);
    expect(Object.isFrozen(principal.audience)).toBe(true);
    expect(JSON.stringify(principal)).not.toContain(token);
  });

  it.each(['RS256', 'ES256', 'EdDSA', 'PS256'] as const)('verifies %s by default', async (alg) => {
    await expect(verifier.verify(await issuer.mint({ alg }))).resolves.toBeDefined();
  });

  it('takes the client id from client_id, then azp, appid, cid', async () => {
    const withAzp = await issuer.mint({ claims: { client_id: undefined, azp: 'azp-client' } });
    expect((await verifier.verify(withAzp)).clientId).toBe('azp-client');
    const withAppid = await issuer.mint({ claims: { client_id: undefined, appid: 'entra-app' } });
    expect((await verifier.verify(withAppid)).clientId).toBe('entra-app');
    const custom = make({ clientIdClaim: 'client' });
    expect((await custom.verify(await issuer.mint({ claims: { client: 'c1' } }))).clientId).toBe('c1');
  });

  it('accepts an audience array containing this resource, spelled the MCP way', async () => {
    const token = await issuer.mint({ audience: ['https://other.example', 'HTTPS://MCP.example.com/mcp/'] });
    expect((await verifier.verify(token)).audience).toEqual([
      'https://other.example',
      'HTTPS://MCP.example.com/mcp/',
    ]);
  });

  it('accepts any of several issuers and audiences', async () => {
    const several = make({
      issuer: ['https://a.example', issuer.url],
      audience: ['https://x.example', AUDIENCE],
    });
    await expect(several.verify(await issuer.mint())).resolves.toBeDefined();
  });

  it('skips the audience check only when told to', async () => {
    const token = await issuer.mint({ claims: { aud: undefined } });
    expect((await refusal(verifier.verify(token))).reason).toBe('missing_claim');
    await expect(make({ audience: false }).verify(token)).resolves.toBeDefined();
  });

  it('maps scopes from the configured claims', async () => {
    const entra = make({ scopeClaim: ['scp', 'roles'] });
    const token = await issuer.mint({ claims: { scp: 'Files.Read', roles: ['Files.Admin'] } });
    expect([...(await entra.verify(token)).scopes]).toEqual(['Files.Read', 'Files.Admin']);
  });

  it('enforces typ at+jwt in strict mode, accepting application/at+jwt and any case', async () => {
    const strict = make({ strict: true });
    await expect(strict.verify(await issuer.mint())).resolves.toBeDefined();
    await expect(
      strict.verify(await issuer.mint({ header: { typ: 'application/at+jwt' } })),
    ).resolves.toBeDefined();
    await expect(strict.verify(await issuer.mint({ header: { typ: 'AT+JWT' } }))).resolves.toBeDefined();
    expect((await refusal(strict.verify(await issuer.mint({ header: { typ: 'JWT' } })))).reason).toBe(
      'wrong_type',
    );
    await expect(verifier.verify(await issuer.mint({ header: { typ: 'JWT' } }))).resolves.toBeDefined();
  });

  it('requires the RFC 9068 claims in strict mode', async () => {
    const strict = make({ strict: true });
    const error = await refusal(strict.verify(await issuer.mint({ claims: { jti: undefined } })));
    expect(error).toMatchObject({ reason: 'missing_claim', claim: 'jti' });
    await expect(verifier.verify(await issuer.mint({ claims: { jti: undefined } }))).resolves.toBeDefined();
  });

  it('refuses tokens without exp unless allowed', async () => {
    const token = await issuer.mint({ claims: { exp: undefined } });
    expect(await refusal(verifier.verify(token))).toMatchObject({ reason: 'missing_claim', claim: 'exp' });
    expect((await make({ allowMissingExp: true }).verify(token)).expiresAt).toBeUndefined();
  });

  it('checks maxTokenAge and requiredClaims', async () => {
    const now = Math.floor(Date.now() / 1000);
    const old = await issuer.mint({ claims: { iat: now - 3600 } });
    expect((await refusal(make({ maxTokenAge: 600 }).verify(old))).reason).toBe('too_old');
    const required = make({ requiredClaims: ['tenant'] });
    expect(await refusal(required.verify(await issuer.mint()))).toMatchObject({
      reason: 'missing_claim',
      claim: 'tenant',
    });
    await expect(required.verify(await issuer.mint({ claims: { tenant: 't' } }))).resolves.toBeDefined();
  });

  it('tolerates clock skew within clockTolerance only', async () => {
    const now = Math.floor(Date.now() / 1000);
    const skewed = await issuer.mint({ claims: { nbf: now + 3, iat: now + 3 } });
    await expect(verifier.verify(skewed)).resolves.toBeDefined();
    expect((await refusal(make({ clockTolerance: 0 }).verify(skewed))).reason).toBe('not_yet_valid');
  });

  it('runs validate last and keeps its reason', async () => {
    const strictTenant = make({
      validate: (claims: JWTPayload) => {
        if (claims['tid'] !== 't1') throw new InvalidTokenError('wrong_issuer', 'Unknown tenant.');
      },
    });
    await expect(strictTenant.verify(await issuer.mint({ claims: { tid: 't1' } }))).resolves.toBeDefined();
    expect((await refusal(strictTenant.verify(await issuer.mint()))).reason).toBe('wrong_issuer');
    const throwing = make({
      validate: () => {
        throw new RangeError('nope');
      },
    });
    const error = await refusal(throwing.verify(await issuer.mint()));
    expect(error.reason).toBe('invalid_claim');
    expect(error.cause).toBeInstanceOf(RangeError);
  });

  it('keeps the jose error as cause, with its code', async () => {
    const error = await refusal(verifier.verify(await issuer.expired()));
    expect(error.reason).toBe('expired');
    expect(error.claim).toBe('exp');
    expect((error.cause as { code?: string }).code).toBe('ERR_JWT_EXPIRED');
    expect(error.status).toBe(401);
    expect(error.challenge).toMatchObject({ error: 'invalid_token' });
  });
});

describe('JwtVerifier with static keys', () => {
  const ISSUER = 'https://auth.example.com';
  const sign = (key: CryptoKey, header: Record<string, unknown> = {}) =>
    new SignJWT({ aud: AUDIENCE })
      .setProtectedHeader({ alg: 'ES256', ...header })
      .setIssuer(ISSUER)
      .setExpirationTime('5m')
      .sign(key);

  it('uses a PEM key for tokens with any kid', async () => {
    const { publicKey, privateKey } = await generateKeyPair('ES256', { extractable: true });
    const verifier = new JwtVerifier({
      issuer: ISSUER,
      audience: AUDIENCE,
      keys: [await exportSPKI(publicKey)],
    });
    await expect(verifier.verify(await sign(privateKey, { kid: 'anything' }))).resolves.toBeDefined();
    await expect(verifier.verify(await sign(privateKey))).resolves.toBeDefined();
  });

  it('selects by kid in a JWKS and tries every kid-less candidate', async () => {
    const a = await generateKeyPair('ES256', { extractable: true });
    const b = await generateKeyPair('ES256', { extractable: true });
    const stranger = await generateKeyPair('ES256');
    const keys = { keys: [await exportJWK(a.publicKey), await exportJWK(b.publicKey)] };
    const verifier = new JwtVerifier({ issuer: ISSUER, audience: AUDIENCE, keys });
    await expect(verifier.verify(await sign(a.privateKey))).resolves.toBeDefined();
    await expect(verifier.verify(await sign(b.privateKey))).resolves.toBeDefined();
    expect((await refusal(verifier.verify(await sign(stranger.privateKey)))).reason).toBe('bad_signature');
    const withKids = new JwtVerifier({
      issuer: ISSUER,
      audience: AUDIENCE,
      keys: [
        { ...keys.keys[0]!, kid: 'a' },
        { ...keys.keys[1]!, kid: 'b' },
      ],
    });
    await expect(withKids.verify(await sign(b.privateKey, { kid: 'b' }))).resolves.toBeDefined();
    expect((await refusal(withKids.verify(await sign(b.privateKey, { kid: 'a' })))).reason).toBe(
      'bad_signature',
    );
    expect((await refusal(withKids.verify(await sign(b.privateKey, { kid: 'c' })))).reason).toBe(
      'unknown_key',
    );
  });

  describe('Security: a key remembered for a verified header serves that exact header only', () => {
    it('refuses a token that copies a verified header but is signed by another key', async () => {
      const trusted = await generateKeyPair('ES256', { extractable: true });
      const attacker = await generateKeyPair('ES256');
      const verifier = new JwtVerifier({
        issuer: ISSUER,
        audience: AUDIENCE,
        keys: { keys: [{ ...(await exportJWK(trusted.publicKey)), kid: 'k1' }] },
      });
      const header = { kid: 'k1', typ: 'at+jwt' };
      // The first verification remembers the key for this header; the second is served with it.
      for (let i = 0; i < 2; i++) {
        await expect(verifier.verify(await sign(trusted.privateKey, header))).resolves.toBeDefined();
      }
      expect((await refusal(verifier.verify(await sign(attacker.privateKey, header)))).reason).toBe(
        'bad_signature',
      );
      expect((await refusal(verifier.verify(await sign(attacker.privateKey, { kid: 'k2' })))).reason).toBe(
        'unknown_key',
      );
      await expect(verifier.verify(await sign(trusted.privateKey, header))).resolves.toBeDefined();
    });

    it('never pins one of several kid-less keys to a header they share', async () => {
      const a = await generateKeyPair('ES256', { extractable: true });
      const b = await generateKeyPair('ES256', { extractable: true });
      const verifier = new JwtVerifier({
        issuer: ISSUER,
        audience: AUDIENCE,
        keys: [await exportSPKI(a.publicKey), await exportSPKI(b.publicKey)],
      });
      for (const key of [a, b, a, b]) {
        await expect(verifier.verify(await sign(key.privateKey, { kid: 'shared' }))).resolves.toBeDefined();
      }
    });
  });

  it('verifies HS256 with a shared secret', async () => {
    const secret = new TextEncoder().encode('0123456789abcdef0123456789abcdef');
    const verifier = new JwtVerifier({ issuer: ISSUER, audience: AUDIENCE, secret });
    const token = await new SignJWT({ aud: AUDIENCE, scope: 'a' })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer(ISSUER)
      .setExpirationTime('5m')
      .sign(secret);
    expect([...(await verifier.verify(token)).scopes]).toEqual(['a']);
    const forged = await new SignJWT({ aud: AUDIENCE })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer(ISSUER)
      .setExpirationTime('5m')
      .sign(new TextEncoder().encode('another-secret-of-thirty-two-byt'));
    expect((await refusal(verifier.verify(forged))).reason).toBe('bad_signature');
  });
});
