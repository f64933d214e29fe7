import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createTestIssuer, type TestIssuer } from '@valet/testing';
import { oidc } from '../../src/idp/oidc.js';

const MCP = 'https://mcp.example.com/mcp';

describe('oidc', () => {
  let issuer: TestIssuer;
  let pathIssuer: TestIssuer;
  beforeAll(async () => {
    issuer = await createTestIssuer({ audience: MCP, metadata: { oauth: false } });
    pathIssuer = await createTestIssuer({ audience: MCP, path: '/realms/demo', metadata: { openid: false } });
  });
  afterAll(async () => {
    await issuer.close();
    await pathIssuer.close();
  });

  it('finds the keys through OpenID discovery and accepts RFC 9068 tokens', async () => {
    const preset = oidc({ issuer: issuer.url, audience: MCP });
    const principal = await preset.verifier.verify(await issuer.mint({ scopes: ['files:read'] }));
    expect(principal).toMatchObject({ clientId: 'test-client', issuer: issuer.url });
    expect(principal.scopes.has('files:read')).toBe(true);
    expect(issuer.requests.openidConfiguration).toBe(1);
    expect(preset).toMatchObject({ name: 'oidc', issuer: issuer.url, authorizationServer: issuer.url });
  });

  it('finds the keys through RFC 8414 metadata for an issuer with a path', async () => {
    const preset = oidc({ issuer: pathIssuer.url, audience: MCP });
    await expect(preset.verifier.verify(await pathIssuer.mint())).resolves.toBeDefined();
    expect(pathIssuer.requests.oauthMetadata).toBe(1);
  });

  it('Security: refuses tokens for another resource and of another issuer', async () => {
    const preset = oidc({ issuer: issuer.url, audience: MCP });
    await expect(preset.verifier.verify(await issuer.wrongAudience())).rejects.toMatchObject({
      code: 'ERR_INVALID_TOKEN',
      reason: 'wrong_audience',
    });
    await expect(preset.verifier.verify(await issuer.wrongIssuer())).rejects.toMatchObject({
      code: 'ERR_INVALID_TOKEN',
      reason: 'wrong_issuer',
    });
  });

  it('takes scopeClaim and clientIdClaim for servers that put them elsewhere', async () => {
    const preset = oidc({ issuer: issuer.url, audience: MCP, scopeClaim: 'scp', clientIdClaim: 'azp' });
    const token = await issuer.mint({ claims: { scp: ['a', 'b'], azp: 'spa' } });
    expect(await preset.verifier.verify(token)).toMatchObject({ clientId: 'spa' });
    expect([...(await preset.verifier.verify(token)).scopes]).toEqual(['a', 'b']);
  });

  it('refuses missing options', () => {
    expect(() => oidc({ issuer: '', audience: MCP })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_OPTIONS', field: 'issuer' }),
    );
    expect(() => oidc({ issuer: issuer.url } as never)).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_OPTIONS', field: 'audience' }),
    );
  });
  describe('Security: token binding (aud) and type confusion (typ, RFC 9068 section 4)', () => {
    it('refuses a token without aud', async () => {
      const preset = oidc({ issuer: issuer.url, audience: MCP });
      await expect(
        preset.verifier.verify(await issuer.mint({ claims: { aud: undefined } })),
      ).rejects.toMatchObject({
        code: 'ERR_INVALID_TOKEN',
        reason: 'missing_claim',
      });
    });
    it('requires typ at+jwt by default: a JWT-typed or untyped token (an ID token, say) is refused', async () => {
      const preset = oidc({ issuer: issuer.url, audience: MCP });
      await expect(
        preset.verifier.verify(await issuer.mint({ header: { typ: 'JWT' } })),
      ).rejects.toMatchObject({
        code: 'ERR_INVALID_TOKEN',
        reason: 'wrong_type',
      });
      await expect(
        preset.verifier.verify(await issuer.mint({ header: { typ: undefined } })),
      ).rejects.toMatchObject({
        code: 'ERR_INVALID_TOKEN',
        reason: 'wrong_type',
      });
      await expect(
        preset.verifier.verify(await issuer.mint({ header: { typ: 'application/at+jwt' } })),
      ).resolves.toBeDefined();
    });
    it('typ: false accepts a JWT-typed token, for servers that do not send at+jwt', async () => {
      const preset = oidc({ issuer: issuer.url, audience: MCP, typ: false });
      await expect(
        preset.verifier.verify(await issuer.mint({ header: { typ: 'JWT' } })),
      ).resolves.toBeDefined();
    });
  });
});
