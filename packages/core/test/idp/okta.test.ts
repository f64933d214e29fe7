import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { okta } from '../../src/idp/okta.js';
import { now } from '../support/now.js';
import { idpStandIn, type IdpStandIn } from './fixtures.js';

const ISSUER = 'https://dev-123456.okta.com/oauth2/default';

describe('okta', () => {
  let idp: IdpStandIn;
  beforeAll(async () => {
    idp = await idpStandIn();
  });
  afterAll(() => idp.issuer.close());

  /** An Okta custom authorization server access token, as Okta documents it (header has no typ). */
  const oktaToken = (claims: Record<string, unknown> = {}) =>
    idp.issuer.mint({
      header: { typ: undefined },
      claims: {
        ver: 1,
        jti: 'AT.0mP4JKAZX1iACIT4vbEDF7LpvDVjxypPMf0D7uX39RE',
        iss: ISSUER,
        aud: 'api://default',
        sub: 'alice@example.com',
        auth_time: now() - 30,
        cid: '0oa1b2c3d4e5f6g7h8i9',
        uid: '00uid4BxXw6I6TV4m0g3',
        scp: ['openid', 'files:read'],
        client_id: undefined,
        ...claims,
      },
    });

  it('accepts an Okta access token: scp array, cid as client, keys from {issuer}/v1/keys', async () => {
    const preset = okta({ issuer: ISSUER, audience: 'api://default', fetch: idp.fetch });
    const principal = await preset.verifier.verify(await oktaToken());
    expect(principal).toMatchObject({ subject: 'alice@example.com', clientId: '0oa1b2c3d4e5f6g7h8i9' });
    expect([...principal.scopes]).toEqual(['openid', 'files:read']);
    expect(idp.requested).toContain(`${ISSUER}/v1/keys`);
    expect(preset).toMatchObject({ name: 'okta', issuer: ISSUER, authorizationServer: ISSUER });
  });

  it('builds the same issuer from domain and authorizationServerId', () => {
    const preset = okta({
      domain: 'dev-123456.okta.com',
      authorizationServerId: 'default',
      audience: 'api://default',
    });
    expect(preset.issuer).toBe(ISSUER);
    expect(okta({ issuer: `${ISSUER}/`, audience: 'api://default' }).issuer).toBe(ISSUER);
  });

  describe('Security: tokens of another authorization server', () => {
    it('refuses a token of another custom authorization server of the same org', async () => {
      const preset = okta({ issuer: ISSUER, audience: 'api://default', fetch: idp.fetch });
      const token = await oktaToken({ iss: 'https://dev-123456.okta.com/oauth2/aus1a2b3c4d5e6f7g8h9' });
      await expect(preset.verifier.verify(token)).rejects.toMatchObject({
        code: 'ERR_INVALID_TOKEN',
        reason: 'wrong_issuer',
      });
    });

    it('refuses a token whose scp is a number', async () => {
      const preset = okta({ issuer: ISSUER, audience: 'api://default', fetch: idp.fetch });
      await expect(preset.verifier.verify(await oktaToken({ scp: 7 }))).rejects.toMatchObject({
        code: 'ERR_INVALID_TOKEN',
        reason: 'invalid_claim',
      });
    });

    it('refuses the org authorization server, whose tokens only Okta can validate', () => {
      expect(() => okta({ issuer: 'https://dev-123456.okta.com', audience: 'api://default' })).toThrow(
        expect.objectContaining({ code: 'ERR_INVALID_OPTIONS', field: 'issuer' }),
      );
    });
  });

  it('refuses contradictory or incomplete options', () => {
    expect(() => okta({ issuer: ISSUER, domain: 'x.okta.com', audience: 'a' } as never)).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_OPTIONS', field: 'issuer' }),
    );
    expect(() => okta({ domain: 'dev-123456.okta.com', audience: 'a' } as never)).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_OPTIONS', field: 'authorizationServerId' }),
    );
    expect(() => okta({ issuer: ISSUER, audience: [] })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_OPTIONS', field: 'audience' }),
    );
  });
  describe('Security: token binding (aud) and type confusion (typ)', () => {
    const preset = () => okta({ issuer: ISSUER, audience: 'api://default', fetch: idp.fetch });
    it('refuses a token without aud or for another audience', async () => {
      await expect(preset().verifier.verify(await oktaToken({ aud: undefined }))).rejects.toMatchObject({
        code: 'ERR_INVALID_TOKEN',
        reason: 'missing_claim',
      });
      await expect(preset().verifier.verify(await oktaToken({ aud: 'api://billing' }))).rejects.toMatchObject(
        {
          code: 'ERR_INVALID_TOKEN',
          reason: 'wrong_audience',
        },
      );
    });
    it('does not check typ (Okta sends none), so a JWT-typed token is accepted too', async () => {
      const typed = await idp.issuer.mint({
        header: { typ: 'JWT' },
        claims: { iss: ISSUER, aud: 'api://default', scp: ['openid'], cid: '0oa1b2c3d4e5f6g7h8i9' },
      });
      await expect(preset().verifier.verify(typed)).resolves.toBeDefined();
    });
    it('refuses typ "at+jwt", which would refuse every Okta token', () => {
      expect(() => okta({ issuer: ISSUER, audience: 'api://default', typ: 'at+jwt' })).toThrow(
        expect.objectContaining({ code: 'ERR_INVALID_OPTIONS', field: 'typ' }),
      );
    });
  });
});
