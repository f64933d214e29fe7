import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { workos } from '../../src/idp/workos.js';
import { idpStandIn, type IdpStandIn } from './fixtures.js';

const AUTHKIT = 'https://acme.authkit.app';
const MCP = 'https://mcp.example.com/mcp';
const CLIENT = 'client_01HBEQKA6K4QJAS93VPE39W1JT';
const SESSION_ISSUER = `https://api.workos.com/user_management/${CLIENT}`;
/** The AuthKit environment's client id, AuthKit's default aud when no resource indicator is configured. */
const ENV_CLIENT = 'client_01HZ8Y7X6W5V4T3S2R1Q0P9N8M';

describe('workos', () => {
  describe('AuthKit as the MCP authorization server', () => {
    let idp: IdpStandIn;
    beforeAll(async () => {
      // The stand-in advertises AuthKit's issuer in its metadata, so discovery sees what AuthKit serves.
      idp = await idpStandIn({ metadata: { issuer: AUTHKIT } });
    });
    afterAll(() => idp.issuer.close());

    const mcpToken = (claims: Record<string, unknown> = {}) =>
      idp.issuer.mint({
        header: { typ: 'JWT' },
        claims: {
          iss: AUTHKIT,
          sub: 'user_01HBEQKA6K4QJAS93VPE39W1JT',
          aud: MCP,
          client_id: 'client_01JDYN0SB0T9Y8X7W6V5U4T3S2',
          sid: 'session_01HQSXZGF8FHF7A9ZZFCW4387R',
          jti: '01HQSXZXPPFPKMDD32RKTFY6PV',
          scope: 'openid profile email files:read',
          ...claims,
        },
      });

    const preset = () => workos({ authkitDomain: 'acme.authkit.app', audience: MCP, fetch: idp.fetch });

    it('finds the keys by discovery on the AuthKit domain and accepts its tokens for this resource', async () => {
      const principal = await preset().verifier.verify(await mcpToken());
      expect(principal).toMatchObject({ subject: 'user_01HBEQKA6K4QJAS93VPE39W1JT', issuer: AUTHKIT });
      expect(principal.scopes.has('files:read')).toBe(true);
      expect(idp.requested[0]).toBe(`${AUTHKIT}/.well-known/oauth-authorization-server`);
      expect(preset()).toMatchObject({ name: 'workos', issuer: AUTHKIT, authorizationServer: AUTHKIT });
    });

    it('Security: refuses an AuthKit token minted for its client id instead of this resource', async () => {
      await expect(
        preset().verifier.verify(await mcpToken({ aud: 'client_01JDYN0SB0T9Y8X7W6V5U4T3S2' })),
      ).rejects.toMatchObject({ code: 'ERR_INVALID_TOKEN', reason: 'wrong_audience' });
    });
    it('Security: refuses an AuthKit token without aud', async () => {
      await expect(preset().verifier.verify(await mcpToken({ aud: undefined }))).rejects.toMatchObject({
        code: 'ERR_INVALID_TOKEN',
        reason: 'missing_claim',
      });
    });

    it('without an audience option, checks the client id AuthKit puts in aud when no resource indicator is configured', async () => {
      const byClient = workos({ authkitDomain: 'acme.authkit.app', clientId: ENV_CLIENT, fetch: idp.fetch });
      await expect(byClient.verifier.verify(await mcpToken({ aud: ENV_CLIENT }))).resolves.toBeDefined();
      await expect(byClient.verifier.verify(await mcpToken({ aud: undefined }))).rejects.toMatchObject({
        code: 'ERR_INVALID_TOKEN',
        reason: 'missing_claim',
      });
      await expect(
        byClient.verifier.verify(await mcpToken({ aud: 'client_01OTHERENVIRONMENT' })),
      ).rejects.toMatchObject({
        code: 'ERR_INVALID_TOKEN',
        reason: 'wrong_audience',
      });
    });

    it('does not check typ (WorkOS documents no at+jwt header): a JWT-typed token is accepted', async () => {
      await expect(preset().verifier.verify(await mcpToken())).resolves.toBeDefined();
    });
  });

  describe('AuthKit session access tokens', () => {
    let idp: IdpStandIn;
    beforeAll(async () => {
      idp = await idpStandIn();
    });
    afterAll(() => idp.issuer.close());

    /** The session access token of the WorkOS reference: no aud, RBAC role and permissions. */
    const sessionToken = (claims: Record<string, unknown> = {}) =>
      idp.issuer.mint({
        header: { typ: 'JWT' },
        claims: {
          iss: SESSION_ISSUER,
          sub: 'user_01HBEQKA6K4QJAS93VPE39W1JT',
          act: { sub: 'admin@foocorp.com' },
          org_id: 'org_01HRDMC6CM357W30QMHMQ96Q0S',
          role: 'member',
          roles: ['member'],
          permissions: ['posts:read', 'posts:write'],
          entitlements: ['audit-logs'],
          sid: 'session_01HQSXZGF8FHF7A9ZZFCW4387R',
          jti: '01HQSXZXPPFPKMDD32RKTFY6PV',
          aud: undefined,
          client_id: undefined,
          ...claims,
        },
      });

    it('accepts a session token: no aud, permissions as scopes, keys from /sso/jwks/{clientId}', async () => {
      const preset = workos({ clientId: CLIENT, fetch: idp.fetch });
      const principal = await preset.verifier.verify(await sessionToken());
      expect([...principal.scopes]).toEqual(['posts:read', 'posts:write']);
      expect(idp.requested).toContain(`https://api.workos.com/sso/jwks/${CLIENT}`);
      expect(preset.issuer).toBe(SESSION_ISSUER);
    });

    it('Security: refuses a session token of another WorkOS application', async () => {
      const preset = workos({ clientId: CLIENT, fetch: idp.fetch });
      const token = await sessionToken({ iss: 'https://api.workos.com/user_management/client_OTHER' });
      await expect(preset.verifier.verify(token)).rejects.toMatchObject({
        code: 'ERR_INVALID_TOKEN',
        reason: 'wrong_issuer',
      });
    });
    it('Security: with audience set (a JWT template adds aud), refuses a session token without it or with another', async () => {
      const preset = workos({ clientId: CLIENT, audience: 'https://app.example.com', fetch: idp.fetch });
      await expect(
        preset.verifier.verify(await sessionToken({ aud: 'https://app.example.com' })),
      ).resolves.toBeDefined();
      await expect(preset.verifier.verify(await sessionToken())).rejects.toMatchObject({
        code: 'ERR_INVALID_TOKEN',
        reason: 'missing_claim',
      });
      await expect(
        preset.verifier.verify(await sessionToken({ aud: 'https://other.example.com' })),
      ).rejects.toMatchObject({
        code: 'ERR_INVALID_TOKEN',
        reason: 'wrong_audience',
      });
    });
  });

  it('refuses contradictory or missing options', () => {
    expect(() =>
      workos({ authkitDomain: 'acme.authkit.app', clientId: CLIENT, audience: MCP } as never),
    ).toThrow(expect.objectContaining({ code: 'ERR_INVALID_OPTIONS', field: 'clientId' }));
    expect(() => workos({ authkitDomain: 'acme.authkit.app' } as never)).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_OPTIONS', field: 'audience' }),
    );
    expect(() => workos({ authkitDomain: 'acme.authkit.app', clientId: 'client 1' } as never)).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_OPTIONS', field: 'clientId' }),
    );
    expect(() => workos({} as never)).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_OPTIONS', field: 'clientId' }),
    );
  });
});
