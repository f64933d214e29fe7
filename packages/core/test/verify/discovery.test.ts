import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createTestIssuer, type TestIssuer } from '@valet/testing';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { discoverAuthorizationServer, discoveryUrls } from '../../src/verify/discovery.js';
import { JwtVerifier } from '../../src/verify/jwt-verifier.js';

const AUDIENCE = 'https://mcp.example.com/mcp';

describe('discoveryUrls', () => {
  it('inserts the RFC 8414 well-known segment before the path, then appends the OpenID one', () => {
    expect(discoveryUrls('https://auth.example.com/realms/demo').map(String)).toEqual([
      'https://auth.example.com/.well-known/oauth-authorization-server/realms/demo',
      'https://auth.example.com/realms/demo/.well-known/openid-configuration',
    ]);
  });

  it('drops a trailing slash of the issuer', () => {
    expect(discoveryUrls('https://tenant.auth0.com/').map(String)).toEqual([
      'https://tenant.auth0.com/.well-known/oauth-authorization-server',
      'https://tenant.auth0.com/.well-known/openid-configuration',
    ]);
  });

  it('refuses issuers that cannot be discovered safely', () => {
    expect(() => discoveryUrls('http://auth.example.com')).toThrow(/https/);
    expect(() => discoveryUrls('https://auth.example.com?tenant=1')).toThrow(/query/);
  });
});

describe('discoverAuthorizationServer', () => {
  it('tries RFC 8414 first', async () => {
    const issuer = await createTestIssuer({ path: '/tenant' });
    try {
      const metadata = await discoverAuthorizationServer(issuer.url);
      expect(metadata).toMatchObject({ issuer: issuer.url, jwks_uri: issuer.jwksUri });
      expect(issuer.requests).toMatchObject({ oauthMetadata: 1, openidConfiguration: 0 });
    } finally {
      await issuer.close();
    }
  });

  it('falls back to OpenID discovery', async () => {
    const issuer = await createTestIssuer({ metadata: { oauth: false } });
    try {
      await expect(discoverAuthorizationServer(issuer.url)).resolves.toMatchObject({
        jwks_uri: issuer.jwksUri,
      });
      expect(issuer.requests).toMatchObject({ oauthMetadata: 1, openidConfiguration: 1 });
    } finally {
      await issuer.close();
    }
  });

  it('fetches a given metadata URL only', async () => {
    const issuer = await createTestIssuer();
    try {
      const url = `${issuer.url}/.well-known/openid-configuration`;
      await expect(discoverAuthorizationServer(issuer.url, { url })).resolves.toMatchObject({
        issuer: issuer.url,
      });
      expect(issuer.requests).toMatchObject({ oauthMetadata: 0, openidConfiguration: 1 });
    } finally {
      await issuer.close();
    }
  });
});

