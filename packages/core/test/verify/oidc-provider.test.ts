import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startDevAuthorizationServer, type DevAuthorizationServer } from '@valet/testing';
import { oidc } from '../../src/idp/oidc.js';
import { IntrospectionVerifier } from '../../src/verify/introspection-verifier.js';
import { JwtVerifier } from '../../src/verify/jwt-verifier.js';
import { MultiIssuerVerifier } from '../../src/verify/multi-issuer-verifier.js';
import type { TokenVerifier } from '../../src/verify/token-verifier.js';

const OUR_MCP = 'http://127.0.0.1:4100/mcp';
const OTHER_MCP = 'http://127.0.0.1:4300/mcp';
const OPAQUE_API = 'http://127.0.0.1:4200/api';

/** A real authorization server (oidc-provider) issuing RFC 9068 tokens, against every verifier. */
describe('verifiers against oidc-provider', () => {
  let as: DevAuthorizationServer;
  const verifiers: [string, () => TokenVerifier][] = [
    ['oidc() by discovery', () => oidc({ issuer: as.issuer, audience: OUR_MCP }).verifier],
    [
      'JwtVerifier with jwksUri, strict',
      () => new JwtVerifier({ issuer: as.issuer, audience: OUR_MCP, jwksUri: as.jwksUri, strict: true }),
    ],
  ];

  beforeAll(async () => {
    as = await startDevAuthorizationServer({
      resources: [
        { url: OUR_MCP, scopes: ['files:read', 'files:write'] },
        { url: OTHER_MCP, scopes: ['files:read'] },
        { url: OPAQUE_API, scopes: ['api:read'], accessTokenFormat: 'opaque' },
      ],
    });
  });
  afterAll(() => as.close());

  describe.each(verifiers)('%s', (_name, make) => {
    it('accepts a client_credentials token for our resource', async () => {
      const token = await as.clientCredentialsToken({ resource: OUR_MCP, scope: 'files:read files:write' });
      const principal = await make().verify(token);
      expect(principal).toMatchObject({ issuer: as.issuer, clientId: 'dev-client', audience: [OUR_MCP] });
      expect([...principal.scopes]).toEqual(['files:read', 'files:write']);
    });

    it('accepts an authorization code + PKCE token for our resource, with the user as subject', async () => {
      const token = await as.authorizationCodeToken({ resource: OUR_MCP, scope: 'files:read' });
      await expect(make().verify(token)).resolves.toMatchObject({
        subject: 'dev-user',
        clientId: 'dev-client',
      });
    });

    it('Security: refuses a token the same server issued for another resource (wrong_audience)', async () => {
      const token = await as.clientCredentialsToken({ resource: OTHER_MCP, scope: 'files:read' });
      await expect(make().verify(token)).rejects.toMatchObject({
        code: 'ERR_INVALID_TOKEN',
        reason: 'wrong_audience',
      });
    });
  });

  describe('IntrospectionVerifier against the real introspection endpoint', () => {
    const introspection = () =>
      new IntrospectionVerifier({
        endpoint: as.introspectionEndpoint,
        clientAuth: { clientId: as.defaultClient.clientId, clientSecret: as.defaultClient.clientSecret },
        audience: OPAQUE_API,
        issuer: as.issuer,
        cache: false,
      });

    it('accepts an opaque token for the resource', async () => {
      const token = await as.clientCredentialsToken({ resource: OPAQUE_API, scope: 'api:read' });
      const principal = await introspection().verify(token);
      expect(principal).toMatchObject({ issuer: as.issuer, clientId: 'dev-client', audience: [OPAQUE_API] });
      expect([...principal.scopes]).toEqual(['api:read']);
    });

    it('sees a revoked token as inactive', async () => {
      const token = await as.clientCredentialsToken({ resource: OPAQUE_API, scope: 'api:read' });
      await introspection().verify(token);
      const revoke = await fetch(as.revocationEndpoint, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          authorization: `Basic ${Buffer.from('dev-client:dev-secret').toString('base64')}`,
        },
        body: new URLSearchParams({ token }),
      });
      expect(revoke.status).toBe(200);
      await expect(introspection().verify(token)).rejects.toMatchObject({
        code: 'ERR_INVALID_TOKEN',
        reason: 'inactive',
      });
    });

    it('fails closed with wrong client credentials', async () => {
      const token = await as.clientCredentialsToken({ resource: OPAQUE_API, scope: 'api:read' });
      const wrong = new IntrospectionVerifier({
        endpoint: as.introspectionEndpoint,
        clientAuth: { clientId: 'dev-client', clientSecret: 'nope' },
        audience: OPAQUE_API,
      });
      await expect(wrong.verify(token)).rejects.toMatchObject({
        code: 'ERR_AUTHORIZATION_SERVER_UNAVAILABLE',
        reason: 'introspection_failed',
      });
    });
  });

  it('MultiIssuerVerifier sends JWTs to the JWT verifier and opaque tokens to introspection', async () => {
    const router = new MultiIssuerVerifier({
      issuers: [oidc({ issuer: as.issuer, audience: [OUR_MCP, OPAQUE_API] })],
      opaque: new IntrospectionVerifier({
        endpoint: as.introspectionEndpoint,
        clientAuth: { clientId: 'dev-client', clientSecret: 'dev-secret' },
        audience: OPAQUE_API,
      }),
    });
    const jwt = await as.clientCredentialsToken({ resource: OUR_MCP, scope: 'files:read' });
    const opaque = await as.clientCredentialsToken({ resource: OPAQUE_API, scope: 'api:read' });
    await expect(router.verify(jwt)).resolves.toMatchObject({ audience: [OUR_MCP] });
    await expect(router.verify(opaque)).resolves.toMatchObject({ audience: [OPAQUE_API] });
  });
});
