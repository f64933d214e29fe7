import { afterEach, describe, expect, it } from '@jest/globals';
import { generateKeyPair } from 'jose';
import { entraOnBehalfOf } from '../../src/exchange/entra-on-behalf-of.js';
import { keycloakTokenExchange } from '../../src/exchange/keycloak-token-exchange.js';
import { oktaTokenExchange } from '../../src/exchange/okta-token-exchange.js';
import { json, TokenEndpointServer, type ExpectedClient } from './token-endpoint-server.js';

const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const APP = 'c0ffee00-0000-4000-8000-000000000001';
const SUBJECT = 'eyJhbGciOiJSUzI1NiJ9.eyJhdWQiOiJjMGZmZWUwMCJ9.c2ln';

const servers: TokenEndpointServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

/** A token endpoint expecting `client`, closed after the test. */
async function endpoint(client: ExpectedClient): Promise<TokenEndpointServer> {
  const server = await new TokenEndpointServer(client).start();
  servers.push(server);
  return server;
}

/** An Entra ID v2 token endpoint's answer: no issued_token_type, expires_in, ext_expires_in. */
function entraAnswer(form: URLSearchParams) {
  return json({
    token_type: 'Bearer',
    scope: form.get('scope'),
    expires_in: 3599,
    ext_expires_in: 3599,
    access_token: `obo-${form.get('scope')}`,
  });
}

/** A fetch that records where it was sent and answers like an RFC 8693 endpoint. */
function recordingFetch() {
  const calls: { url: string; form: URLSearchParams }[] = [];
  const fetch: typeof globalThis.fetch = async (input, init) => {
    calls.push({ url: String(input), form: new URLSearchParams(String(init?.body)) });
    return new Response(
      JSON.stringify({
        access_token: 'downstream',
        issued_token_type: 'urn:ietf:params:oauth:token-type:access_token',
        token_type: 'Bearer',
        expires_in: 300,
      }),
      { status: 200, headers: { 'content-type': 'application/json' } },
    );
  };
  return { calls, fetch };
}

describe('entraOnBehalfOf: the on-behalf-of request', () => {
  it('sends the jwt-bearer grant, the caller token as assertion, requested_token_use and prefixed scopes', async () => {
    const server = await endpoint({
      method: 'client_secret_post',
      clientId: APP,
      clientSecret: 'entra-secret',
    });
    server.reply = entraAnswer;
    const exchanger = entraOnBehalfOf({
      tenantId: TENANT,
      clientId: APP,
      clientSecret: 'entra-secret',
      tokenEndpoint: server.url,
    });
    const token = await exchanger.exchange({
      subjectToken: SUBJECT,
      audience: 'api://backup/',
      scopes: ['backup.write', 'backup.read'],
    });
    expect(Object.fromEntries(server.tokenRequests[0]!.form)).toEqual({
      grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
      assertion: SUBJECT,
      requested_token_use: 'on_behalf_of',
      scope: 'api://backup/backup.write api://backup/backup.read',
      client_id: APP,
      client_secret: 'entra-secret',
    });
    expect(token).toMatchObject({
      accessToken: 'obo-api://backup/backup.write api://backup/backup.read',
      tokenType: 'Bearer',
      scopes: ['api://backup/backup.write', 'api://backup/backup.read'],
    });
  });

  it('asks for {audience}/.default without scopes, and sends a full scope as is', async () => {
    const { calls, fetch } = recordingFetch();
    const exchanger = entraOnBehalfOf({ tenantId: TENANT, clientId: APP, clientSecret: 's', fetch });
    await exchanger.exchange({ subjectToken: SUBJECT, audience: 'https://graph.microsoft.com', scopes: [] });
    await exchanger.exchange({
      subjectToken: SUBJECT,
      audience: 'https://graph.microsoft.com',
      scopes: ['User.Read', 'https://graph.microsoft.com/Mail.Send'],
    });
    expect(calls.map((call) => call.form.get('scope'))).toEqual([
      'https://graph.microsoft.com/.default',
      'https://graph.microsoft.com/User.Read https://graph.microsoft.com/Mail.Send',
    ]);
    expect(calls[0]!.url).toBe(`https://login.microsoftonline.com/${TENANT}/oauth2/v2.0/token`);
    expect(
      calls[0]!.form.has('audience') || calls[0]!.form.has('resource') || calls[0]!.form.has('subject_token'),
    ).toBe(false);
  });

  it('with a certificate: a PS256 client assertion carrying x5t#S256, aud the token endpoint', async () => {
    const { publicKey, privateKey } = await generateKeyPair('PS256');
    const server = await endpoint({
      method: 'private_key_jwt',
      clientId: APP,
      publicKey,
    });
    server.reply = entraAnswer;
    const exchanger = entraOnBehalfOf({
      tenantId: TENANT,
      clientId: APP,
      privateKey,
      x5tS256: 'c2hhMjU2LXRodW1i',
      tokenEndpoint: server.url,
    });
    await exchanger.exchange({ subjectToken: SUBJECT, audience: 'api://backup', scopes: ['backup.write'] });
    const { assertion, form } = server.tokenRequests[0]!;
    expect(assertion!.header).toEqual({ alg: 'PS256', typ: 'JWT', 'x5t#S256': 'c2hhMjU2LXRodW1i' });
    expect(assertion!.claims).toMatchObject({ iss: APP, sub: APP, aud: server.url });
    expect(form.get('client_id')).toBe(APP);
  });

  it('AADSTS65001 (no consent) is consent_or_scope', async () => {
    const server = await endpoint({
      method: 'client_secret_post',
      clientId: APP,
      clientSecret: 's',
    });
    server.reply = () =>
      json(
        {
          error: 'invalid_grant',
          error_description:
            "AADSTS65001: The user or administrator has not consented to use the application with ID '...'.",
          error_codes: [65001],
          suberror: 'consent_required',
        },
        400,
      );
    const exchanger = entraOnBehalfOf({
      tenantId: TENANT,
      clientId: APP,
      clientSecret: 's',
      tokenEndpoint: server.url,
    });
    await expect(
      exchanger.exchange({ subjectToken: SUBJECT, audience: 'api://backup', scopes: ['backup.write'] }),
    ).rejects.toMatchObject({ reason: 'consent_or_scope', oauthError: 'invalid_grant', status: 403 });
  });

  it.each([
    ['tenantId', { tenantId: 'common', clientId: APP, clientSecret: 's' }],
    ['tenantId', { clientId: APP, clientSecret: 's' }],
    ['clientId', { tenantId: TENANT, clientSecret: 's' }],
    ['clientSecret', { tenantId: TENANT, clientId: APP }],
    ['x5tS256', { tenantId: TENANT, clientId: APP, privateKey: { kty: 'RSA', d: 'x' } }],
    [
      'clientSecret',
      {
        tenantId: TENANT,
        clientId: APP,
        clientSecret: 's',
        privateKey: { kty: 'RSA', d: 'x' },
        x5tS256: 't',
      },
    ],
  ])('refuses a bad %s at construction', (field, options) => {
    expect(() => entraOnBehalfOf(options as never)).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_OPTIONS', field }),
    );
  });
});

