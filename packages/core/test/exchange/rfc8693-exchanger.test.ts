import { afterEach, describe, expect, it } from '@jest/globals';
import { exportJWK, generateKeyPair } from 'jose';
import { AuthorizationServerUnavailableError, OptionsError } from '../../src/errors.js';
import { tokenExchanger } from '../../src/exchange/rfc8693-exchanger.js';
import type { TokenExchangerOptions } from '../../src/exchange/exchange-options.js';
import { memoryStateStore, type StateStore } from '../../src/state/state-store.js';
import { exchanged, json, TokenEndpointServer, type ExpectedClient } from './token-endpoint-server.js';

const CLIENT_ID = 'files mcp:1';
const CLIENT_SECRET = 'p@ss+word/ü %';
const SUBJECT = 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJlLW9mLWFsaWNl';
const BACKUP = 'https://backup.example.com/api';
const BASIC: ExpectedClient = {
  method: 'client_secret_basic',
  clientId: CLIENT_ID,
  clientSecret: CLIENT_SECRET,
};

const servers: TokenEndpointServer[] = [];
async function endpoint(client: ExpectedClient = BASIC): Promise<TokenEndpointServer> {
  const server = await new TokenEndpointServer(client).start();
  servers.push(server);
  return server;
}
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

function exchangerFor(
  server: TokenEndpointServer,
  extra: Partial<TokenExchangerOptions> = {},
): ReturnType<typeof tokenExchanger> {
  return tokenExchanger({
    tokenEndpoint: server.url,
    clientAuth: { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET },
    ...extra,
  } as TokenExchangerOptions);
}

describe('tokenExchanger: the RFC 8693 request', () => {
  it('posts the caller token as subject_token, asks for an access token for the audience and scopes', async () => {
    const server = await endpoint();
    const token = await exchangerFor(server).exchange({
      subjectToken: SUBJECT,
      audience: BACKUP,
      scopes: ['backup:write', 'backup:read'],
    });
    const [request] = server.tokenRequests;
    expect(Object.fromEntries(request!.form)).toEqual({
      grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
      subject_token: SUBJECT,
      subject_token_type: 'urn:ietf:params:oauth:token-type:access_token',
      requested_token_type: 'urn:ietf:params:oauth:token-type:access_token',
      audience: BACKUP,
      resource: BACKUP,
      scope: 'backup:write backup:read',
    });
    expect(token).toEqual({
      accessToken: expect.stringMatching(/^downstream-/),
      tokenType: 'Bearer',
      expiresAt: expect.any(Number),
      scopes: ['backup:write', 'backup:read'],
    });
    expect(token.expiresAt).toBeGreaterThan(Date.now() + 3500_000);
  });

  it('audienceParam: "both" sends resource only for an absolute URI; "audience" and "resource" send one', async () => {
    const server = await endpoint();
    await exchangerFor(server).exchange({ subjectToken: SUBJECT, audience: 'backup-api', scopes: [] });
    await exchangerFor(server, { audienceParam: 'audience' }).exchange({
      subjectToken: SUBJECT,
      audience: BACKUP,
      scopes: [],
    });
    await exchangerFor(server, { audienceParam: 'resource' }).exchange({
      subjectToken: 'other',
      audience: BACKUP,
      scopes: [],
    });
    const forms = server.tokenRequests.map((request) => request.form);
    expect([forms[0]!.get('audience'), forms[0]!.has('resource'), forms[0]!.has('scope')]).toEqual([
      'backup-api',
      false,
      false,
    ]);
    expect([forms[1]!.get('audience'), forms[1]!.has('resource')]).toEqual([BACKUP, false]);
    expect([forms[2]!.has('audience'), forms[2]!.get('resource')]).toEqual([false, BACKUP]);
    await expect(
      exchangerFor(server, { audienceParam: 'resource' }).exchange({
        subjectToken: SUBJECT,
        audience: 'backup-api',
        scopes: [],
      }),
    ).rejects.toMatchObject({ code: 'ERR_INVALID_OPTIONS', field: 'audience' });
  });

  it('client_secret_basic form-encodes id and secret before base64 (RFC 6749 section 2.3.1)', async () => {
    const server = await endpoint();
    await exchangerFor(server).exchange({ subjectToken: SUBJECT, audience: BACKUP, scopes: [] });
    expect(server.tokenRequests[0]!.authorization).toBe(
      `Basic ${Buffer.from('files+mcp%3A1:p%40ss%2Bword%2F%C3%BC+%25').toString('base64')}`,
    );
    expect(server.tokenRequests[0]!.form.has('client_secret')).toBe(false);
  });

  it('client_secret_post puts id and secret in the form', async () => {
    const server = await endpoint({
      method: 'client_secret_post',
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
    });
    const exchanger = exchangerFor(server, {
      clientAuth: { method: 'client_secret_post', clientId: CLIENT_ID, clientSecret: CLIENT_SECRET },
    });
    await expect(
      exchanger.exchange({ subjectToken: SUBJECT, audience: BACKUP, scopes: [] }),
    ).resolves.toBeDefined();
  });

  it('private_key_jwt signs an RFC 7523 assertion: iss = sub = client id, aud = token endpoint, jti, short exp', async () => {
    const { publicKey, privateKey } = await generateKeyPair('ES256');
    const server = await endpoint({ method: 'private_key_jwt', clientId: CLIENT_ID, publicKey });
    const clientAuth = {
      method: 'private_key_jwt',
      clientId: CLIENT_ID,
      privateKey,
      alg: 'ES256',
      kid: 'k1',
    } as const;
    const exchanger = exchangerFor(server, { clientAuth });
    await exchanger.exchange({ subjectToken: SUBJECT, audience: BACKUP, scopes: ['a'] });
    await exchanger.exchange({ subjectToken: SUBJECT, audience: BACKUP, scopes: ['b'] });
    const [first, second] = server.tokenRequests;
    expect(first!.form.get('client_id')).toBe(CLIENT_ID);
    expect(first!.assertion!.header).toEqual({ alg: 'ES256', typ: 'JWT', kid: 'k1' });
    const { claims } = first!.assertion!;
    expect(claims).toMatchObject({ iss: CLIENT_ID, sub: CLIENT_ID, aud: server.url });
    expect(claims.exp! - claims.iat!).toBeLessThanOrEqual(60);
    expect(claims.jti).not.toBe(second!.assertion!.claims.jti);
  });

  it('private_key_jwt takes a private JWK too', async () => {
    const { publicKey, privateKey } = await generateKeyPair('PS256', { extractable: true });
    const server = await endpoint({ method: 'private_key_jwt', clientId: CLIENT_ID, publicKey });
    const jwk = await exportJWK(privateKey);
    const exchanger = exchangerFor(server, {
      clientAuth: {
        method: 'private_key_jwt',
        clientId: CLIENT_ID,
        privateKey: jwk,
        alg: 'PS256',
        x5tS256: 'thumb',
      },
    });
    await exchanger.exchange({ subjectToken: SUBJECT, audience: BACKUP, scopes: [] });
    expect(server.tokenRequests[0]!.assertion!.header['x5t#S256']).toBe('thumb');
  });
});

