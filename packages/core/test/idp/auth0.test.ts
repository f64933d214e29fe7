import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { auth0, type Auth0Options } from '../../src/idp/auth0.js';
import { now } from '../support/now.js';
import { idpStandIn, type IdpStandIn } from './fixtures.js';

const DOMAIN = 'example.us.auth0.com';
const ISSUER = `https://${DOMAIN}/`;
const API = 'https://mcp.example.com/mcp';

describe('auth0', () => {
  let idp: IdpStandIn;
  beforeAll(async () => {
    idp = await idpStandIn();
  });
  afterAll(() => idp.issuer.close());

  /** An Auth0 access token for a user (authorization code flow, RBAC on), as Auth0 documents it. */
  const userToken = (claims: Record<string, unknown> = {}) =>
    idp.issuer.mint({
      header: { typ: 'JWT' },
      claims: {
        iss: ISSUER,
        sub: 'auth0|6543a1b2c3d4e5f6a7b8c9d0',
        aud: [API, `https://${DOMAIN}/userinfo`],
        azp: 'Xk2LJz9pQm3V4nR7sT1uW8yZ0aB6cD5e',
        scope: 'openid profile files:read',
        permissions: ['files:read', 'files:write'],
        client_id: undefined,
        jti: undefined,
        ...claims,
      },
    });

  it('accepts an Auth0 access token: trailing-slash issuer, aud array with userinfo, azp as client', async () => {
    const preset = auth0({ domain: DOMAIN, audience: API, fetch: idp.fetch });
    const principal = await preset.verifier.verify(await userToken());
    expect(principal).toMatchObject({
      subject: 'auth0|6543a1b2c3d4e5f6a7b8c9d0',
      clientId: 'Xk2LJz9pQm3V4nR7sT1uW8yZ0aB6cD5e',
      issuer: ISSUER,
    });
    expect([...principal.scopes].sort()).toEqual(['files:read', 'openid', 'profile']);
    expect(idp.requested).toContain(`https://${DOMAIN}/.well-known/jwks.json`);
    expect(preset).toMatchObject({ name: 'auth0', issuer: ISSUER, authorizationServer: ISSUER });
  });

  it('accepts a client-credentials token (sub "<client>@clients", gty)', async () => {
    const preset = auth0({ domain: DOMAIN, audience: API, fetch: idp.fetch });
    const token = await userToken({
      sub: 'Xk2LJz9pQm3V4nR7sT1uW8yZ0aB6cD5e@clients',
      aud: API,
      gty: 'client-credentials',
      scope: 'files:read',
      permissions: undefined,
    });
    await expect(preset.verifier.verify(token)).resolves.toMatchObject({
      subject: 'Xk2LJz9pQm3V4nR7sT1uW8yZ0aB6cD5e@clients',
    });
  });

  it('reads only scope by default; RBAC permissions on request', async () => {
    const token = await userToken();
    const plain = auth0({ domain: DOMAIN, audience: API, fetch: idp.fetch });
    expect((await plain.verifier.verify(token)).scopes.has('files:write')).toBe(false);
    const rbac = auth0({
      domain: DOMAIN,
      audience: API,
      fetch: idp.fetch,
      scopeClaim: ['scope', 'permissions'],
    });
    expect((await rbac.verifier.verify(token)).scopes.has('files:write')).toBe(true);
  });

  describe('Security: tokens of another tenant, another API or another algorithm', () => {
    const preset = () => auth0({ domain: DOMAIN, audience: API, fetch: idp.fetch });
    it('refuses another tenant’s token', async () => {
      await expect(
        preset().verifier.verify(await userToken({ iss: 'https://evil.us.auth0.com/' })),
      ).rejects.toMatchObject({ code: 'ERR_INVALID_TOKEN', reason: 'wrong_issuer' });
    });
    it('refuses the issuer without its trailing slash (Auth0 always sends it)', async () => {
      await expect(
        preset().verifier.verify(await userToken({ iss: `https://${DOMAIN}` })),
      ).rejects.toMatchObject({ code: 'ERR_INVALID_TOKEN', reason: 'wrong_issuer' });
    });
    it('refuses a token for another API of the same tenant', async () => {
      const token = await userToken({ aud: ['https://billing.example.com/', `https://${DOMAIN}/userinfo`] });
      await expect(preset().verifier.verify(token)).rejects.toMatchObject({
        code: 'ERR_INVALID_TOKEN',
        reason: 'wrong_audience',
      });
    });
    it('refuses ES256 (Auth0 signs with RS256 or PS256)', async () => {
      const token = await idp.issuer.mint({ alg: 'ES256', claims: { iss: ISSUER, aud: API } });
      await expect(preset().verifier.verify(token)).rejects.toMatchObject({
        code: 'ERR_INVALID_TOKEN',
        reason: 'alg_not_allowed',
      });
    });
    it('refuses an expired token', async () => {
      await expect(preset().verifier.verify(await userToken({ exp: now() - 60 }))).rejects.toMatchObject({
        code: 'ERR_INVALID_TOKEN',
        reason: 'expired',
      });
    });
  });

  it('takes the domain with or without https:// and a trailing slash, and refuses anything else', () => {
    expect(auth0({ domain: `https://${DOMAIN}/`, audience: API }).issuer).toBe(ISSUER);
    expect(() => auth0({ domain: `http://${DOMAIN}`, audience: API })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_OPTIONS', field: 'domain' }),
    );
    expect(() => auth0({ domain: `${DOMAIN}/api`, audience: API })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_OPTIONS', field: 'domain' }),
    );
    expect(() => auth0({ domain: '', audience: API })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_OPTIONS', field: 'domain' }),
    );
    expect(() => auth0({ domain: DOMAIN, audience: '' })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_OPTIONS', field: 'audience' }),
    );
    expect(() => auth0(undefined as never)).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_OPTIONS', field: 'options' }),
    );
  });
  describe('Security: token binding (aud) and type confusion (typ)', () => {
    const preset = (extra: Partial<Auth0Options> = {}) =>
      auth0({ domain: DOMAIN, audience: API, fetch: idp.fetch, ...extra });
    /** An access token of an API set to the RFC 9068 profile: typ at+jwt, client_id, jti. */
    const rfc9068Token = (claims: Record<string, unknown> = {}, header: Record<string, unknown> = {}) =>
      idp.issuer.mint({
        header: { typ: 'at+jwt', ...header },
        claims: {
          iss: ISSUER,
          sub: 'auth0|6543a1b2c3d4e5f6a7b8c9d0',
          aud: [API, `https://${DOMAIN}/userinfo`],
          client_id: 'Xk2LJz9pQm3V4nR7sT1uW8yZ0aB6cD5e',
          jti: '73WakrfVbNJBaAmhQtEeDv',
          scope: 'openid files:read',
          ...claims,
        },
      });

    it('refuses a token without aud (the audience check is always on)', async () => {
      await expect(preset().verifier.verify(await userToken({ aud: undefined }))).rejects.toMatchObject({
        code: 'ERR_INVALID_TOKEN',
        reason: 'missing_claim',
      });
    });

    it('Auth0 profile: typ JWT or none is accepted, since Auth0 sends JWT', async () => {
      await expect(preset().verifier.verify(await userToken())).resolves.toBeDefined();
      const untyped = await idp.issuer.mint({
        header: { typ: undefined },
        claims: { iss: ISSUER, aud: API },
      });
      await expect(preset().verifier.verify(untyped)).resolves.toBeDefined();
    });

    it('RFC 9068 profile: at+jwt is required, client_id names the client', async () => {
      const strict = preset({ tokenProfile: 'rfc9068' });
      await expect(strict.verifier.verify(await rfc9068Token())).resolves.toMatchObject({
        clientId: 'Xk2LJz9pQm3V4nR7sT1uW8yZ0aB6cD5e',
      });
      await expect(strict.verifier.verify(await rfc9068Token({}, { typ: 'JWT' }))).rejects.toMatchObject({
        code: 'ERR_INVALID_TOKEN',
        reason: 'wrong_type',
      });
      await expect(
        strict.verifier.verify(await rfc9068Token({ aud: 'https://billing.example.com/' })),
      ).rejects.toMatchObject({
        code: 'ERR_INVALID_TOKEN',
        reason: 'wrong_audience',
      });
    });

    it('RFC 9068 profile with typ: false accepts a JWT-typed token (explicit opt-out)', async () => {
      const relaxed = preset({ tokenProfile: 'rfc9068', typ: false });
      await expect(relaxed.verifier.verify(await rfc9068Token({}, { typ: 'JWT' }))).resolves.toBeDefined();
    });

    it('refuses typ "at+jwt" with the Auth0 profile, and an unknown profile, naming the field', () => {
      expect(() => preset({ typ: 'at+jwt' })).toThrow(
        expect.objectContaining({ code: 'ERR_INVALID_OPTIONS', field: 'typ' }),
      );
      expect(() => preset({ tokenProfile: 'rfc7519' as never })).toThrow(
        expect.objectContaining({ code: 'ERR_INVALID_OPTIONS', field: 'tokenProfile' }),
      );
    });
  });
});