describe('oktaTokenExchange and keycloakTokenExchange: the endpoint and the audience parameter', () => {
  const need = { subjectToken: SUBJECT, audience: 'api://backup', scopes: ['backup:write'] };

  it('Okta: {issuer}/v1/token, audience only', async () => {
    const { calls, fetch } = recordingFetch();
    const clientAuth = { clientId: '0oa1', clientSecret: 's' };
    await oktaTokenExchange({
      domain: 'dev-123456.okta.com',
      authorizationServerId: 'aus1',
      clientAuth,
      fetch,
    }).exchange(need);
    await oktaTokenExchange({
      issuer: 'https://dev-123456.okta.com/oauth2/default',
      clientAuth,
      fetch,
    }).exchange(need);
    expect(calls.map((call) => call.url)).toEqual([
      'https://dev-123456.okta.com/oauth2/aus1/v1/token',
      'https://dev-123456.okta.com/oauth2/default/v1/token',
    ]);
    expect(calls[0]!.form.get('audience')).toBe('api://backup');
    expect(calls[0]!.form.has('resource')).toBe(false);
    expect(calls[0]!.form.get('subject_token_type')).toBe('urn:ietf:params:oauth:token-type:access_token');
  });

  it('Okta: the org authorization server is refused', () => {
    expect(() =>
      oktaTokenExchange({
        issuer: 'https://dev-123456.okta.com',
        clientAuth: { clientId: 'a', clientSecret: 'b' },
      }),
    ).toThrow(expect.objectContaining({ field: 'issuer' }));
  });

  it('Keycloak: {url}/realms/{realm}/protocol/openid-connect/token, audience = the target client id', async () => {
    const { calls, fetch } = recordingFetch();
    await keycloakTokenExchange({
      url: 'https://sso.example.com/',
      realm: 'acme',
      clientAuth: { clientId: 'files-mcp', clientSecret: 's' },
      fetch,
    }).exchange({ ...need, audience: 'backup-api' });
    expect(calls[0]!.url).toBe('https://sso.example.com/realms/acme/protocol/openid-connect/token');
    expect(calls[0]!.form.get('audience')).toBe('backup-api');
    expect(calls[0]!.form.has('resource')).toBe(false);
  });
});