describe('tokenExchanger: the token endpoint from discovery', () => {
  it('reads token_endpoint from the issuer metadata once', async () => {
    const server = await endpoint();
    const exchanger = tokenExchanger({
      issuer: server.origin,
      clientAuth: { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET },
    });
    await exchanger.exchange({ subjectToken: SUBJECT, audience: BACKUP, scopes: ['a'] });
    await exchanger.exchange({ subjectToken: SUBJECT, audience: BACKUP, scopes: ['b'] });
    expect(server.tokenRequests).toHaveLength(2);
    expect(server.discoveries).toBe(1);
  });

  it('a failed discovery is a 503 and backs off: the next exchange fails at once, without a request', async () => {
    const server = await endpoint();
    server.discoveryFails = true;
    const exchanger = tokenExchanger({
      issuer: server.origin,
      clientAuth: { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET },
    });
    const request = { subjectToken: SUBJECT, audience: BACKUP, scopes: [] };
    await expect(exchanger.exchange(request)).rejects.toMatchObject({
      code: 'ERR_AUTHORIZATION_SERVER_UNAVAILABLE',
      reason: 'discovery_failed',
      status: 503,
    });
    const discoveries = server.discoveries;
    await expect(exchanger.exchange(request)).rejects.toBeInstanceOf(AuthorizationServerUnavailableError);
    expect(server.discoveries).toBe(discoveries);
    expect(server.tokenRequests).toHaveLength(0);
  });
});

