import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { JwtVerifier } from '@valet/core';
import { decodeJwt, generateKeyPair, SignJWT } from 'jose';
import { startDevAuthorizationServer, type DevAuthorizationServer } from '../src/dev-authorization-server.js';

const MCP = 'http://127.0.0.1:4100/mcp';
const API = 'http://127.0.0.1:4300/api';
const OPAQUE_API = 'http://127.0.0.1:4200/api';
const EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';
const ACCESS_TOKEN = 'urn:ietf:params:oauth:token-type:access_token';

/** The MCP server: the client that acts for the caller downstream. */
const MCP_SERVER = { clientId: 'mcp-server', clientSecret: 'mcp-secret', tokenExchange: true };

describe('the token exchange grant (RFC 8693) of the dev authorization server', () => {
  let as: DevAuthorizationServer;

  beforeAll(async () => {
    as = await startDevAuthorizationServer({
      resources: [
        { url: MCP, scopes: ['files:read', 'files:write'] },
        { url: API, scopes: ['api:read', 'api:write', 'api:admin'], exchangeRequiresConsent: ['api:admin'] },
        { url: OPAQUE_API, scopes: ['opaque:read'], accessTokenFormat: 'opaque' },
      ],
      clients: [
        MCP_SERVER,
        { clientId: 'plain-service', clientSecret: 'plain-secret' },
        { clientId: 'public-app' },
      ],
      accessTokenTtl: 300,
    });
  });
  afterAll(() => as.close());

  /** POSTs a token exchange request as `client` (`[id, secret]`, or `[id]` for a public client). */
  async function exchange(
    form: Record<string, string>,
    client: readonly string[] = ['mcp-server', 'mcp-secret'],
  ) {
    const body = new URLSearchParams({ grant_type: EXCHANGE, ...form });
    const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
    if (client[1] === undefined) body.set('client_id', client[0]!);
    else headers['authorization'] = `Basic ${Buffer.from(`${client[0]}:${client[1]}`).toString('base64')}`;
    const response = await fetch(as.tokenEndpoint, { method: 'POST', headers, body });
    return { status: response.status, json: (await response.json()) as Record<string, unknown> };
  }

  const userToken = () => as.authorizationCodeToken({ resource: MCP, scope: 'files:read' });

  describe('exchanges a token for another resource, acting for its subject', () => {
    it('issues a JWT for the target: aud, the same sub, act.sub and client_id the acting client, scope', async () => {
      const subjectToken = await userToken();
      const { status, json } = await exchange({
        subject_token: subjectToken,
        subject_token_type: ACCESS_TOKEN,
        resource: API,
        scope: 'api:read',
      });
      expect(status).toBe(200);
      expect(json).toMatchObject({
        issued_token_type: ACCESS_TOKEN,
        token_type: 'Bearer',
        expires_in: 300,
        scope: 'api:read',
      });
      const claims = decodeJwt(json['access_token'] as string);
      expect(claims).toMatchObject({
        iss: as.issuer,
        aud: API,
        sub: 'dev-user',
        client_id: 'mcp-server',
        act: { sub: 'mcp-server' },
        scope: 'api:read',
      });
      expect(claims.sub).toBe(decodeJwt(subjectToken).sub);
    });

    it('verifies with @valet/core JwtVerifier against the issuer and JWKS, for the target resource', async () => {
      const token = await as.exchangeToken({
        subjectToken: await userToken(),
        resource: API,
        scope: ['api:read', 'api:write'],
        clientId: 'mcp-server',
      });
      const verifier = new JwtVerifier({ issuer: as.issuer, audience: API, jwksUri: as.jwksUri });
      const principal = await verifier.verify(token);
      expect(principal.subject).toBe('dev-user');
      expect(principal.clientId).toBe('mcp-server');
      expect([...principal.scopes].sort()).toEqual(['api:read', 'api:write']);
      expect(principal.claims['act']).toEqual({ sub: 'mcp-server' });
    });

    it('keeps the sub of a client_credentials subject token (the client that got it)', async () => {
      const subjectToken = await as.clientCredentialsToken({ resource: MCP, scope: 'files:read' });
      const token = await as.exchangeToken({
        subjectToken,
        resource: API,
        scope: 'api:read',
        clientId: 'mcp-server',
      });
      expect(decodeJwt(token)).toMatchObject({ sub: 'dev-client', act: { sub: 'mcp-server' }, aud: API });
    });

    it('lets dev-client exchange by default', async () => {
      const token = await as.exchangeToken({
        subjectToken: await userToken(),
        audience: API,
        scope: 'api:read',
      });
      expect(decodeJwt(token)).toMatchObject({
        sub: 'dev-user',
        client_id: 'dev-client',
        act: { sub: 'dev-client' },
      });
    });

    it('takes the target as audience, as resource, or both naming the same resource', async () => {
      const subjectToken = await userToken();
      const base = { subject_token: subjectToken, subject_token_type: ACCESS_TOKEN, scope: 'api:read' };
      const targets: Record<string, string>[] = [
        { audience: API },
        { resource: API },
        { audience: API, resource: API },
      ];
      for (const target of targets) {
        const { status, json } = await exchange({ ...base, ...target });
        expect(status).toBe(200);
        expect(decodeJwt(json['access_token'] as string).aud).toBe(API);
      }
    });

    it('nests the subject token act under the new actor (RFC 8693 section 4.1)', async () => {
      const first = await as.exchangeToken({
        subjectToken: await userToken(),
        resource: API,
        scope: 'api:read',
        clientId: 'mcp-server',
      });
      const second = await as.exchangeToken({ subjectToken: first, resource: MCP, scope: 'files:read' });
      expect(decodeJwt(second)).toMatchObject({
        sub: 'dev-user',
        client_id: 'dev-client',
        act: { sub: 'dev-client', act: { sub: 'mcp-server' } },
      });
    });

    it('accepts an opaque subject token and issues an opaque one that introspects with its act', async () => {
      const subjectToken = await as.clientCredentialsToken({ resource: OPAQUE_API, scope: 'opaque:read' });
      const viaOpaque = await as.exchangeToken({ subjectToken, resource: API, scope: 'api:read' });
      expect(decodeJwt(viaOpaque)).toMatchObject({ sub: 'dev-client', aud: API });

      const opaque = await as.exchangeToken({
        subjectToken: await userToken(),
        resource: OPAQUE_API,
        scope: 'opaque:read',
        clientId: 'mcp-server',
      });
      const response = await fetch(as.introspectionEndpoint, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          authorization: `Basic ${Buffer.from('mcp-server:mcp-secret').toString('base64')}`,
        },
        body: new URLSearchParams({ token: opaque }),
      });
      expect(await response.json()).toMatchObject({
        active: true,
        sub: 'dev-user',
        aud: OPAQUE_API,
        client_id: 'mcp-server',
        scope: 'opaque:read',
        act: { sub: 'mcp-server' },
      });
    });

    it('advertises the grant type in its discovery metadata', async () => {
      const metadata = (await (
        await fetch(new URL('/.well-known/oauth-authorization-server', as.url))
      ).json()) as {
        grant_types_supported: string[];
      };
      expect(metadata.grant_types_supported).toContain(EXCHANGE);
    });
  });

  describe('Security: the original token is not the downstream token', () => {
    it('a token for the MCP server is refused by the downstream API; the exchanged one is accepted', async () => {
      const subjectToken = await userToken();
      const downstream = new JwtVerifier({ issuer: as.issuer, audience: API, jwksUri: as.jwksUri });
      await expect(downstream.verify(subjectToken)).rejects.toMatchObject({ reason: 'wrong_audience' });
      const exchanged = await as.exchangeToken({ subjectToken, resource: API, scope: 'api:read' });
      await expect(downstream.verify(exchanged)).resolves.toMatchObject({ subject: 'dev-user' });
    });
  });

  describe('Security: forged, foreign and expired subject tokens are refused (invalid_request, section 2.2.2)', () => {
    it('refuses a subject token with a tampered payload', async () => {
      const [header, , signature] = (await userToken()).split('.');
      const payload = Buffer.from(JSON.stringify({ iss: as.issuer, sub: 'admin', aud: MCP })).toString(
        'base64url',
      );
      const { status, json } = await exchange({
        subject_token: `${header}.${payload}.${signature}`,
        subject_token_type: ACCESS_TOKEN,
        resource: API,
      });
      expect(status).toBe(400);
      expect(json).toMatchObject({ error: 'invalid_request' });
      expect(String(json['error_description'])).toMatch(/subject_token is not a valid access token/);
    });

    it('refuses a token signed with a key this server does not hold', async () => {
      const { privateKey } = await generateKeyPair('RS256');
      const forged = await new SignJWT({ scope: 'files:read', client_id: 'dev-client' })
        .setProtectedHeader({ alg: 'RS256', typ: 'at+jwt', kid: 'forged' })
        .setIssuer(as.issuer)
        .setSubject('dev-user')
        .setAudience(MCP)
        .setIssuedAt()
        .setExpirationTime('5m')
        .sign(privateKey);
      const { json } = await exchange({
        subject_token: forged,
        subject_token_type: ACCESS_TOKEN,
        resource: API,
      });
      expect(json).toMatchObject({ error: 'invalid_request' });
    });

    it('refuses a token from another authorization server', async () => {
      const other = await startDevAuthorizationServer({ resources: [{ url: MCP, scopes: ['files:read'] }] });
      try {
        const foreign = await other.clientCredentialsToken({ resource: MCP, scope: 'files:read' });
        const { json } = await exchange({
          subject_token: foreign,
          subject_token_type: ACCESS_TOKEN,
          resource: API,
        });
        expect(json).toMatchObject({ error: 'invalid_request' });
      } finally {
        await other.close();
      }
    });

    it('refuses an unknown opaque token and a random string', async () => {
      for (const subjectToken of ['not-a-token-this-server-issued', 'a.b.c']) {
        const { json } = await exchange({
          subject_token: subjectToken,
          subject_token_type: ACCESS_TOKEN,
          resource: API,
        });
        expect(json).toMatchObject({ error: 'invalid_request' });
      }
    });

    it('refuses an expired subject token, which it accepted while it was valid', async () => {
      const shortLived = await startDevAuthorizationServer({
        resources: [
          { url: MCP, scopes: ['files:read'] },
          { url: API, scopes: ['api:read'] },
        ],
        accessTokenTtl: 1,
      });
      try {
        const subjectToken = await shortLived.clientCredentialsToken({ resource: MCP, scope: 'files:read' });
        await expect(
          shortLived.exchangeToken({ subjectToken, resource: API, scope: 'api:read' }),
        ).resolves.toEqual(expect.any(String));
        await new Promise((resolve) => setTimeout(resolve, 2100));
        await expect(
          shortLived.exchangeToken({ subjectToken, resource: API, scope: 'api:read' }),
        ).rejects.toThrow('invalid_request: subject_token is expired');
      } finally {
        await shortLived.close();
      }
    });
  });

  describe('errors, with their RFC 6749 / 8693 / 8707 codes', () => {
    it('invalid_request: no subject_token, no subject_token_type, or another token type', async () => {
      const subjectToken = await userToken();
      const cases: [Record<string, string>, RegExp][] = [
        [{ subject_token_type: ACCESS_TOKEN }, /subject_token is required/],
        [{ subject_token: subjectToken }, /subject_token_type is required/],
        [
          { subject_token: subjectToken, subject_token_type: 'urn:ietf:params:oauth:token-type:id_token' },
          /subject_token_type must be/,
        ],
        [
          {
            subject_token: subjectToken,
            subject_token_type: ACCESS_TOKEN,
            requested_token_type: 'urn:ietf:params:oauth:token-type:refresh_token',
          },
          /requested_token_type must be/,
        ],
        [
          {
            subject_token: subjectToken,
            subject_token_type: ACCESS_TOKEN,
            actor_token: subjectToken,
            actor_token_type: ACCESS_TOKEN,
          },
          /actor_token is not supported/,
        ],
      ];
      for (const [form, description] of cases) {
        const { status, json } = await exchange({ resource: API, ...form });
        expect(status).toBe(400);
        expect(json['error']).toBe('invalid_request');
        expect(String(json['error_description'])).toMatch(description);
      }
    });

    it('invalid_target: an unknown audience or resource, none, or two different ones', async () => {
      const base = { subject_token: await userToken(), subject_token_type: ACCESS_TOKEN, scope: 'api:read' };
      const targets: Record<string, string>[] = [
        { audience: 'https://evil.example/api' },
        { resource: 'https://evil.example/api' },
        { audience: 'not a url' },
        {},
        { audience: API, resource: MCP },
      ];
      for (const target of targets) {
        const { status, json } = await exchange({ ...base, ...target });
        expect(status).toBe(400);
        expect(json['error']).toBe('invalid_target');
      }
      await expect(
        as.exchangeToken({
          subjectToken: base.subject_token,
          resource: 'https://evil.example/api',
          scope: 'x',
        }),
      ).rejects.toThrow(/invalid_target/);
    });

    it('invalid_scope: a scope the target resource does not define (no silent trimming)', async () => {
      await expect(
        as.exchangeToken({
          subjectToken: await userToken(),
          resource: API,
          scope: ['api:read', 'files:read'],
        }),
      ).rejects.toThrow('invalid_scope: the resource does not define files:read');
    });

    it('invalid_scope for want of consent: a scope the resource lists in exchangeRequiresConsent', async () => {
      const { status, json } = await exchange({
        subject_token: await userToken(),
        subject_token_type: ACCESS_TOKEN,
        resource: API,
        scope: 'api:read api:admin',
      });
      expect(status).toBe(400);
      expect(json).toMatchObject({ error: 'invalid_scope' });
      expect(String(json['error_description'])).toMatch(/not consented to api:admin/);
    });

    it('unauthorized_client: a client registered without tokenExchange, a public one, a registered one', async () => {
      const subjectToken = await userToken();
      const form = {
        subject_token: subjectToken,
        subject_token_type: ACCESS_TOKEN,
        resource: API,
        scope: 'api:read',
      };
      const registered = await as.registerClient({
        redirect_uris: ['http://127.0.0.1/cb'],
        grant_types: ['authorization_code', EXCHANGE],
        token_endpoint_auth_method: 'client_secret_basic',
      });
      for (const client of [
        ['plain-service', 'plain-secret'],
        ['public-app'],
        [registered['client_id'] as string, registered['client_secret'] as string],
      ]) {
        const { status, json } = await exchange(form, client);
        expect(status).toBe(400);
        expect(json['error']).toBe('unauthorized_client');
      }
    });

    it('invalid_client: the acting client must authenticate', async () => {
      const { status, json } = await exchange(
        { subject_token: await userToken(), subject_token_type: ACCESS_TOKEN, resource: API },
        ['mcp-server', 'wrong-secret'],
      );
      expect(status).toBe(401);
      expect(json['error']).toBe('invalid_client');
    });
  });

  describe('set-up', () => {
    it('refuses tokenExchange on a public client and consent scopes a resource does not define', async () => {
      await expect(
        startDevAuthorizationServer({
          resources: [{ url: MCP, scopes: ['files:read'] }],
          clients: [{ clientId: 'public-exchanger', tokenExchange: true }],
        }),
      ).rejects.toThrow(/tokenExchange needs a confidential client/);
      await expect(
        startDevAuthorizationServer({
          resources: [{ url: MCP, scopes: ['files:read'], exchangeRequiresConsent: ['files:write'] }],
        }),
      ).rejects.toThrow(/exchangeRequiresConsent names "files:write"/);
    });
  });
});
