import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { keycloak } from '../../src/idp/keycloak.js';
import { now } from '../support/now.js';
import { idpStandIn, type IdpStandIn } from './fixtures.js';

const ISSUER = 'https://sso.example.com/realms/acme';
const MCP = 'https://mcp.example.com/mcp';

describe('keycloak', () => {
  let idp: IdpStandIn;
  beforeAll(async () => {
    idp = await idpStandIn();
  });
  afterAll(() => idp.issuer.close());

  /** A Keycloak access token with an Audience mapper for the MCP server, as Keycloak issues it. */
  const keycloakToken = (claims: Record<string, unknown> = {}) =>
    idp.issuer.mint({
      header: { typ: 'JWT' },
      claims: {
        jti: 'onrtac:5a4f0d3e-8c1b-4f7e-9a2d-1b3c4d5e6f70',
        iss: ISSUER,
        aud: [MCP, 'account'],
        sub: 'f0e1d2c3-b4a5-4697-8899-aabbccddeeff',
        typ: 'Bearer',
        azp: 'mcp-inspector',
        sid: '7d3f2a1b-0c9e-4d8f-a7b6-c5d4e3f2a1b0',
        acr: '1',
        'allowed-origins': ['http://localhost:6274'],
        realm_access: { roles: ['offline_access', 'uma_authorization', 'default-roles-acme'] },
        resource_access: { account: { roles: ['manage-account', 'view-profile'] } },
        scope: 'openid profile email files:read',
        email_verified: true,
        preferred_username: 'alice',
        client_id: undefined,
        ...claims,
      },
    });

  const preset = () =>
    keycloak({ url: 'https://sso.example.com', realm: 'acme', audience: MCP, fetch: idp.fetch });

  it('accepts a Keycloak access token: scope string, azp as client, keys from the certs endpoint', async () => {
    const principal = await preset().verifier.verify(await keycloakToken());
    expect(principal).toMatchObject({ clientId: 'mcp-inspector', issuer: ISSUER });
    expect([...principal.scopes]).toEqual(['openid', 'profile', 'email', 'files:read']);
    expect(idp.requested).toContain(`${ISSUER}/protocol/openid-connect/certs`);
    expect(preset()).toMatchObject({ name: 'keycloak', issuer: ISSUER, authorizationServer: ISSUER });
  });

  describe('Security: other token types and tokens meant for other clients', () => {
    it('refuses an ID token of the realm (typ ID)', async () => {
      await expect(preset().verifier.verify(await keycloakToken({ typ: 'ID' }))).rejects.toMatchObject({
        code: 'ERR_INVALID_TOKEN',
        reason: 'wrong_type',
      });
    });
    it('refuses a refresh token of the realm (typ Refresh)', async () => {
      await expect(preset().verifier.verify(await keycloakToken({ typ: 'Refresh' }))).rejects.toMatchObject({
        code: 'ERR_INVALID_TOKEN',
        reason: 'wrong_type',
      });
    });
    it('refuses a token without the audience mapper (aud is only "account")', async () => {
      await expect(preset().verifier.verify(await keycloakToken({ aud: 'account' }))).rejects.toMatchObject({
        code: 'ERR_INVALID_TOKEN',
        reason: 'wrong_audience',
      });
    });
    it('refuses a token of another realm on the same server', async () => {
      const token = await keycloakToken({ iss: 'https://sso.example.com/realms/master' });
      await expect(preset().verifier.verify(token)).rejects.toMatchObject({
        code: 'ERR_INVALID_TOKEN',
        reason: 'wrong_issuer',
      });
    });
    it('refuses an expired token', async () => {
      await expect(preset().verifier.verify(await keycloakToken({ exp: now() - 30 }))).rejects.toMatchObject({
        code: 'ERR_INVALID_TOKEN',
        reason: 'expired',
      });
    });
  });

  it('builds the issuer for legacy /auth paths and local http, and refuses plain http elsewhere', () => {
    expect(keycloak({ url: 'https://sso.example.com/auth/', realm: 'acme', audience: MCP }).issuer).toBe(
      'https://sso.example.com/auth/realms/acme',
    );
    expect(keycloak({ url: 'http://localhost:8080', realm: 'my-realm', audience: MCP }).issuer).toBe(
      'http://localhost:8080/realms/my-realm',
    );
    expect(() => keycloak({ url: 'http://sso.example.com', realm: 'acme', audience: MCP })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_OPTIONS', field: 'url' }),
    );
    expect(() => keycloak({ url: 'https://sso.example.com', realm: '../master', audience: MCP })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_OPTIONS', field: 'realm' }),
    );
    expect(() => keycloak({ url: 'https://sso.example.com', realm: 'acme', audience: '' })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_OPTIONS', field: 'audience' }),
    );
  });
  describe('Security: token binding (aud) and type confusion (typ)', () => {
    it('refuses a token without aud or for another resource', async () => {
      await expect(preset().verifier.verify(await keycloakToken({ aud: undefined }))).rejects.toMatchObject({
        code: 'ERR_INVALID_TOKEN',
        reason: 'missing_claim',
      });
      await expect(
        preset().verifier.verify(await keycloakToken({ aud: 'https://other.example.com/mcp' })),
      ).rejects.toMatchObject({ code: 'ERR_INVALID_TOKEN', reason: 'wrong_audience' });
    });
    it('accepts typ JWT by default, since Keycloak sends it unless a client opts in to at+jwt', async () => {
      await expect(preset().verifier.verify(await keycloakToken())).resolves.toBeDefined();
    });
    it('with typ "at+jwt" (clients switched to at+jwt) refuses a JWT-typed token', async () => {
      const strict = keycloak({
        url: 'https://sso.example.com',
        realm: 'acme',
        audience: MCP,
        fetch: idp.fetch,
        typ: 'at+jwt',
      });
      await expect(strict.verifier.verify(await keycloakToken())).rejects.toMatchObject({
        code: 'ERR_INVALID_TOKEN',
        reason: 'wrong_type',
      });
      const atJwt = await idp.issuer.mint({
        header: { typ: 'at+jwt' },
        claims: { iss: ISSUER, aud: MCP, typ: 'Bearer', azp: 'mcp-inspector', scope: 'openid' },
      });
      await expect(strict.verifier.verify(atJwt)).resolves.toBeDefined();
    });
  });
});