describe('tokenExchanger: the cache', () => {
  const request = { subjectToken: SUBJECT, audience: BACKUP, scopes: ['backup:write'] };

  it('answers a second exchange of the same token, audience and scopes from the cache', async () => {
    const server = await endpoint();
    const exchanger = exchangerFor(server);
    const first = await exchanger.exchange(request);
    const second = await exchanger.exchange({ ...request, scopes: ['backup:write', 'backup:write'] });
    expect(second).toEqual(first);
    expect(server.tokenRequests).toHaveLength(1);
  });

  it('keeps audiences, scopes and caller tokens apart; scope order does not matter', async () => {
    const server = await endpoint();
    const exchanger = exchangerFor(server);
    const a = await exchanger.exchange({ ...request, scopes: ['x', 'y'] });
    const b = await exchanger.exchange({ ...request, scopes: ['y', 'x'] });
    const c = await exchanger.exchange({ ...request, scopes: ['x'] });
    const d = await exchanger.exchange({ ...request, audience: 'https://mail.example.com/', scopes: ['x'] });
    const e = await exchanger.exchange({ ...request, subjectToken: 'another-caller', scopes: ['x'] });
    expect(b.accessToken).toBe(a.accessToken);
    expect(new Set([a, c, d, e].map((token) => token.accessToken)).size).toBe(4);
    expect(server.tokenRequests).toHaveLength(4);
  });

  it('never hands out a token past its expiry: it is dropped 10% of its life (at most 30 s) before', async () => {
    let now = 1_900_000_000_000;
    const clock = () => now;
    const server = await endpoint();
    server.reply = (form) => json(exchanged(form, { expires_in: 100 }));
    const exchanger = exchangerFor(server, { clock, store: memoryStateStore({ clock }) });
    const first = await exchanger.exchange(request);
    expect(first.expiresAt).toBe(now + 100_000);
    now += 89_000;
    await expect(exchanger.exchange(request)).resolves.toEqual(first);
    now += 2_000;
    const renewed = await exchanger.exchange(request);
    expect(renewed.accessToken).not.toBe(first.accessToken);
    expect(server.tokenRequests).toHaveLength(2);
  });

  it('trusts its own clock over the store: an entry the store still holds is not used past its time', async () => {
    let now = 1_900_000_000_000;
    const server = await endpoint();
    server.reply = (form) => json(exchanged(form, { expires_in: 100 }));
    const exchanger = exchangerFor(server, { clock: () => now, store: memoryStateStore() });
    await exchanger.exchange(request);
    now += 95_000;
    await exchanger.exchange(request);
    expect(server.tokenRequests).toHaveLength(2);
  });

  it('caches a token without expires_in for 60 s (less the margin)', async () => {
    let now = 1_900_000_000_000;
    const clock = () => now;
    const server = await endpoint();
    server.reply = (form) => json(exchanged(form, { expires_in: undefined }));
    const exchanger = exchangerFor(server, { clock, store: memoryStateStore({ clock }) });
    expect((await exchanger.exchange(request)).expiresAt).toBe(now + 60_000);
    now += 53_000;
    await exchanger.exchange(request);
    now += 2_000;
    await exchanger.exchange(request);
    expect(server.tokenRequests).toHaveLength(2);
  });

  it('is shared by two exchangers on one store (two instances on Redis), under a hash, never the caller token', async () => {
    const server = await endpoint();
    const entries = new Map<string, string>();
    const base = memoryStateStore();
    const store: StateStore = {
      ...base,
      async set(key, value, ttlMs) {
        entries.set(key, value);
        return base.set(key, value, ttlMs);
      },
    };
    const first = await exchangerFor(server, { store }).exchange(request);
    await expect(exchangerFor(server, { store }).exchange(request)).resolves.toEqual(first);
    expect(server.tokenRequests).toHaveLength(1);
    const [key, value] = [...entries][0]!;
    expect(key).toMatch(/^valet:exchange:[A-Za-z0-9_-]{43}$/);
    for (const segment of SUBJECT.split('.')) expect(`${key} ${value}`).not.toContain(segment);
  });

  it('is not shared with another client of the same server', async () => {
    const server = await endpoint();
    const store = memoryStateStore();
    await exchangerFor(server, { store }).exchange(request);
    await exchangerFor(server, {
      store,
      clientAuth: { clientId: 'another-client', clientSecret: 'x' },
    })
      .exchange(request)
      .catch(() => undefined);
    expect(server.tokenRequests).toHaveLength(2);
  });

  it('shares one request between concurrent exchanges of one key', async () => {
    const server = await endpoint();
    server.delayMs = 50;
    const exchanger = exchangerFor(server);
    const tokens = await Promise.all(Array.from({ length: 5 }, () => exchanger.exchange(request)));
    expect(new Set(tokens.map((token) => token.accessToken)).size).toBe(1);
    expect(server.tokenRequests).toHaveLength(1);
  });

  it('exchanges anyway when the store fails', async () => {
    const server = await endpoint();
    const broken: StateStore = {
      ...memoryStateStore(),
      get: async () => {
        throw new Error('store down');
      },
      set: async () => {
        throw new Error('store down');
      },
    };
    const exchanger = exchangerFor(server, { store: broken });
    await expect(exchanger.exchange(request)).resolves.toBeDefined();
    await expect(exchanger.exchange(request)).resolves.toBeDefined();
    expect(server.tokenRequests).toHaveLength(2);
  });
});

