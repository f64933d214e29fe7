import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { cognito } from '../../src/idp/cognito.js';
import { now } from '../support/now.js';
import { idpStandIn, type IdpStandIn } from './fixtures.js';

const POOL = 'us-west-2_aaaaaaaaa';
const ISSUER = `https://cognito-idp.us-west-2.amazonaws.com/${POOL}`;
const CLIENT = '1example23456789';

describe('cognito', () => {
  let idp: IdpStandIn;
  beforeAll(async () => {
    idp = await idpStandIn();
  });
  afterAll(() => idp.issuer.close());

  /** A Cognito user pool access token as AWS documents it: no aud, token_use, client_id. */
  const accessToken = (claims: Record<string, unknown> = {}) =>
    idp.issuer.mint({
      header: { typ: undefined },
      claims: {
        sub: 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee',
        'cognito:groups': ['admin'],
        iss: ISSUER,
        version: 2,
        client_id: CLIENT,
        origin_jti: 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee',
        event_id: 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee',
        token_use: 'access',
        scope: 'aws.cognito.signin.user.admin openid https://mcp.example.com/files.read',
        auth_time: now() - 10,
        jti: 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee',
        username: 'my-example-username',
        aud: undefined,
        ...claims,
      },
    });

  const preset = () => cognito({ region: 'us-west-2', userPoolId: POOL, clientId: CLIENT, fetch: idp.fetch });

  it('accepts an access token without aud, pinned by client_id; keys from the pool JWKS', async () => {
    const principal = await preset().verifier.verify(await accessToken());
    expect(principal).toMatchObject({ clientId: CLIENT, issuer: ISSUER, audience: [] });
    expect(principal.scopes.has('https://mcp.example.com/files.read')).toBe(true);
    expect(idp.requested).toContain(`${ISSUER}/.well-known/jwks.json`);
    expect(preset()).toMatchObject({ name: 'cognito', issuer: ISSUER, authorizationServer: ISSUER });
  });

  describe('Security: what the missing aud would otherwise let through', () => {
    it('refuses an ID token of the same app client (token_use id, aud = client id)', async () => {
      const idToken = await accessToken({ token_use: 'id', aud: CLIENT, client_id: undefined });
      await expect(preset().verifier.verify(idToken)).rejects.toMatchObject({
        code: 'ERR_INVALID_TOKEN',
        reason: 'missing_claim',
      });
      const withClient = await accessToken({ token_use: 'id', aud: CLIENT });
      await expect(preset().verifier.verify(withClient)).rejects.toMatchObject({
        code: 'ERR_INVALID_TOKEN',
        reason: 'wrong_type',
      });
    });
    it('refuses an access token issued to another app client of the pool', async () => {
      await expect(
        preset().verifier.verify(await accessToken({ client_id: 'another-client' })),
      ).rejects.toMatchObject({ code: 'ERR_INVALID_TOKEN', reason: 'wrong_audience' });
    });
    it('refuses a token without token_use', async () => {
      await expect(
        preset().verifier.verify(await accessToken({ token_use: undefined })),
      ).rejects.toMatchObject({ code: 'ERR_INVALID_TOKEN', reason: 'missing_claim' });
    });
    it('refuses a token of another user pool', async () => {
      const token = await accessToken({
        iss: 'https://cognito-idp.us-west-2.amazonaws.com/us-west-2_bbbbbbbbb',
      });
      await expect(preset().verifier.verify(token)).rejects.toMatchObject({
        code: 'ERR_INVALID_TOKEN',
        reason: 'wrong_issuer',
      });
    });
  });

  it('accepts several app clients', async () => {
    const two = cognito({
      region: 'us-west-2',
      userPoolId: POOL,
      clientId: ['other', CLIENT],
      fetch: idp.fetch,
    });
    await expect(two.verifier.verify(await accessToken())).resolves.toBeDefined();
  });

  it('refuses bad options, naming the field', () => {
    expect(() => cognito({ region: 'us-east-1', userPoolId: POOL, clientId: CLIENT })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_OPTIONS', field: 'userPoolId' }),
    );
    expect(() => cognito({ region: 'mars', userPoolId: POOL, clientId: CLIENT })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_OPTIONS', field: 'region' }),
    );
    expect(() => cognito({ region: 'us-west-2', userPoolId: 'pool', clientId: CLIENT })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_OPTIONS', field: 'userPoolId' }),
    );
    expect(() => cognito({ region: 'us-west-2', userPoolId: POOL, clientId: [] })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_OPTIONS', field: 'clientId' }),
    );
  });
  describe('Security: token binding without aud (client_id) and typ', () => {
    it('accepts no aud (Cognito sends none) but still pins the app client through client_id', async () => {
      await expect(preset().verifier.verify(await accessToken())).resolves.toBeDefined();
      await expect(
        preset().verifier.verify(await accessToken({ client_id: 'other-client' })),
      ).rejects.toMatchObject({
        code: 'ERR_INVALID_TOKEN',
        reason: 'wrong_audience',
      });
    });
    it('does not check typ: no typ header (as Cognito sends) and typ JWT are accepted', async () => {
      const typed = await idp.issuer.mint({
        header: { typ: 'JWT' },
        claims: { iss: ISSUER, aud: undefined, client_id: CLIENT, token_use: 'access', scope: 'openid' },
      });
      await expect(preset().verifier.verify(typed)).resolves.toBeDefined();
    });
    it('refuses typ "at+jwt", which would refuse every Cognito token', () => {
      expect(() =>
        cognito({ region: 'us-west-2', userPoolId: POOL, clientId: CLIENT, typ: 'at+jwt' }),
      ).toThrow(expect.objectContaining({ code: 'ERR_INVALID_OPTIONS', field: 'typ' }));
    });
  });
});
