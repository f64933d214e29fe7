import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { createTestIssuer, type TestIssuer } from '@valet/testing';
import { jwtVerify } from 'jose';
import { InvalidTokenError } from '../../src/errors.js';
import { createJwksResolver } from '../../src/verify/jwks.js';
import { JwtVerifier } from '../../src/verify/jwt-verifier.js';
import type { JwksOptions } from '../../src/verify/jwks.js';
import { rejectionOf } from '../support/errors.js';

const AUDIENCE = 'https://mcp.example.com/mcp';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let issuer: TestIssuer;
const verifierFor = (jwks: JwksOptions) =>
  new JwtVerifier({ issuer: issuer.url, audience: AUDIENCE, jwksUri: issuer.jwksUri, jwks });

beforeEach(async () => {
  issuer = await createTestIssuer({ audience: AUDIENCE, algorithm: 'ES256' });
});
afterEach(() => issuer.close());

describe('JWKS caching', () => {
  it('fetches the key set once for many verifications', async () => {
    const verifier = verifierFor({ cooldownMs: 0 });
    for (let i = 0; i < 5; i++) await verifier.verify(await issuer.mint());
    expect(issuer.requests.jwks).toBe(1);
  });

  it('shares one fetch between concurrent verifications on a cold cache', async () => {
    const verifier = verifierFor({});
    const tokens = await Promise.all(Array.from({ length: 10 }, () => issuer.mint()));
    await Promise.all(tokens.map((token) => verifier.verify(token)));
    expect(issuer.requests.jwks).toBe(1);
  });

  it('refreshes a stale set in the background without holding up known keys', async () => {
    const verifier = verifierFor({ cacheMaxAgeMs: 20, cooldownMs: 60_000, timeoutMs: 10_000 });
    const token = await issuer.mint();
    await verifier.verify(token);
    await sleep(30);
    issuer.stopJwks('hang');
    await expect(verifier.verify(token)).resolves.toBeDefined();
    while (issuer.requests.jwks < 2) await sleep(5);
    issuer.startJwks();
  });
});

describe('Attack: made-up key ids to make the server hammer the authorization server', () => {
  it('refetches for an unknown kid at most once per cooldown', async () => {
    const forged = await Promise.all(Array.from({ length: 5 }, () => issuer.foreignKey()));
    const verifier = verifierFor({ cooldownMs: 400 });
    await verifier.verify(await issuer.mint());
    for (const token of forged)
      await expect(verifier.verify(token)).rejects.toMatchObject({
        code: 'ERR_INVALID_TOKEN',
        reason: 'unknown_key',
      });
    expect(issuer.requests.jwks).toBe(1);
    await sleep(450);
    for (const token of forged)
      await expect(verifier.verify(token)).rejects.toMatchObject({
        code: 'ERR_INVALID_TOKEN',
        reason: 'unknown_key',
      });
    expect(issuer.requests.jwks).toBe(2);
  });

  it('shares one refetch between concurrent misses', async () => {
    const verifier = verifierFor({ cooldownMs: 0 });
    await verifier.verify(await issuer.mint());
    const forged = await Promise.all(Array.from({ length: 10 }, () => issuer.foreignKey()));
    await Promise.all(
      forged.map((token) =>
        expect(verifier.verify(token)).rejects.toMatchObject({
          code: 'ERR_INVALID_TOKEN',
          reason: 'unknown_key',
        }),
      ),
    );
    expect(issuer.requests.jwks).toBe(2);
  });
});

describe('Key rotation', () => {
  it('picks up a new kid, and keeps verifying the retired key while it is published', async () => {
    const verifier = verifierFor({ cooldownMs: 0 });
    const before = await issuer.mint();
    await verifier.verify(before);
    await issuer.rotateKeys();
    await expect(verifier.verify(await issuer.mint())).resolves.toBeDefined();
    await expect(verifier.verify(before)).resolves.toBeDefined();
    expect(issuer.requests.jwks).toBe(2);
  });

  it('stops accepting a key once it is no longer published', async () => {
    const verifier = verifierFor({ cooldownMs: 0 });
    const before = await issuer.mint();
    await verifier.verify(before);
    await issuer.rotateKeys({ keepOld: false });
    await expect(verifier.verify(await issuer.mint())).resolves.toBeDefined();
    await expect(verifier.verify(before)).rejects.toMatchObject({
      code: 'ERR_INVALID_TOKEN',
      reason: 'unknown_key',
    });
  });
});

describe('Outage: the JWKS endpoint is down or slow', () => {
  it('keeps verifying known keys and fails closed for unknown ones', async () => {
    const verifier = verifierFor({ cooldownMs: 0 });
    const token = await issuer.mint();
    await verifier.verify(token);
    issuer.stopJwks();
    await expect(verifier.verify(token)).resolves.toBeDefined();
    await expect(verifier.verify(await issuer.foreignKey())).rejects.toMatchObject({
      code: 'ERR_INVALID_TOKEN',
      reason: 'keys_unavailable',
    });
    await expect(verifier.verify(token)).resolves.toBeDefined();
  });

  it('fails closed with keys_unavailable on a timeout, keeping the cause', async () => {
    issuer.stopJwks('hang');
    const verifier = verifierFor({ timeoutMs: 100 });
    await expect(verifier.verify(await issuer.mint())).rejects.toMatchObject({
      reason: 'keys_unavailable',
      cause: { code: 'ERR_JWKS_TIMEOUT' },
    });
  });

  it('sends no request during the cooldown after a failure, then recovers', async () => {
    issuer.stopJwks();
    const verifier = verifierFor({ cooldownMs: 200 });
    const token = await issuer.mint();
    await expect(verifier.verify(token)).rejects.toMatchObject({
      code: 'ERR_INVALID_TOKEN',
      reason: 'keys_unavailable',
    });
    issuer.startJwks();
    await expect(verifier.verify(token)).rejects.toMatchObject({
      code: 'ERR_INVALID_TOKEN',
      reason: 'keys_unavailable',
    });
    expect(issuer.requests.jwks).toBe(1);
    await sleep(250);
    await expect(verifier.verify(token)).resolves.toBeDefined();
    expect(issuer.requests.jwks).toBe(2);
  });

  it('serves known keys from the cache during the cooldown after a failed refresh', async () => {
    const verifier = verifierFor({ cooldownMs: 60_000, cacheMaxAgeMs: 20 });
    const token = await issuer.mint();
    await verifier.verify(token);
    issuer.stopJwks();
    await sleep(30);
    await verifier.verify(token);
    const forged = await issuer.foreignKey();
    // Until the failed refresh lands, jose's own cooldown answers unknown_key; after it, the cache does.
    let { reason } = await rejectionOf(verifier.verify(forged), InvalidTokenError);
    for (let i = 0; i < 100 && reason !== 'keys_unavailable'; i++) {
      await sleep(10);
      ({ reason } = await rejectionOf(verifier.verify(forged), InvalidTokenError));
    }
    expect(reason).toBe('keys_unavailable');
    await expect(verifier.verify(token)).resolves.toBeDefined();
    expect(issuer.requests.jwks).toBe(2);
  });
});

describe('createJwksResolver', () => {
  it('is a jose key resolver that names its URL', async () => {
    const resolver = createJwksResolver(issuer.jwksUri);
    expect(resolver.url.href).toBe(issuer.jwksUri);
    await expect(jwtVerify(await issuer.mint(), resolver)).resolves.toBeDefined();
  });
});
