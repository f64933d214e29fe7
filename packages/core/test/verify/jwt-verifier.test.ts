import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createTestIssuer, type TestIssuer } from '@valet/testing';
import { exportJWK, exportSPKI, generateKeyPair, SignJWT, type CryptoKey, type JWTPayload } from 'jose';
import { InvalidTokenError } from '../../src/errors.js';
import { JwtVerifier } from '../../src/verify/jwt-verifier.js';
import type { JwtVerifierOptions } from '../../src/verify/jwt-verifier-options.js';

const AUDIENCE = 'https://mcp.example.com/mcp';

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
    await expect(verifier.verify(token)).rejects.toMatchObject({
      code: 'ERR_INVALID_TOKEN',
      reason: 'missing_claim',
    });
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
    await expect(strict.verify(await issuer.mint({ header: { typ: 'JWT' } }))).rejects.toMatchObject({
      code: 'ERR_INVALID_TOKEN',
      reason: 'wrong_type',
    });
    await expect(verifier.verify(await issuer.mint({ header: { typ: 'JWT' } }))).resolves.toBeDefined();
  });

  it('requires the RFC 9068 claims in strict mode', async () => {
    const strict = make({ strict: true });
    await expect(strict.verify(await issuer.mint({ claims: { jti: undefined } }))).rejects.toMatchObject({
      code: 'ERR_INVALID_TOKEN',
      reason: 'missing_claim',
      claim: 'jti',
    });
    await expect(verifier.verify(await issuer.mint({ claims: { jti: undefined } }))).resolves.toBeDefined();
  });

  it('refuses tokens without exp unless allowed', async () => {
    const token = await issuer.mint({ claims: { exp: undefined } });
    await expect(verifier.verify(token)).rejects.toMatchObject({
      code: 'ERR_INVALID_TOKEN',
      reason: 'missing_claim',
      claim: 'exp',
    });
    expect((await make({ allowMissingExp: true }).verify(token)).expiresAt).toBeUndefined();
  });

  it('checks maxTokenAge and requiredClaims', async () => {
    const now = Math.floor(Date.now() / 1000);
    const old = await issuer.mint({ claims: { iat: now - 3600 } });
    await expect(make({ maxTokenAge: 600 }).verify(old)).rejects.toMatchObject({
      code: 'ERR_INVALID_TOKEN',
      reason: 'too_old',
    });
    const required = make({ requiredClaims: ['tenant'] });
    await expect(required.verify(await issuer.mint())).rejects.toMatchObject({
      code: 'ERR_INVALID_TOKEN',
      reason: 'missing_claim',
      claim: 'tenant',
    });
    await expect(required.verify(await issuer.mint({ claims: { tenant: 't' } }))).resolves.toBeDefined();
  });

  it('tolerates clock skew within clockTolerance only', async () => {
    const now = Math.floor(Date.now() / 1000);
    const skewed = await issuer.mint({ claims: { nbf: now + 3, iat: now + 3 } });
    await expect(verifier.verify(skewed)).resolves.toBeDefined();
    await expect(make({ clockTolerance: 0 }).verify(skewed)).rejects.toMatchObject({
      code: 'ERR_INVALID_TOKEN',
      reason: 'not_yet_valid',
    });
  });

  it('runs validate last and keeps its reason', async () => {
    const strictTenant = make({
      validate: (claims: JWTPayload) => {
        if (claims['tid'] !== 't1') throw new InvalidTokenError('wrong_issuer', 'Unknown tenant.');
      },
    });
    await expect(strictTenant.verify(await issuer.mint({ claims: { tid: 't1' } }))).resolves.toBeDefined();
    await expect(strictTenant.verify(await issuer.mint())).rejects.toMatchObject({
      code: 'ERR_INVALID_TOKEN',
      reason: 'wrong_issuer',
    });
    const throwing = make({
      validate: () => {
        throw new RangeError('nope');
      },
    });
    await expect(throwing.verify(await issuer.mint())).rejects.toMatchObject({
      code: 'ERR_INVALID_TOKEN',
      reason: 'invalid_claim',
      cause: expect.any(RangeError),
    });
  });

  it('keeps the jose error as cause, with its code', async () => {
    await expect(verifier.verify(await issuer.expired())).rejects.toMatchObject({
      code: 'ERR_INVALID_TOKEN',
      reason: 'expired',
      claim: 'exp',
      cause: { code: 'ERR_JWT_EXPIRED' },
      status: 401,
      challenge: { error: 'invalid_token' },
    });
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
    await expect(verifier.verify(await sign(stranger.privateKey))).rejects.toMatchObject({
      code: 'ERR_INVALID_TOKEN',
      reason: 'bad_signature',
    });
    const withKids = new JwtVerifier({
      issuer: ISSUER,
      audience: AUDIENCE,
      keys: [
        { ...keys.keys[0]!, kid: 'a' },
        { ...keys.keys[1]!, kid: 'b' },
      ],
    });
    await expect(withKids.verify(await sign(b.privateKey, { kid: 'b' }))).resolves.toBeDefined();
    await expect(withKids.verify(await sign(b.privateKey, { kid: 'a' }))).rejects.toMatchObject({
      code: 'ERR_INVALID_TOKEN',
      reason: 'bad_signature',
    });
    await expect(withKids.verify(await sign(b.privateKey, { kid: 'c' }))).rejects.toMatchObject({
      code: 'ERR_INVALID_TOKEN',
      reason: 'unknown_key',
    });
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
      await expect(verifier.verify(await sign(attacker.privateKey, header))).rejects.toMatchObject({
        code: 'ERR_INVALID_TOKEN',
        reason: 'bad_signature',
      });
      await expect(verifier.verify(await sign(attacker.privateKey, { kid: 'k2' }))).rejects.toMatchObject({
        code: 'ERR_INVALID_TOKEN',
        reason: 'unknown_key',
      });
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
    await expect(verifier.verify(forged)).rejects.toMatchObject({
      code: 'ERR_INVALID_TOKEN',
      reason: 'bad_signature',
    });
  });
});