describe('Attack: authorization server mix-up through discovery', () => {
  it('refuses metadata that names another issuer, without trying further URLs', async () => {
    const issuer = await createTestIssuer({ metadata: { issuer: 'https://evil.example' } });
    try {
      await expect(discoverAuthorizationServer(issuer.url)).rejects.toMatchObject({
        code: 'ERR_AUTHORIZATION_SERVER_UNAVAILABLE',
        reason: 'discovery_failed',
        message: expect.stringMatching(/mix-up/),
      });
      expect(issuer.requests).toMatchObject({ oauthMetadata: 1, openidConfiguration: 0 });
    } finally {
      await issuer.close();
    }
  });

  describe('with a metadata document pointing keys elsewhere', () => {
    let server: Server;
    let origin: string;
    const documents: Record<string, string> = {};

    beforeAll(async () => {
      server = createServer((req, res) => {
        const body = documents[req.url ?? ''];
        res
          .writeHead(body === undefined ? 404 : 200, { 'content-type': 'application/json' })
          .end(body ?? '{}');
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

    it('refuses a plain-http jwks_uri on another host', async () => {
      const issuer = `${origin}/a`;
      documents['/.well-known/oauth-authorization-server/a'] = JSON.stringify({
        issuer,
        jwks_uri: 'http://attacker.example/jwks',
      });
      await expect(discoverAuthorizationServer(issuer)).rejects.toMatchObject({
        code: 'ERR_AUTHORIZATION_SERVER_UNAVAILABLE',
        reason: 'discovery_failed',
      });
    });

    it('refuses a document that is not a JSON object', async () => {
      const issuer = `${origin}/b`;
      documents['/.well-known/oauth-authorization-server/b'] = '["not", "an", "object"]';
      documents['/b/.well-known/openid-configuration'] = 'null';
      await expect(discoverAuthorizationServer(issuer)).rejects.toMatchObject({
        code: 'ERR_AUTHORIZATION_SERVER_UNAVAILABLE',
        reason: 'discovery_failed',
      });
    });
  });
});

describe('JwtVerifier by discovery', () => {
  let issuer: TestIssuer;

  beforeAll(async () => {
    issuer = await createTestIssuer({ audience: AUDIENCE, algorithm: 'ES256', path: '/realms/demo' });
  });
  afterAll(() => issuer.close());

  it('discovers lazily on the first verification and caches metadata and keys', async () => {
    issuer.resetRequests();
    const verifier = new JwtVerifier({ issuer: issuer.url, audience: AUDIENCE });
    expect(issuer.requests).toEqual({ jwks: 0, oauthMetadata: 0, openidConfiguration: 0 });
    const tokens = await Promise.all([issuer.mint(), issuer.mint(), issuer.mint()]);
    await Promise.all(tokens.map((token) => verifier.verify(token)));
    await verifier.verify(await issuer.mint());
    expect(issuer.requests).toEqual({ jwks: 1, oauthMetadata: 1, openidConfiguration: 0 });
  });

  it('answers 503 while metadata is down, and retries after the backoff', async () => {
    const verifier = new JwtVerifier({ issuer: issuer.url, audience: AUDIENCE, jwks: { cooldownMs: 0 } });
    const token = await issuer.mint();
    issuer.stopMetadata();
    await expect(verifier.verify(token)).rejects.toMatchObject({
      code: 'ERR_AUTHORIZATION_SERVER_UNAVAILABLE',
      reason: 'discovery_failed',
    });
    issuer.startMetadata();
    await expect(verifier.verify(token)).resolves.toBeDefined();
  });

  it('holds a request no longer than the deadline while metadata hangs', async () => {
    const verifier = new JwtVerifier({
      issuer: issuer.url,
      audience: AUDIENCE,
      jwks: { deadlineMs: 200, timeoutMs: 10_000 },
    });
    issuer.stopMetadata('hang');
    const started = Date.now();
    try {
      await expect(verifier.verify(await issuer.mint())).rejects.toMatchObject({
        status: 503,
        reason: 'discovery_failed',
      });
      expect(Date.now() - started).toBeLessThan(1500);
    } finally {
      issuer.startMetadata();
    }
  });

  it('does not retry during the backoff', async () => {
    const verifier = new JwtVerifier({
      issuer: issuer.url,
      audience: AUDIENCE,
      jwks: { cooldownMs: 60_000 },
    });
    issuer.stopMetadata();
    await expect(verifier.verify(await issuer.mint())).rejects.toMatchObject({
      code: 'ERR_AUTHORIZATION_SERVER_UNAVAILABLE',
      reason: 'discovery_failed',
    });
    issuer.startMetadata();
    issuer.resetRequests();
    await expect(verifier.verify(await issuer.mint())).rejects.toMatchObject({
      code: 'ERR_AUTHORIZATION_SERVER_UNAVAILABLE',
      reason: 'discovery_failed',
    });
    expect(issuer.requests.oauthMetadata + issuer.requests.openidConfiguration).toBe(0);
  });

  it('refuses tokens when the metadata names another issuer', async () => {
    const liar = await createTestIssuer({ metadata: { issuer: 'https://evil.example' }, audience: AUDIENCE });
    try {
      const verifier = new JwtVerifier({ issuer: liar.url, audience: AUDIENCE });
      await expect(verifier.verify(await liar.mint())).rejects.toMatchObject({
        code: 'ERR_AUTHORIZATION_SERVER_UNAVAILABLE',
        reason: 'discovery_failed',
      });
      expect(liar.requests.jwks).toBe(0);
    } finally {
      await liar.close();
    }
  });
});
