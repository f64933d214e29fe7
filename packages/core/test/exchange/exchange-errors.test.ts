import { afterEach, describe, expect, it } from '@jest/globals';
import { AuthorizationServerUnavailableError, TokenExchangeError } from '../../src/errors.js';
import { tokenExchanger } from '../../src/exchange/rfc8693-exchanger.js';
import { errorResponse } from '../../src/http/error-response.js';
import { rejectionOf } from '../support/errors.js';
import { json, TokenEndpointServer, type Reply } from './token-endpoint-server.js';

const CLIENT = { method: 'client_secret_basic', clientId: 'files-mcp', clientSecret: 's3cret' } as const;
const SUBJECT = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbGljZSIsInNjcCI6ImZpbGVzIn0.U2lnbmF0dXJlT2ZBbGljZXNUb2tlbg';
const REQUEST = {
  subjectToken: SUBJECT,
  audience: 'https://backup.example.com/api',
  scopes: ['backup:write'],
};

const servers: TokenEndpointServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function answering(reply: Reply, timeoutMs = 5000) {
  const server = await new TokenEndpointServer(CLIENT).start();
  servers.push(server);
  server.reply = () => reply;
  const exchanger = tokenExchanger({
    tokenEndpoint: server.url,
    clientAuth: { clientId: CLIENT.clientId, clientSecret: CLIENT.clientSecret },
    timeoutMs,
  });
  return { server, exchanger };
}

const AADSTS65001 =
  "AADSTS65001: The user or administrator has not consented to use the application with ID 'c0ffee00-0000-4000-8000-000000000001' " +
  "named 'files-mcp'. Send an interactive authorization request for this user and resource.\r\n" +
  'Trace ID: 0000aaaa-11bb-cccc-dd22-eeeeee333333\r\nCorrelation ID: aaaa0000-bb11-2222-33cc-444444dddddd';

describe('Security: refusals are told apart, so only a missing grant becomes a step-up', () => {
  it.each([
    ['invalid_scope', { error: 'invalid_scope', error_description: 'scope backup:write is not allowed' }],
    ['consent_required', { error: 'consent_required' }],
    [
      'interaction_required',
      { error: 'interaction_required', error_description: 'AADSTS50079: MFA required' },
    ],
    ['Entra AADSTS65001 in error_description', { error: 'invalid_grant', error_description: AADSTS65001 }],
    ['Entra suberror consent_required', { error: 'invalid_grant', suberror: 'consent_required' }],
    ['Entra error_codes [65001]', { error: 'invalid_grant', error_codes: [65001] }],
  ])('%s: consent_or_scope, 403', async (_name, body) => {
    const { exchanger } = await answering(json(body, 400));
    const error = await rejectionOf(exchanger.exchange(REQUEST), TokenExchangeError);
    expect(error).toMatchObject({
      code: 'ERR_TOKEN_EXCHANGE',
      status: 403,
      reason: 'consent_or_scope',
      oauthError: body.error,
      audience: REQUEST.audience,
      scopes: REQUEST.scopes,
    });
  });

  it.each([
    ['invalid_grant', { error: 'invalid_grant', error_description: 'subject token expired' }],
    ['unauthorized_client', { error: 'unauthorized_client' }],
    ['invalid_target', { error: 'invalid_target' }],
    ['invalid_request', { error: 'invalid_request' }],
    ['unsupported_grant_type', { error: 'unsupported_grant_type' }],
    ['access_denied', { error: 'access_denied' }],
  ])('%s: refused, 502', async (_name, body) => {
    const { exchanger } = await answering(json(body, 400));
    await expect(exchanger.exchange(REQUEST)).rejects.toMatchObject({
      code: 'ERR_TOKEN_EXCHANGE',
      status: 502,
      reason: 'refused',
      oauthError: body.error,
    });
  });

  it('a wrong client secret (401 invalid_client) is refused, 502', async () => {
    const server = await new TokenEndpointServer(CLIENT).start();
    servers.push(server);
    const exchanger = tokenExchanger({
      tokenEndpoint: server.url,
      clientAuth: { clientId: CLIENT.clientId, clientSecret: 'wrong' },
    });
    await expect(exchanger.exchange(REQUEST)).rejects.toMatchObject({
      reason: 'refused',
      oauthError: 'invalid_client',
    });
  });

  it('a refusal is not cached: the next call asks again', async () => {
    const { server, exchanger } = await answering(json({ error: 'consent_required' }, 400));
    await expect(exchanger.exchange(REQUEST)).rejects.toBeInstanceOf(TokenExchangeError);
    await expect(exchanger.exchange(REQUEST)).rejects.toBeInstanceOf(TokenExchangeError);
    expect(server.tokenRequests).toHaveLength(2);
  });
});

