import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { compactVerify, createLocalJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify } from 'jose';
import { createTestIssuer, type TestIssuer } from '../src/index.js';

async function getJson(url: string): Promise<{ status: number; body: unknown }> {
  const response = await fetch(url);
  return { status: response.status, body: await response.json() };
}

describe('createTestIssuer', () => {
  let issuer: TestIssuer;

  beforeAll(async () => {
    issuer = await createTestIssuer({ path: '/realms/demo', audience: 'http://127.0.0.1:9/mcp' });
  });
  afterAll(() => issuer.close());

  it('listens on 127.0.0.1 and names itself with its path', () => {
    expect(issuer.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/realms\/demo$/);
    expect(issuer.jwksUri).toBe(`${issuer.url}/jwks`);
  });

  it('serves RFC 8414 metadata at the path-aware well-known URL and OpenID metadata appended', async () => {
    const origin = new URL(issuer.url).origin;
    const oauth = await getJson(`${origin}/.well-known/oauth-authorization-server/realms/demo`);
    const openid = await getJson(`${issuer.url}/.well-known/openid-configuration`);
    for (const document of [oauth, openid]) {
      expect(document.status).toBe(200);
      expect(document.body).toMatchObject({ issuer: issuer.url, jwks_uri: issuer.jwksUri });
    }
    expect((await fetch(`${origin}/.well-known/openid-configuration`)).status).toBe(404);
  });

  it('mints RFC 9068 access tokens that verify against the served JWKS', async () => {
    const token = await issuer.mint({
      scopes: ['files:read', 'files:write'],
      subject: 'alice',
      clientId: 'cli',
    });
    const { body } = await getJson(issuer.jwksUri);
    const { payload, protectedHeader } = await jwtVerify(token, createLocalJWKSet(body as never), {
      issuer: issuer.url,
      audience: 'http://127.0.0.1:9/mcp',
      typ: 'at+jwt',
    });
    expect(protectedHeader).toMatchObject({ alg: 'RS256', kid: issuer.kid, typ: 'at+jwt' });
    expect(payload).toMatchObject({ sub: 'alice', client_id: 'cli', scope: 'files:read files:write' });
    expect(typeof payload.jti).toBe('string');
    expect(payload.exp! - payload.iat!).toBe(300);
  });

  it('overrides and removes claims and header parameters', async () => {
    const token = await issuer.mint({ claims: { iss: undefined, tenant: 't1' }, header: { typ: undefined } });
    expect(decodeJwt(token)).not.toHaveProperty('iss');
    expect(decodeJwt(token)).toHaveProperty('tenant', 't1');
    expect(decodeProtectedHeader(token)).not.toHaveProperty('typ');
  });

  it('mints deliberately broken tokens', async () => {
    const now = Date.now() / 1000;
    expect(decodeJwt(await issuer.expired()).exp).toBeLessThan(now);
    expect(decodeJwt(await issuer.notYetValid()).nbf).toBeGreaterThan(now);
    expect(decodeJwt(await issuer.wrongAudience()).aud).toBe('https://wrong.example.test/mcp');
    expect(decodeJwt(await issuer.wrongIssuer()).iss).toBe('https://wrong-issuer.example.test');
    const foreign = decodeProtectedHeader(await issuer.foreignKey());
    expect(issuer.jwks().keys.map((key) => key.kid)).not.toContain(foreign.kid);
  });

  it('signs with other algorithms on demand and publishes their keys', async () => {
    for (const alg of ['ES256', 'EdDSA'] as const) {
      const token = await issuer.mint({ alg });
      const header = decodeProtectedHeader(token);
      expect(header.alg).toBe(alg);
      await expect(jwtVerify(token, createLocalJWKSet(issuer.jwks()))).resolves.toBeDefined();
    }
  });

  it('rotates keys, keeping or dropping the old ones', async () => {
    const before = issuer.kid;
    const oldToken = await issuer.mint();
    const kid = await issuer.rotateKeys();
    expect(kid).not.toBe(before);
    expect(decodeProtectedHeader(await issuer.mint()).kid).toBe(kid);
    await expect(jwtVerify(oldToken, createLocalJWKSet(issuer.jwks()))).resolves.toBeDefined();
    await issuer.rotateKeys({ keepOld: false });
    expect(issuer.jwks().keys.map((key) => key.kid)).not.toContain(before);
  });

  it('counts requests and fails the JWKS endpoint on demand', async () => {
    issuer.resetRequests();
    await fetch(issuer.jwksUri);
    issuer.stopJwks();
    expect((await fetch(issuer.jwksUri)).status).toBe(503);
    issuer.startJwks();
    expect((await fetch(issuer.jwksUri)).status).toBe(200);
    expect(issuer.requests).toEqual({ jwks: 3, oauthMetadata: 0, openidConfiguration: 0 });
  });

  it('can leave JWKS requests hanging, to test timeouts', async () => {
    issuer.stopJwks('hang');
    try {
      await expect(fetch(issuer.jwksUri, { signal: AbortSignal.timeout(100) })).rejects.toMatchObject({
        name: 'TimeoutError',
      });
    } finally {
      issuer.startJwks();
    }
  });

  it('fails the metadata endpoints on demand', async () => {
    issuer.stopMetadata();
    expect((await fetch(`${issuer.url}/.well-known/openid-configuration`)).status).toBe(503);
    issuer.startMetadata();
    expect((await fetch(`${issuer.url}/.well-known/openid-configuration`)).status).toBe(200);
  });

  it('signs raw payloads for parser tests', async () => {
    const token = await issuer.signRaw('[1,2,3]');
    const { payload } = await compactVerify(token, createLocalJWKSet(issuer.jwks()));
    expect(new TextDecoder().decode(payload)).toBe('[1,2,3]');
  });
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const sleepUntil = (time: number) => sleep(Math.max(0, time - Date.now()));

/** The status of a GET, and how long it took in milliseconds. */
async function timedStatus(url: string): Promise<{ status: number; ms: number }> {
  const started = Date.now();
  const response = await fetch(url);
  await response.body?.cancel();
  return { status: response.status, ms: Date.now() - started };
}

describe('createTestIssuer slow and flapping endpoints', () => {
  let issuer: TestIssuer;

  beforeAll(async () => {
    issuer = await createTestIssuer({ algorithm: 'ES256' });
  });
  afterAll(() => issuer.close());

  it('answers the JWKS correctly after the delay, with the keys published when it answers', async () => {
    issuer.slowJwks(150);
    try {
      const started = Date.now();
      const pending = fetch(issuer.jwksUri);
      while (issuer.requests.jwks === 0) await sleep(5);
      const kid = await issuer.rotateKeys();
      const response = await pending;
      expect(Date.now() - started).toBeGreaterThanOrEqual(140);
      expect(response.status).toBe(200);
      const body = (await response.json()) as { keys: { kid: string }[] };
      expect(body.keys.map((key) => key.kid)).toContain(kid);
    } finally {
      issuer.startJwks();
    }
    expect((await timedStatus(issuer.jwksUri)).ms).toBeLessThan(100);
  });

  it('answers the metadata after the delay', async () => {
    issuer.slowMetadata(150);
    try {
      const answer = await timedStatus(`${issuer.url}/.well-known/openid-configuration`);
      expect(answer.status).toBe(200);
      expect(answer.ms).toBeGreaterThanOrEqual(140);
    } finally {
      issuer.startMetadata();
    }
  });

  it('flaps the JWKS: failing first, then serving, by the clock', async () => {
    const since = Date.now();
    issuer.flapJwks(300);
    try {
      // Each check aims at the middle of a period, leaving 150 ms for a busy machine.
      expect((await timedStatus(issuer.jwksUri)).status).toBe(503);
      await sleepUntil(since + 450);
      expect((await timedStatus(issuer.jwksUri)).status).toBe(200);
      await sleepUntil(since + 750);
      expect((await timedStatus(issuer.jwksUri)).status).toBe(503);
    } finally {
      issuer.startJwks();
    }
    expect((await timedStatus(issuer.jwksUri)).status).toBe(200);
  });

  it('flaps the metadata, hanging while down when told to', async () => {
    const since = Date.now();
    issuer.flapMetadata(300, 'hang');
    try {
      const url = `${issuer.url}/.well-known/openid-configuration`;
      await expect(fetch(url, { signal: AbortSignal.timeout(50) })).rejects.toMatchObject({
        name: 'TimeoutError',
      });
      await sleepUntil(since + 450);
      expect((await timedStatus(url)).status).toBe(200);
    } finally {
      issuer.startMetadata();
    }
  });

  it('refuses delays and periods that are not whole milliseconds', () => {
    expect(() => issuer.slowJwks(-1)).toThrow('slowJwks: delayMs must be a whole number of milliseconds');
    expect(() => issuer.flapMetadata(0)).toThrow('flapMetadata: periodMs must be');
    expect(() => issuer.slowMetadata(Number.NaN)).toThrow(TypeError);
  });

  it('closes with a slow answer still pending', async () => {
    const slow = await createTestIssuer({ algorithm: 'ES256' });
    slow.slowJwks(10_000);
    const pending = fetch(slow.jwksUri).then(
      () => 'answered',
      () => 'cut off',
    );
    while (slow.requests.jwks === 0) await sleep(5);
    await slow.close();
    expect(await pending).toBe('cut off');
  });
});

describe('createTestIssuer metadata switches', () => {
  it('advertises another issuer when told to (mix-up tests) and omits documents', async () => {
    const issuer = await createTestIssuer({ metadata: { issuer: 'https://evil.example', oauth: false } });
    try {
      expect((await getJson(`${issuer.url}/.well-known/openid-configuration`)).body).toMatchObject({
        issuer: 'https://evil.example',
      });
      expect((await fetch(`${issuer.url}/.well-known/oauth-authorization-server`)).status).toBe(404);
    } finally {
      await issuer.close();
    }
  });

  it('closes with a request still hanging', async () => {
    const issuer = await createTestIssuer({ algorithm: 'ES256' });
    issuer.stopJwks('hang');
    const pending = fetch(issuer.jwksUri).then(
      () => 'answered',
      () => 'cut off',
    );
    while (issuer.requests.jwks === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    await issuer.close();
    expect(await pending).toBe('cut off');
  });
});
