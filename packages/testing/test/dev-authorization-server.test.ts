import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createHash, randomBytes } from 'node:crypto';
import { createLocalJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify, type JSONWebKeySet } from 'jose';
import { authorizeHeadless } from '../src/authorize-headless.js';
import { startDevAuthorizationServer, type DevAuthorizationServer } from '../src/dev-authorization-server.js';
import { createDpopKey, type DpopKey } from '../src/dpop-key.js';

const MCP = 'http://127.0.0.1:4100/mcp';
const OPAQUE_API = 'http://127.0.0.1:4200/api';
const PUBLIC_REDIRECT = 'http://127.0.0.1:4999/callback';

describe('startDevAuthorizationServer', () => {
  let as: DevAuthorizationServer;

  beforeAll(async () => {
    as = await startDevAuthorizationServer({
      resources: [
        { url: MCP, scopes: ['files:read', 'files:write'] },
        { url: OPAQUE_API, scopes: ['api:read'], accessTokenFormat: 'opaque' },
      ],
      clients: [{ clientId: 'public-app', redirectUris: [PUBLIC_REDIRECT] }],
      accessTokenTtl: 300,
    });
  });
  afterAll(() => as.close());

  async function verify(token: string) {
    const jwks = (await (await fetch(as.jwksUri)).json()) as JSONWebKeySet;
    return jwtVerify(token, createLocalJWKSet(jwks), { issuer: as.issuer, audience: MCP, typ: 'at+jwt' });
  }

  it('binds to loopback and names the real port in its issuer and discovery documents', async () => {
    expect(as.issuer).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(as.issuer).not.toMatch(/:0$/);
    for (const path of ['/.well-known/openid-configuration', '/.well-known/oauth-authorization-server']) {
      const metadata = (await (await fetch(new URL(path, as.url))).json()) as Record<string, unknown>;
      expect(metadata).toMatchObject({
        issuer: as.issuer,
        jwks_uri: as.jwksUri,
        token_endpoint: as.tokenEndpoint,
        introspection_endpoint: as.introspectionEndpoint,
        registration_endpoint: as.registrationEndpoint,
        code_challenge_methods_supported: ['S256'],
      });
      expect(metadata['scopes_supported']).toEqual(expect.arrayContaining(['files:read', 'files:write']));
    }
  });

  it('refuses to bind to anything but loopback', async () => {
    await expect(
      startDevAuthorizationServer({ host: '0.0.0.0' as '127.0.0.1', resources: [{ url: MCP, scopes: [] }] }),
    ).rejects.toThrow(/development only/);
  });

  it('issues RFC 9068 JWT access tokens via client_credentials with a resource indicator', async () => {
    const token = await as.clientCredentialsToken({ resource: MCP, scope: 'files:read' });
    expect(decodeProtectedHeader(token)).toMatchObject({ typ: 'at+jwt', alg: 'RS256' });
    const { payload } = await verify(token);
    expect(payload).toMatchObject({ iss: as.issuer, aud: MCP, scope: 'files:read', client_id: 'dev-client' });
    expect(payload.exp! - payload.iat!).toBe(300);
  });

  it('trims scopes the resource does not define', async () => {
    const token = await as.clientCredentialsToken({ resource: MCP, scope: ['files:read', 'api:read'] });
    expect(decodeJwt(token)['scope']).toBe('files:read');
  });

  it('answers invalid_target (a 400, not a 500) for an unknown resource', async () => {
    const response = await fetch(as.tokenEndpoint, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from('dev-client:dev-secret').toString('base64')}`,
      },
      body: new URLSearchParams({ grant_type: 'client_credentials', resource: 'https://evil.example/mcp' }),
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: 'invalid_target' });
    await expect(
      as.clientCredentialsToken({ resource: 'https://evil.example/mcp', scope: 'x' }),
    ).rejects.toThrow(/invalid_target/);
  });

  it('refuses a client_credentials request with a wrong secret', async () => {
    await expect(
      as.clientCredentialsToken({ resource: MCP, scope: 'files:read', clientSecret: 'wrong' }),
    ).rejects.toThrow(/invalid_client/);
  });

  it('introspects opaque tokens and reports revoked ones inactive', async () => {
    const token = await as.clientCredentialsToken({ resource: OPAQUE_API, scope: 'api:read' });
    expect(() => decodeProtectedHeader(token)).toThrow();
    const basic = `Basic ${Buffer.from('dev-client:dev-secret').toString('base64')}`;
    const post = (url: string) =>
      fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic },
        body: new URLSearchParams({ token, token_type_hint: 'access_token' }),
      });
    const before = as.requests.introspection;
    const active = await (await post(as.introspectionEndpoint)).json();
    expect(as.requests.introspection).toBe(before + 1);
    expect(active).toMatchObject({
      active: true,
      iss: as.issuer,
      aud: OPAQUE_API,
      scope: 'api:read',
      client_id: 'dev-client',
      token_type: 'Bearer',
    });
    expect((await post(as.revocationEndpoint)).status).toBe(200);
    expect(await (await post(as.introspectionEndpoint)).json()).toEqual({ active: false });
    expect(as.requests.introspection).toBe(before + 2);
  });

  it('completes an authorization code + PKCE flow headlessly (confidential client)', async () => {
    const token = await as.authorizationCodeToken({ resource: MCP, scope: 'files:read files:write' });
    const { payload } = await verify(token);
    expect(payload).toMatchObject({
      sub: 'dev-user',
      client_id: 'dev-client',
      aud: MCP,
      scope: 'files:read files:write',
    });
  });

  it('completes the flow for a public client with PKCE only', async () => {
    const token = await as.authorizationCodeToken({
      resource: MCP,
      scope: 'files:read',
      clientId: 'public-app',
    });
    expect((await verify(token)).payload).toMatchObject({ client_id: 'public-app', scope: 'files:read' });
  });

  it('registers clients dynamically (RFC 7591), as the MCP SDK client does, and lets them authorize', async () => {
    const redirectUri = 'http://127.0.0.1:4888/oauth/callback';
    const client = await as.registerClient({
      redirect_uris: [redirectUri],
      token_endpoint_auth_method: 'none',
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      client_name: 'MCP test client',
    });
    expect(typeof client['client_id']).toBe('string');

    const verifier = randomBytes(32).toString('base64url');
    const url = new URL(as.authorizationEndpoint);
    url.search = new URLSearchParams({
      response_type: 'code',
      client_id: String(client['client_id']),
      redirect_uri: redirectUri,
      scope: 'files:read',
      resource: MCP,
      state: 'xyz',
      code_challenge: createHash('sha256').update(verifier).digest('base64url'),
      code_challenge_method: 'S256',
    }).toString();
    const result = await authorizeHeadless(url, { redirectUri });
    expect(result.state).toBe('xyz');
    expect(result.iss).toBe(as.issuer);
    expect(result.callbackUrl.pathname).toBe('/oauth/callback');

    const response = await fetch(as.tokenEndpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code: result.code,
        redirect_uri: redirectUri,
        code_verifier: verifier,
        client_id: String(client['client_id']),
        resource: MCP,
      }),
    });
    const body = (await response.json()) as { access_token: string };
    expect((await verify(body.access_token)).payload).toMatchObject({ aud: MCP, scope: 'files:read' });
  });

  describe('Security: authorization code interception', () => {
    it('refuses an authorization request without PKCE', async () => {
      const url = new URL(as.authorizationEndpoint);
      url.search = new URLSearchParams({
        response_type: 'code',
        client_id: 'public-app',
        redirect_uri: PUBLIC_REDIRECT,
        scope: 'files:read',
        resource: MCP,
      }).toString();
      await expect(authorizeHeadless(url, { redirectUri: PUBLIC_REDIRECT })).rejects.toThrow(
        /invalid_request/,
      );
    });

    it('refuses a redirect URI the client did not register', async () => {
      const url = new URL(as.authorizationEndpoint);
      url.search = new URLSearchParams({
        response_type: 'code',
        client_id: 'public-app',
        redirect_uri: 'http://attacker.example/callback',
        scope: 'files:read',
        resource: MCP,
        code_challenge: createHash('sha256').update('v'.repeat(43)).digest('base64url'),
        code_challenge_method: 'S256',
      }).toString();
      await expect(authorizeHeadless(url)).rejects.toThrow(/HTTP 400/);
    });
  });
  describe('DPoP-bound tokens (RFC 9449)', () => {
    let key: DpopKey;
    beforeAll(async () => {
      key = await createDpopKey();
    });

    const basic = `Basic ${Buffer.from('dev-client:dev-secret').toString('base64')}`;
    const clientCredentials = (headers: Record<string, string> = {}) =>
      fetch(as.tokenEndpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic, ...headers },
        body: new URLSearchParams({ grant_type: 'client_credentials', resource: MCP, scope: 'files:read' }),
      });

    it('binds the token to the key of a client_credentials request with a proof (token_type DPoP, cnf.jkt)', async () => {
      const response = await clientCredentials({
        dpop: await key.proof({ method: 'POST', url: as.tokenEndpoint }),
      });
      expect(response.status).toBe(200);
      const body = (await response.json()) as { access_token: string; token_type: string };
      expect(body.token_type).toBe('DPoP');
      const { payload } = await verify(body.access_token);
      expect(payload['cnf']).toEqual({ jkt: key.jkt });
      expect(payload).toMatchObject({ aud: MCP, scope: 'files:read', client_id: 'dev-client' });
    });

    it('issues a Bearer token, with no cnf, to the same request without a proof', async () => {
      const body = (await (await clientCredentials()).json()) as { access_token: string; token_type: string };
      expect(body.token_type).toBe('Bearer');
      expect((await verify(body.access_token)).payload['cnf']).toBeUndefined();
    });

    it('clientCredentialsToken({ dpop }) returns a token bound to the key', async () => {
      const token = await as.clientCredentialsToken({ resource: MCP, scope: 'files:read', dpop: key });
      expect((await verify(token)).payload['cnf']).toEqual({ jkt: key.jkt });
    });

    it('authorizationCodeToken({ dpop }) binds the code (dpop_jkt) and the token to the key', async () => {
      const token = await as.authorizationCodeToken({
        resource: MCP,
        scope: 'files:read',
        clientId: 'public-app',
        dpop: key,
      });
      const { payload } = await verify(token);
      expect(payload).toMatchObject({ sub: 'dev-user', client_id: 'public-app', cnf: { jkt: key.jkt } });
    });

    it('accepts proofs signed with the asymmetric algorithms Valet accepts, and advertises them', async () => {
      for (const alg of ['ES384', 'PS256', 'RS256', 'EdDSA']) {
        const other = await createDpopKey(alg);
        const token = await as.clientCredentialsToken({ resource: MCP, scope: 'files:read', dpop: other });
        expect(decodeJwt(token)['cnf']).toEqual({ jkt: other.jkt });
      }
      const metadata = (await (await fetch(new URL('/.well-known/openid-configuration', as.url))).json()) as {
        dpop_signing_alg_values_supported: string[];
      };
      expect(metadata.dpop_signing_alg_values_supported).toEqual(
        expect.arrayContaining(['ES256', 'ES384', 'PS256', 'RS256', 'EdDSA']),
      );
    });

    describe('Security: proof misuse at the token endpoint', () => {
      it('refuses a proof made for another URL (htu)', async () => {
        const response = await clientCredentials({
          dpop: await key.proof({ method: 'POST', url: `${as.issuer}/elsewhere` }),
        });
        expect(response.status).toBe(400);
        expect(await response.json()).toMatchObject({ error: 'invalid_dpop_proof' });
      });

      it('refuses a replayed proof (same jti)', async () => {
        const proof = await key.proof({ method: 'POST', url: as.tokenEndpoint });
        expect((await clientCredentials({ dpop: proof })).status).toBe(200);
        const replay = await clientCredentials({ dpop: proof });
        expect(replay.status).toBe(400);
        expect(await replay.json()).toMatchObject({ error: 'invalid_grant' });
      });

      it('refuses a proof whose signature is not by the key in its jwk header', async () => {
        const other = await createDpopKey();
        const response = await clientCredentials({
          dpop: await key.proof({ method: 'POST', url: as.tokenEndpoint, header: { jwk: other.publicJwk } }),
        });
        expect(response.status).toBe(400);
        expect(await response.json()).toMatchObject({ error: 'invalid_dpop_proof' });
      });
    });
  });
});

describe('startDevAuthorizationServer({ dpop: { requireNonce: true } })', () => {
  let as: DevAuthorizationServer;
  let key: DpopKey;
  beforeAll(async () => {
    as = await startDevAuthorizationServer({
      resources: [{ url: MCP, scopes: ['files:read'] }],
      dpop: { requireNonce: true },
    });
    key = await createDpopKey();
  });
  afterAll(() => as.close());

  it('answers a proof without a nonce with 400 use_dpop_nonce and a DPoP-Nonce header', async () => {
    const response = await fetch(as.tokenEndpoint, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from('dev-client:dev-secret').toString('base64')}`,
        dpop: await key.proof({ method: 'POST', url: as.tokenEndpoint }),
      },
      body: new URLSearchParams({ grant_type: 'client_credentials', resource: MCP, scope: 'files:read' }),
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: 'use_dpop_nonce' });
    expect(response.headers.get('dpop-nonce')).toEqual(expect.any(String));
  });

  it('clientCredentialsToken({ dpop }) retries once with the nonce and gets a bound token', async () => {
    const token = await as.clientCredentialsToken({ resource: MCP, scope: 'files:read', dpop: key });
    expect(decodeJwt(token)['cnf']).toEqual({ jkt: key.jkt });
  });

  it('still issues Bearer tokens to requests without a proof', async () => {
    const token = await as.clientCredentialsToken({ resource: MCP, scope: 'files:read' });
    expect(decodeJwt(token)['cnf']).toBeUndefined();
  });

  it('refuses a dpop.requireNonce that is not a boolean, at start-up', async () => {
    await expect(
      startDevAuthorizationServer({
        resources: [{ url: MCP, scopes: [] }],
        dpop: { requireNonce: 'yes' as unknown as boolean },
      }),
    ).rejects.toThrow(/dpop.requireNonce must be true or false/);
  });
});
