import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { OptionsError } from '@valet/core';
import { createTestIssuer, type TestIssuer } from '@valet/testing';
import { loadConfig, type Environment, type IssuerAuth } from '../src/config.js';
import { identityProvider } from '../src/identity-provider.js';

const RESOURCE = 'http://127.0.0.1:3000/mcp';

function auth(env: Environment): IssuerAuth {
  return loadConfig({ VALET_AUDIENCE: 'https://files.example.com/mcp', ...env }).auth as IssuerAuth;
}

describe('identityProvider', () => {
  let issuer: TestIssuer;

  beforeAll(async () => {
    issuer = await createTestIssuer();
  });

  afterAll(async () => {
    await issuer.close();
  });

  it('verifies tokens of a generic issuer by discovery, for the resource URL', async () => {
    const idp = identityProvider(auth({ VALET_ISSUER: issuer.url, VALET_AUDIENCE: RESOURCE }));
    expect(idp).toMatchObject({ name: 'oidc', issuer: issuer.url, authorizationServer: issuer.url });
    const principal = await idp.verifier.verify(
      await issuer.mint({ audience: RESOURCE, scopes: ['files:read'], subject: 'ada' }),
    );
    expect(principal).toMatchObject({ subject: 'ada' });
    expect([...principal.scopes]).toEqual(['files:read']);
    await expect(
      idp.verifier.verify(
        await issuer.mint({ audience: 'http://127.0.0.1:3000/other', scopes: ['files:read'] }),
      ),
    ).rejects.toMatchObject({ reason: 'wrong_audience' });
  });

  it('uses VALET_JWKS_URI instead of discovery', async () => {
    const idp = identityProvider(
      auth({ VALET_ISSUER: issuer.url, VALET_AUDIENCE: RESOURCE, VALET_JWKS_URI: issuer.jwksUri }),
    );
    await expect(idp.verifier.verify(await issuer.mint({ audience: RESOURCE }))).resolves.toMatchObject({
      issuer: issuer.url,
    });
  });

  it('builds each preset from its issuer', () => {
    const built = [
      auth({ VALET_ISSUER: 'https://example.us.auth0.com/', VALET_IDP: 'auth0' }),
      auth({ VALET_ISSUER: 'https://dev-1.okta.com/oauth2/default', VALET_IDP: 'okta' }),
      auth({ VALET_ISSUER: 'https://sso.example.com/realms/acme', VALET_IDP: 'keycloak' }),
      auth({
        VALET_ISSUER: 'https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/v2.0',
        VALET_IDP: 'entra',
        VALET_TOKEN_AUDIENCE: 'c0ffee00-0000-4000-8000-000000000001',
      }),
      auth({
        VALET_ISSUER: 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_AbCdEf123',
        VALET_IDP: 'cognito',
        VALET_CLIENT_ID: '1example23456789',
      }),
      auth({
        VALET_ISSUER: 'https://acme.scalekit.dev/resources/res_1',
        VALET_IDP: 'scalekit',
        VALET_TOKEN_AUDIENCE: 'res_1',
      }),
      auth({ VALET_ISSUER: 'https://acme.authkit.app', VALET_IDP: 'workos' }),
      auth({ VALET_ISSUER: 'https://api.workos.com/user_management/client_1', VALET_IDP: 'workos' }),
    ].map((a) => identityProvider(a));
    expect(built.map((idp) => [idp.name, idp.issuer, idp.authorizationServer])).toEqual([
      ['auth0', 'https://example.us.auth0.com/', 'https://example.us.auth0.com/'],
      ['okta', 'https://dev-1.okta.com/oauth2/default', 'https://dev-1.okta.com/oauth2/default'],
      ['keycloak', 'https://sso.example.com/realms/acme', 'https://sso.example.com/realms/acme'],
      [
        'entra',
        'https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/v2.0',
        'https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/v2.0',
      ],
      [
        'cognito',
        'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_AbCdEf123',
        'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_AbCdEf123',
      ],
      ['scalekit', 'https://acme.scalekit.dev', 'https://acme.scalekit.dev/resources/res_1'],
      ['workos', 'https://acme.authkit.app', 'https://acme.authkit.app'],
      [
        'workos',
        'https://api.workos.com/user_management/client_1',
        'https://api.workos.com/user_management/client_1',
      ],
    ]);
  });

  it('names the environment variable of a setting the preset refuses', () => {
    let error: unknown;
    try {
      identityProvider(
        auth({
          VALET_ISSUER: 'https://cognito-idp.us-east-1.amazonaws.com/eu-west-1_AbCdEf123',
          VALET_IDP: 'cognito',
          VALET_CLIENT_ID: 'c',
        }),
      );
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(OptionsError);
    expect(error).toMatchObject({ field: 'VALET_ISSUER' });
    expect((error as Error).message).toMatch(/^VALET_ISSUER \(VALET_IDP=cognito\): cognito: userPoolId/);
  });
});
