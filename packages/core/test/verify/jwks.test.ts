import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { createTestIssuer, type TestIssuer } from '@valet/testing';
import { jwtVerify } from 'jose';
import { AuthorizationServerUnavailableError } from '../../src/errors.js';
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

const UNAVAILABLE = { code: 'ERR_AUTHORIZATION_SERVER_UNAVAILABLE', status: 503, reason: 'keys_unavailable' };

describe('Outage: the JWKS endpoint is down or slow', () => {
  it('keeps verifying known keys and answers 503 for unknown ones', async () => {
    const verifier = verifierFor({ cooldownMs: 0 });
    const token = await issuer.mint();
    await verifier.verify(token);
    issuer.stopJwks();
    await expect(verifier.verify(token)).resolves.toBeDefined();
    await expect(verifier.verify(await issuer.foreignKey())).rejects.toMatchObject(UNAVAILABLE);
    await expect(verifier.verify(token)).resolves.toBeDefined();
  });

  it('answers 503 when a fetch times out, keeping the cause', async () => {
    issuer.stopJwks('hang');
    const verifier = verifierFor({ timeoutMs: 100 });
    const error = await rejectionOf(
      verifier.verify(await issuer.mint()),
      AuthorizationServerUnavailableError,
    );
    expect(error).toMatchObject({ ...UNAVAILABLE, cause: { name: 'TimeoutError' } });
    expect(error.retryAfter).toBeGreaterThanOrEqual(1);
  });

  it('holds a request no longer than the deadline while a fetch hangs, and shares that fetch', async () => {
    issuer.stopJwks('hang');
    const verifier = verifierFor({ timeoutMs: 10_000, deadlineMs: 200 });
    const token = await issuer.mint();
    const started = Date.now();
    await Promise.all(
      Array.from({ length: 5 }, () => expect(verifier.verify(token)).rejects.toMatchObject(UNAVAILABLE)),
    );
    expect(Date.now() - started).toBeLessThan(1500);
    expect(issuer.requests.jwks).toBe(1);
    issuer.startJwks();
  });

  it('backs off after a failure, then recovers without a lock-out', async () => {
    issuer.stopJwks();
    const verifier = verifierFor({ cooldownMs: 300 });
    const token = await issuer.mint();
    await expect(verifier.verify(token)).rejects.toMatchObject(UNAVAILABLE);
    issuer.startJwks();
    // During the backoff the answer comes at once, without a request.
    await expect(verifier.verify(token)).rejects.toMatchObject(UNAVAILABLE);
    expect(issuer.requests.jwks).toBe(1);
    await sleep(320);
    await expect(verifier.verify(token)).resolves.toBeDefined();
    expect(issuer.requests.jwks).toBe(2);
  });

  it('answers unknown kids 503 while a background refresh fails, and known ones from the cache', async () => {
    const verifier = verifierFor({ cooldownMs: 60_000, cacheMaxAgeMs: 20 });
    const token = await issuer.mint();
    await verifier.verify(token);
    issuer.stopJwks();
    await sleep(30);
    await verifier.verify(token);
    await expect(verifier.verify(await issuer.foreignKey())).rejects.toMatchObject(UNAVAILABLE);
    await expect(verifier.verify(token)).resolves.toBeDefined();
    expect(issuer.requests.jwks).toBe(2);
  });
});

describe('Refetching for a new kid', () => {
  it('fetches at once for an unknown kid once the cooldown since the last fetch has passed', async () => {
    const verifier = verifierFor({ cooldownMs: 100 });
    await verifier.verify(await issuer.mint());
    await issuer.rotateKeys();
    await sleep(120);
    await expect(verifier.verify(await issuer.mint())).resolves.toBeDefined();
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
