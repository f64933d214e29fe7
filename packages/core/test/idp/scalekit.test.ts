import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { scalekit } from '../../src/idp/scalekit.js';
import { now } from '../support/now.js';
import { idpStandIn, type IdpStandIn } from './fixtures.js';

const ENV = 'https://acme.scalekit.dev';
const RESOURCE = 'res_114244373767521282';

describe('scalekit', () => {
  let idp: IdpStandIn;
  beforeAll(async () => {
    idp = await idpStandIn();
  });
  afterAll(() => idp.issuer.close());

  /** An access token Scalekit issues to an MCP client: aud names the MCP server's resource id. */
  const mcpToken = (claims: Record<string, unknown> = {}) =>
    idp.issuer.mint({
      header: { typ: 'JWT' },
      claims: {
        aud: [RESOURCE],
        client_id: 'skc_987654321098765432',
        iss: ENV,
        jti: 'tkn_987654321098765432',
        nbf: now() - 5,
        oid: 'org_69615647365005430',
        sid: 'ses_987654321098765432',
        sub: 'usr_987654321098765432',
        scope: 'files:read files:write',
        ...claims,
      },
    });

  const preset = () =>
    scalekit({ environmentUrl: ENV, resourceId: RESOURCE, audience: RESOURCE, fetch: idp.fetch });

  it('accepts an MCP access token: environment URL issuer, keys from /keys, scope string', async () => {
    const principal = await preset().verifier.verify(await mcpToken());
    expect(principal).toMatchObject({
      clientId: 'skc_987654321098765432',
      subject: 'usr_987654321098765432',
    });
    expect([...principal.scopes]).toEqual(['files:read', 'files:write']);
    expect(idp.requested).toContain(`${ENV}/keys`);
    expect(preset()).toMatchObject({
      name: 'scalekit',
      issuer: ENV,
      authorizationServer: `${ENV}/resources/${RESOURCE}`,
    });
  });

  it('accepts an M2M token whose scopes are the "scopes" array', async () => {
    const token = await mcpToken({
      client_id: 'm2morg_69038819013296423',
      scope: undefined,
      scopes: ['deploy:applications'],
    });
    expect([...(await preset().verifier.verify(token)).scopes]).toEqual(['deploy:applications']);
  });

  describe('Security: tokens of another environment or MCP server', () => {
    it('refuses a token of another environment', async () => {
      await expect(
        preset().verifier.verify(await mcpToken({ iss: 'https://evil.scalekit.dev' })),
      ).rejects.toMatchObject({ code: 'ERR_INVALID_TOKEN', reason: 'wrong_issuer' });
    });
    it('refuses a token for another MCP server of the environment', async () => {
      await expect(preset().verifier.verify(await mcpToken({ aud: ['res_999'] }))).rejects.toMatchObject({
        code: 'ERR_INVALID_TOKEN',
        reason: 'wrong_audience',
      });
    });
  });

  it('uses the environment URL as authorization server without a resource id, and validates options', () => {
    expect(scalekit({ environmentUrl: `${ENV}/`, audience: RESOURCE }).authorizationServer).toBe(ENV);
    expect(() => scalekit({ environmentUrl: 'http://acme.scalekit.dev', audience: RESOURCE })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_OPTIONS', field: 'environmentUrl' }),
    );
    expect(() => scalekit({ environmentUrl: ENV, audience: RESOURCE, resourceId: 'res/1' })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_OPTIONS', field: 'resourceId' }),
    );
  });
  describe('Security: token binding (aud) and type confusion (typ)', () => {
    it('checks the resource id as audience by default: no aud or another aud is refused', async () => {
      const byResource = scalekit({ environmentUrl: ENV, resourceId: RESOURCE, fetch: idp.fetch });
      await expect(byResource.verifier.verify(await mcpToken())).resolves.toBeDefined();
      await expect(byResource.verifier.verify(await mcpToken({ aud: undefined }))).rejects.toMatchObject({
        code: 'ERR_INVALID_TOKEN',
        reason: 'missing_claim',
      });
      await expect(byResource.verifier.verify(await mcpToken({ aud: ['res_999'] }))).rejects.toMatchObject({
        code: 'ERR_INVALID_TOKEN',
        reason: 'wrong_audience',
      });
    });
    it('accepts typ JWT (Scalekit documents no at+jwt header)', async () => {
      await expect(preset().verifier.verify(await mcpToken())).resolves.toBeDefined();
    });
    it('refuses neither resourceId nor audience, naming audience', () => {
      expect(() => scalekit({ environmentUrl: ENV } as never)).toThrow(
        expect.objectContaining({ code: 'ERR_INVALID_OPTIONS', field: 'audience' }),
      );
    });
  });
});