describe('tokenExchanger: the answer is checked', () => {
  const request = { subjectToken: SUBJECT, audience: BACKUP, scopes: [] };
  it.each([
    ['no access_token', { access_token: undefined }],
    ['another issued_token_type', { issued_token_type: 'urn:ietf:params:oauth:token-type:id_token' }],
    ['no issued_token_type', { issued_token_type: undefined }],
    ['token_type N_A', { token_type: 'N_A' }],
    ['a negative expires_in', { expires_in: -5 }],
  ])('%s is invalid_response (502), not a token', async (_name, extra) => {
    const server = await endpoint();
    server.reply = (form) => json(exchanged(form, extra));
    await expect(exchangerFor(server).exchange(request)).rejects.toMatchObject({
      code: 'ERR_TOKEN_EXCHANGE',
      reason: 'invalid_response',
      status: 502,
    });
  });
});

describe('tokenExchanger: options are checked at construction', () => {
  const clientAuth = { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET };
  it.each([
    ['tokenEndpoint', { clientAuth }],
    [
      'tokenEndpoint',
      { clientAuth, issuer: 'https://as.example.com', tokenEndpoint: 'https://as.example.com/token' },
    ],
    ['tokenEndpoint', { clientAuth, tokenEndpoint: 'http://as.example.com/token' }],
    ['audienceParam', { clientAuth, tokenEndpoint: 'https://as.example.com/token', audienceParam: 'aud' }],
    ['clientAuth', { tokenEndpoint: 'https://as.example.com/token' }],
    [
      'clientAuth.clientSecret',
      { tokenEndpoint: 'https://as.example.com/token', clientAuth: { clientId: 'x' } },
    ],
    [
      'clientAuth.method',
      { tokenEndpoint: 'https://as.example.com/token', clientAuth: { method: 'none', clientId: 'x' } },
    ],
    [
      'clientAuth.alg',
      {
        tokenEndpoint: 'https://as.example.com/token',
        clientAuth: {
          method: 'private_key_jwt',
          clientId: 'x',
          privateKey: { kty: 'oct', k: 'c2VjcmV0' },
          alg: 'HS256',
        },
      },
    ],
    [
      'clientAuth.privateKey',
      {
        tokenEndpoint: 'https://as.example.com/token',
        clientAuth: {
          method: 'private_key_jwt',
          clientId: 'x',
          privateKey: { kty: 'EC', crv: 'P-256', x: 'a', y: 'b' },
          alg: 'ES256',
        },
      },
    ],
    ['timeoutMs', { clientAuth, tokenEndpoint: 'https://as.example.com/token', timeoutMs: 0 }],
    ['store', { clientAuth, tokenEndpoint: 'https://as.example.com/token', store: {} }],
  ])('refuses a bad %s', (field, options) => {
    expect(() => tokenExchanger(options as unknown as TokenExchangerOptions)).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_OPTIONS', field }),
    );
  });

  it('refuses a public key for private_key_jwt', async () => {
    const { publicKey } = await generateKeyPair('ES256');
    expect(() =>
      tokenExchanger({
        tokenEndpoint: 'https://as.example.com/token',
        clientAuth: { method: 'private_key_jwt', clientId: 'x', privateKey: publicKey, alg: 'ES256' },
      }),
    ).toThrow(OptionsError);
  });

  it('refuses a request a declaration could not produce, before any I/O', async () => {
    const exchanger = tokenExchanger({ tokenEndpoint: 'https://as.example.com/token', clientAuth });
    await expect(
      exchanger.exchange({ subjectToken: '', audience: BACKUP, scopes: [] }),
    ).rejects.toMatchObject({
      field: 'subjectToken',
    });
    await expect(
      exchanger.exchange({ subjectToken: SUBJECT, audience: BACKUP, scopes: ['a b'] }),
    ).rejects.toMatchObject({
      field: 'scopes',
    });
  });
});
