import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { entraId } from '../../src/idp/entra.js';
import { MultiIssuerVerifier } from '../../src/verify/multi-issuer-verifier.js';
import { now } from '../support/now.js';
import { idpStandIn, type IdpStandIn } from './fixtures.js';

const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const OTHER_TENANT = '9188040d-6c67-4c5b-b112-36a304b66dad';
const API_ID = '6e74172b-be56-4843-9ff4-e66a39bb12e3';
const V2 = (tid: string) => `https://login.microsoftonline.com/${tid}/v2.0`;
const V1 = (tid: string) => `https://sts.windows.net/${tid}/`;

describe('entraId', () => {
  let idp: IdpStandIn;
  beforeAll(async () => {
    idp = await idpStandIn();
  });
  afterAll(() => idp.issuer.close());

  /** A v2.0 delegated access token, as the Entra access token claims reference shows it. */
  const v2Token = (claims: Record<string, unknown> = {}) =>
    idp.issuer.mint({
      header: { typ: 'JWT' },
      claims: {
        aud: API_ID,
        iss: V2(TENANT),
        nbf: now() - 60,
        aio: 'AgQAAAAAAAnA0Ij4cDkbmNXW3_1ZtDRxk0hGwtLSnZ8oFNB',
        azp: '5c2f1a10-8d4f-4b19-9e2e-0b9a7c3d1e2f',
        azpacr: '0',
        name: 'Abe Lincoln',
        oid: '690222be-ff1a-4d56-abd1-7e4f7d38e474',
        preferred_username: 'abeli@contoso.com',
        rh: '0.AAAAv4j5cvGGr0GRqy180BHbR',
        scp: 'access_as_user files.read',
        sub: 'HKZpfaHyWadeOouYlitjrI-KffTm222X5rrV3xDqfKQ',
        tid: TENANT,
        uti: 'fqiBqXLPj0eQa82S-IYFAA',
        ver: '2.0',
        client_id: undefined,
        jti: undefined,
        ...claims,
      },
    });

  /** A v1.0 app-only token (client credentials): roles, appid, sts.windows.net issuer. */
  const v1AppToken = (claims: Record<string, unknown> = {}) =>
    idp.issuer.mint({
      header: { typ: 'JWT', x5t: 'i6lGk3FZzxRcUb2C3nEQ7syHJlY' },
      claims: {
        aud: 'api://files-api',
        iss: V1(TENANT),
        appid: '5c2f1a10-8d4f-4b19-9e2e-0b9a7c3d1e2f',
        appidacr: '1',
        idtyp: 'app',
        oid: '1a2b3c4d-0000-4000-8000-00000000abcd',
        roles: ['Files.Read.All'],
        sub: '1a2b3c4d-0000-4000-8000-00000000abcd',
        tid: TENANT,
        ver: '1.0',
        client_id: undefined,
        ...claims,
      },
    });

  it('accepts a v2 token: scp string merged with roles, azp as client, tenant keys', async () => {
    const preset = entraId({ tenantId: TENANT, audience: API_ID, fetch: idp.fetch });
    const principal = await preset.verifier.verify(await v2Token({ roles: ['Files.Admin'] }));
    expect(principal).toMatchObject({ clientId: '5c2f1a10-8d4f-4b19-9e2e-0b9a7c3d1e2f', issuer: V2(TENANT) });
    expect([...principal.scopes]).toEqual(['access_as_user', 'files.read', 'Files.Admin']);
    expect(idp.requested).toContain(`https://login.microsoftonline.com/${TENANT}/discovery/v2.0/keys`);
    expect(preset).toMatchObject({ name: 'entra', issuer: V2(TENANT), authorizationServer: V2(TENANT) });
  });

  it('accepts a v1 app-only token: sts.windows.net issuer, roles, appid as client', async () => {
    const preset = entraId({ tenantId: TENANT, audience: 'api://files-api', version: 1, fetch: idp.fetch });
    const principal = await preset.verifier.verify(await v1AppToken());
    expect(principal).toMatchObject({ clientId: '5c2f1a10-8d4f-4b19-9e2e-0b9a7c3d1e2f', issuer: V1(TENANT) });
    expect([...principal.scopes]).toEqual(['Files.Read.All']);
    expect(idp.requested).toContain(`https://login.microsoftonline.com/${TENANT}/discovery/keys`);
  });

  describe('Security: tokens of other tenants and issuer/tenant mismatches', () => {
    const single = () => entraId({ tenantId: TENANT, audience: API_ID, fetch: idp.fetch });
    it('refuses a token of another tenant', async () => {
      const token = await v2Token({ iss: V2(OTHER_TENANT), tid: OTHER_TENANT });
      await expect(single().verifier.verify(token)).rejects.toMatchObject({
        code: 'ERR_INVALID_TOKEN',
        reason: 'wrong_issuer',
      });
    });
    it('refuses a token whose tid contradicts its iss', async () => {
      await expect(single().verifier.verify(await v2Token({ tid: OTHER_TENANT }))).rejects.toMatchObject({
        code: 'ERR_INVALID_TOKEN',
        reason: 'wrong_issuer',
      });
    });
    it('refuses a v1 token where v2 is configured', async () => {
      await expect(single().verifier.verify(await v1AppToken({ aud: API_ID }))).rejects.toMatchObject({
        code: 'ERR_INVALID_TOKEN',
        reason: 'wrong_issuer',
      });
    });
    it('refuses a token without tid', async () => {
      await expect(single().verifier.verify(await v2Token({ tid: undefined }))).rejects.toMatchObject({
        code: 'ERR_INVALID_TOKEN',
        reason: 'missing_claim',
      });
    });
    it('refuses a token for another API', async () => {
      await expect(
        single().verifier.verify(await v2Token({ aud: '00000003-0000-0000-c000-000000000000' })),
      ).rejects.toMatchObject({ code: 'ERR_INVALID_TOKEN', reason: 'wrong_audience' });
    });
  });

  describe('multi-tenant', () => {
    it('accepts any tenant whose iss is the template filled with its own tid, with common keys', async () => {
      const preset = entraId({
        tenantId: 'organizations',
        audience: API_ID,
        multiTenant: true,
        fetch: idp.fetch,
      });
      expect(preset.issuer).toBe('https://login.microsoftonline.com/{tenantid}/v2.0');
      expect(preset.authorizationServer).toBe('https://login.microsoftonline.com/organizations/v2.0');
      for (const tid of [TENANT, OTHER_TENANT]) {
        await expect(preset.verifier.verify(await v2Token({ iss: V2(tid), tid }))).resolves.toMatchObject({
          issuer: V2(tid),
        });
      }
      expect(idp.requested).toContain('https://login.microsoftonline.com/common/discovery/v2.0/keys');
    });

    it('Security: refuses a token that names one tenant in iss and another in tid', async () => {
      const preset = entraId({ tenantId: 'common', audience: API_ID, multiTenant: true, fetch: idp.fetch });
      const token = await v2Token({ iss: V2(OTHER_TENANT), tid: TENANT });
      await expect(preset.verifier.verify(token)).rejects.toMatchObject({
        code: 'ERR_INVALID_TOKEN',
        reason: 'wrong_issuer',
      });
    });

    it('Security: a made-up tenant with a foreign key costs one shared key fetch and pins no verifier', async () => {
      const preset = entraId({ tenantId: 'common', audience: API_ID, multiTenant: true, fetch: idp.fetch });
      const before = idp.requested.length;
      for (const tid of [OTHER_TENANT, '11111111-2222-4333-8444-555555555555']) {
        const token = await idp.issuer.foreignKey({ claims: { iss: V2(tid), tid, aud: API_ID } });
        await expect(preset.verifier.verify(token)).rejects.toMatchObject({
          code: 'ERR_INVALID_TOKEN',
          reason: 'unknown_key',
        });
      }
      expect(idp.requested.length - before).toBe(1);
    });

    it('limits tenants with allowedTenants', async () => {
      const preset = entraId({
        tenantId: 'organizations',
        audience: API_ID,
        multiTenant: true,
        allowedTenants: [TENANT],
        fetch: idp.fetch,
      });
      await expect(preset.verifier.verify(await v2Token())).resolves.toBeDefined();
      const foreign = await v2Token({ iss: V2(OTHER_TENANT), tid: OTHER_TENANT });
      await expect(preset.verifier.verify(foreign)).rejects.toMatchObject({
        code: 'ERR_INVALID_TOKEN',
        reason: 'wrong_issuer',
      });
      expect(preset.matchesIssuer?.(V2(TENANT))).toBe(true);
      expect(preset.matchesIssuer?.(V2(OTHER_TENANT))).toBe(false);
    });

    it('routes in a MultiIssuerVerifier by the issuer template', async () => {
      const preset = entraId({
        tenantId: 'organizations',
        audience: API_ID,
        multiTenant: true,
        fetch: idp.fetch,
      });
      const router = new MultiIssuerVerifier({ issuers: [preset] });
      await expect(
        router.verify(await v2Token({ iss: V2(OTHER_TENANT), tid: OTHER_TENANT })),
      ).resolves.toBeDefined();
      await expect(
        router.verify(await v2Token({ iss: 'https://login.microsoftonline.com/not-a-guid/v2.0' })),
      ).rejects.toMatchObject({ code: 'ERR_INVALID_TOKEN', reason: 'unknown_issuer' });
    });
  });

  it('refuses bad options, naming the field', () => {
    expect(() => entraId({ tenantId: 'contoso.onmicrosoft.com', audience: API_ID })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_OPTIONS', field: 'tenantId' }),
    );
    expect(() => entraId({ tenantId: 'common', audience: API_ID })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_OPTIONS', field: 'tenantId' }),
    );
    expect(() => entraId({ tenantId: TENANT, audience: API_ID, version: 3 as 2 })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_OPTIONS', field: 'version' }),
    );
    expect(() => entraId({ tenantId: TENANT, audience: API_ID, allowedTenants: [TENANT] })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_OPTIONS', field: 'allowedTenants' }),
    );
    expect(() =>
      entraId({ tenantId: 'common', audience: API_ID, multiTenant: true, allowedTenants: ['x'] }),
    ).toThrow(expect.objectContaining({ code: 'ERR_INVALID_OPTIONS', field: 'allowedTenants' }));
    // Verifiers per tenant are made lazily; a bad override must still fail at construction.
    expect(() =>
      entraId({ tenantId: 'common', audience: API_ID, multiTenant: true, clockTolerance: -1 }),
    ).toThrow(expect.objectContaining({ code: 'ERR_INVALID_OPTIONS', field: 'clockTolerance' }));
  });
  describe('Security: token binding (aud) and type confusion (typ)', () => {
    const preset = () => entraId({ tenantId: TENANT, audience: API_ID, fetch: idp.fetch });
    it('refuses a v2 token without aud', async () => {
      await expect(preset().verifier.verify(await v2Token({ aud: undefined }))).rejects.toMatchObject({
        code: 'ERR_INVALID_TOKEN',
        reason: 'missing_claim',
      });
    });
    it('accepts typ JWT, which is what Entra ID always sends', async () => {
      await expect(preset().verifier.verify(await v2Token())).resolves.toBeDefined();
    });
    it('refuses typ "at+jwt", which would refuse every Entra ID token', () => {
      expect(() => entraId({ tenantId: TENANT, audience: API_ID, typ: 'at+jwt' })).toThrow(
        expect.objectContaining({ code: 'ERR_INVALID_OPTIONS', field: 'typ' }),
      );
      expect(() =>
        entraId({ tenantId: 'organizations', audience: API_ID, multiTenant: true, typ: 'at+jwt' }),
      ).toThrow(expect.objectContaining({ code: 'ERR_INVALID_OPTIONS', field: 'typ' }));
    });
  });
});