describe('An authorization server that fails is a 503, not a refusal', () => {
  it.each([
    ['HTTP 500', json({ error: 'server_error' }, 500)],
    [
      'HTTP 502 from a proxy, HTML',
      (res: Parameters<Reply>[0]) => res.writeHead(502).end('<html>bad gateway</html>'),
    ],
    [
      '200 with a body that is not JSON',
      (res: Parameters<Reply>[0]) => res.writeHead(200).end('access_token=abc'),
    ],
    ['400 without an OAuth error', json({ message: 'nope' }, 400)],
  ])('%s', async (_name, reply) => {
    const { exchanger } = await answering(reply);
    await expect(exchanger.exchange(REQUEST)).rejects.toMatchObject({
      code: 'ERR_AUTHORIZATION_SERVER_UNAVAILABLE',
      reason: 'token_exchange_failed',
      status: 503,
    });
  });

  it('passes on a numeric Retry-After', async () => {
    const { exchanger } = await answering(
      json({ error: 'temporarily_unavailable' }, 503, { 'retry-after': '7' }),
    );
    await expect(exchanger.exchange(REQUEST)).rejects.toMatchObject({ retryAfter: 7 });
  });

  it('a timeout', async () => {
    const { server, exchanger } = await answering(json({}), 100);
    server.delayMs = 1000;
    const error = await rejectionOf(exchanger.exchange(REQUEST), AuthorizationServerUnavailableError);
    expect(error.message).toBe('The token endpoint did not answer within 100 ms.');
  });

  it('a token endpoint that is not listening', async () => {
    const server = await new TokenEndpointServer(CLIENT).start();
    const url = server.url;
    await server.close();
    const exchanger = tokenExchanger({
      tokenEndpoint: url,
      clientAuth: { clientId: 'x', clientSecret: 'y' },
    });
    await expect(exchanger.exchange(REQUEST)).rejects.toMatchObject({
      reason: 'token_exchange_failed',
      status: 503,
    });
  });
});

describe('Security: no token in any error', () => {
  const echoes: [string, Reply][] = [
    [
      'the token in error_description',
      json({ error: 'invalid_grant', error_description: `bad subject_token ${SUBJECT}` }, 400),
    ],
    [
      'a token segment in error_description',
      json(
        { error: 'invalid_scope', error_description: `payload ${SUBJECT.split('.')[1]} lacks scope` },
        400,
      ),
    ],
    ['the token as the error code', json({ error: SUBJECT }, 400)],
    ['the token in a 500 body', json({ error: 'server_error', error_description: SUBJECT }, 500)],
    ['the token in a non-JSON body', (res) => res.writeHead(400).end(SUBJECT)],
    [
      'a token-like run in error_description',
      json({ error: 'invalid_grant', error_description: `x ${'A'.repeat(80)} y` }, 400),
    ],
    ['an issued token in a broken answer', json({ access_token: SUBJECT, token_type: 'N_A' }, 200)],
  ];

  it.each(echoes)('%s', async (_name, reply) => {
    const { exchanger } = await answering(reply);
    const error = await exchanger.exchange(REQUEST).then(
      () => {
        throw new Error('expected a rejection');
      },
      (caught: unknown) => caught as Error,
    );
    const seen = [
      error.message,
      String(error),
      JSON.stringify(error),
      JSON.stringify({ ...error }),
      String((error as { cause?: unknown }).cause ?? ''),
    ].join('\n');
    for (const segment of [...SUBJECT.split('.'), 'A'.repeat(40)]) expect(seen).not.toContain(segment);
  });

  it('keeps the useful part of a description for logs: first line, no trace lines', async () => {
    const { exchanger } = await answering(
      json({ error: 'invalid_grant', error_description: AADSTS65001 }, 400),
    );
    const error = await rejectionOf(exchanger.exchange(REQUEST), TokenExchangeError);
    expect(error.description).toMatch(/^AADSTS65001: The user or administrator has not consented/);
    expect(error.description).not.toContain('Trace ID');
    expect(error.message).not.toContain('AADSTS65001');
  });
});

describe('errorResponse of a TokenExchangeError that reaches an adapter untranslated', () => {
  it('consent_or_scope: 403 access_denied with the message', () => {
    const error = new TokenExchangeError('consent_or_scope', 'more consent needed', {
      audience: 'a',
      scopes: [],
    });
    expect(errorResponse(error)).toMatchObject({
      status: 403,
      body: { error: 'access_denied', error_description: 'more consent needed' },
    });
  });

  it('refused: 502 with a fixed sentence', () => {
    const error = new TokenExchangeError('refused', 'check the client registration', {
      audience: 'a',
      scopes: [],
    });
    const response = errorResponse(error);
    expect(response.status).toBe(502);
    expect(response.body.error).toBe('server_error');
    expect(response.body.error_description).not.toContain('client registration');
  });
});
