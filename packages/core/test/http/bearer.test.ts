import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer, request as httpRequest, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  InvalidRequestError,
  InvalidTokenError,
  MissingTokenError,
  OptionsError,
  ValetError,
} from '../../src/errors.js';
import type { BearerRequest } from '../../src/http/bearer-request.js';
import { extractBearerToken } from '../../src/http/bearer.js';
import { renderChallenge } from '../../src/http/challenge.js';
import { errorResponse } from '../../src/http/error-response.js';
import { thrownBy } from '../support/errors.js';

const TOKEN = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2VjcmV0LXNpZ25hdHVyZQ';
const OTHER = 'b3RoZXItc2VjcmV0LXRva2Vu';
const BASIC = 'YWxpY2U6aHVudGVyMg==';

describe('extractBearerToken: well-formed requests (RFC 6750 section 2.1)', () => {
  it.each([
    ['the canonical form', `Bearer ${TOKEN}`],
    ['a lower-case scheme (RFC 9110 11.1: case-insensitive)', `bearer ${TOKEN}`],
    ['an upper-case scheme', `BEARER ${TOKEN}`],
    ['several spaces (RFC 6750 2.1: "Bearer" 1*SP b64token)', `Bearer    ${TOKEN}`],
    ['surrounding whitespace (RFC 9110 5.5: not part of the field value)', ` \tBearer ${TOKEN} \t`],
    ['a one-element header array', [`Bearer ${TOKEN}`]],
  ])('accepts %s', (_name, authorization) => {
    expect(extractBearerToken({ authorization })).toBe(TOKEN);
  });

  it('accepts every b64token character and trailing "="', () => {
    const token = 'AZaz09-._~+/==';
    expect(extractBearerToken({ authorization: `Bearer ${token}` })).toBe(token);
  });

  it('accepts a token of exactly maxTokenBytes', () => {
    const token = 'a'.repeat(8192);
    expect(extractBearerToken({ authorization: `Bearer ${token}` })).toBe(token);
  });

  it('ignores other query parameters, and access_token in a JSON body (not a bearer method)', () => {
    expect(
      extractBearerToken({
        authorization: `Bearer ${TOKEN}`,
        query: '/mcp?session=1&token_hint=x',
        body: { jsonrpc: '2.0', access_token: OTHER },
        contentType: 'application/json',
      }),
    ).toBe(TOKEN);
  });
});

type Case = [
  name: string,
  request: BearerRequest,
  expected: typeof InvalidRequestError | typeof MissingTokenError,
];

describe('Security: malformed Authorization headers are refused, never half-parsed', () => {
  const cases: Case[] = [
    ['no header', {}, MissingTokenError],
    ['an empty header array', { authorization: [] }, MissingTokenError],
    ['an empty header', { authorization: '' }, MissingTokenError],
    ['a header of spaces', { authorization: '   ' }, MissingTokenError],
    ['only "Bearer"', { authorization: 'Bearer' }, InvalidRequestError],
    ['"Bearer" and spaces', { authorization: 'Bearer    ' }, InvalidRequestError],
    ['a tab as separator', { authorization: `Bearer\t${TOKEN}` }, InvalidRequestError],
    ['a space then a tab', { authorization: `Bearer \t${TOKEN}` }, InvalidRequestError],
    ['a colon for a space', { authorization: `Bearer:${TOKEN}` }, InvalidRequestError],
    ['an equals sign for a space', { authorization: `Bearer=${TOKEN}` }, InvalidRequestError],
    ['trailing garbage', { authorization: `Bearer ${TOKEN} garbage` }, InvalidRequestError],
    ['two tokens', { authorization: `Bearer ${TOKEN} ${OTHER}` }, InvalidRequestError],
    ['a tab inside', { authorization: `Bearer ${TOKEN}\t${OTHER}` }, InvalidRequestError],
    ['comma-joined duplicates', { authorization: `Bearer ${TOKEN}, Bearer ${OTHER}` }, InvalidRequestError],
    ['comma-joined without space', { authorization: `Bearer ${TOKEN},Bearer ${OTHER}` }, InvalidRequestError],
    ['an empty first credential', { authorization: `Bearer,Bearer ${TOKEN}` }, InvalidRequestError],
    ['Basic then Bearer', { authorization: `Basic ${BASIC}, Bearer ${TOKEN}` }, InvalidRequestError],
    ['Bearer then Basic', { authorization: `Bearer ${TOKEN}, Basic ${BASIC}` }, InvalidRequestError],
    ['two headers', { authorization: [`Bearer ${TOKEN}`, `Bearer ${OTHER}`] }, InvalidRequestError],
    ['the same header twice', { authorization: [`Bearer ${TOKEN}`, `Bearer ${TOKEN}`] }, InvalidRequestError],
    ['a quoted token', { authorization: `Bearer "${TOKEN}"` }, InvalidRequestError],
    ['an auth-param instead of a token', { authorization: `Bearer token="${TOKEN}"` }, InvalidRequestError],
    ['"=" inside the token', { authorization: `Bearer ab=${TOKEN}` }, InvalidRequestError],
    ['only "="', { authorization: 'Bearer =' }, InvalidRequestError],
    ['non-ASCII in the token', { authorization: `Bearer ${TOKEN}é` }, InvalidRequestError],
    ['CRLF and a smuggled header', { authorization: `Bearer ${TOKEN}\r\nX-Admin: 1` }, InvalidRequestError],
    ['a NUL byte', { authorization: `Bearer ${TOKEN}\0` }, InvalidRequestError],
    ['a backslash', { authorization: `Bearer ${TOKEN}\\` }, InvalidRequestError],
    ['Basic credentials', { authorization: `Basic ${BASIC}` }, MissingTokenError],
    ['Digest credentials', { authorization: 'Digest username="alice", realm="api"' }, MissingTokenError],
    ['a DPoP token', { authorization: `DPoP ${TOKEN}` }, MissingTokenError],
    ['an unregistered scheme', { authorization: `Token ${TOKEN}` }, MissingTokenError],
    ['a token without scheme', { authorization: TOKEN }, MissingTokenError],
    ['"Bearer" glued to the token', { authorization: `Bearer${TOKEN}` }, MissingTokenError],
    ['a token in the query', { query: `access_token=${TOKEN}` }, InvalidRequestError],
    ['a token in the request target', { query: `/mcp?x=1&access_token=${TOKEN}` }, InvalidRequestError],
    ['a percent-encoded query name', { query: `?access%5Ftoken=${TOKEN}` }, InvalidRequestError],
    ['an empty query token', { query: '?access_token=' }, InvalidRequestError],
    [
      'query as URLSearchParams',
      { query: new URLSearchParams({ access_token: TOKEN }) },
      InvalidRequestError,
    ],
    ['query as a parsed object', { query: { access_token: [TOKEN, OTHER] } }, InvalidRequestError],
    [
      'header and query',
      { authorization: `Bearer ${TOKEN}`, query: `access_token=${TOKEN}` },
      InvalidRequestError,
    ],
    [
      'a form body token',
      {
        body: `access_token=${TOKEN}`,
        contentType: 'application/x-www-form-urlencoded; charset=utf-8',
      },
      InvalidRequestError,
    ],
    ['a parsed body token without content type', { body: { access_token: TOKEN } }, InvalidRequestError],
    [
      'header and form body',
      {
        authorization: `Bearer ${TOKEN}`,
        body: new URLSearchParams({ access_token: OTHER }),
        contentType: 'Application/X-WWW-Form-Urlencoded',
      },
      InvalidRequestError,
    ],
  ];

  it.each(cases)('refuses %s', (_name, request, expected) => {
    expect(() => extractBearerToken(request)).toThrow(expected);
  });

  it.each(cases)('never repeats a token or credential in the message or challenge: %s', (_name, request) => {
    const error = thrownBy(() => extractBearerToken(request), ValetError);
    const challenge = renderChallenge(error.challenge ?? {});
    for (const secret of [TOKEN, OTHER, BASIC, 'c2VjcmV0', 'alice']) {
      expect(error.message).not.toContain(secret);
      expect(challenge).not.toContain(secret);
    }
    expect(challenge).toMatch(/^[\x20-\x7e]+$/);
  });

  it('names a registered scheme it refuses, and gives no error code (RFC 6750 3.1)', () => {
    expect(() => extractBearerToken({ authorization: `basic ${BASIC}` })).toThrow(
      expect.objectContaining({ message: expect.stringContaining('"Basic" scheme'), challenge: {} }),
    );
  });
});

describe('Security: oversized tokens (parsing cost)', () => {
  it('refuses a token above 8 KiB as invalid_token too_large', () => {
    expect(() => extractBearerToken({ authorization: `Bearer ${'a'.repeat(8193)}` })).toThrow(
      expect.objectContaining({
        code: 'ERR_INVALID_TOKEN',
        reason: 'too_large',
        message: expect.not.stringContaining('aaaa'),
      }),
    );
  });

  it('honours maxTokenBytes and validates it', () => {
    expect(() =>
      extractBearerToken({ authorization: `Bearer ${'a'.repeat(17)}` }, { maxTokenBytes: 16 }),
    ).toThrow(InvalidTokenError);
    expect(
      extractBearerToken({ authorization: `Bearer ${'a'.repeat(16)}` }, { maxTokenBytes: 16 }),
    ).toHaveLength(16);
    for (const maxTokenBytes of [0, -1, 1.5, Number.NaN]) {
      expect(() => extractBearerToken({ authorization: 'Bearer a' }, { maxTokenBytes })).toThrow(
        expect.objectContaining({ field: 'maxTokenBytes' }),
      );
    }
    expect(() => extractBearerToken({}, { maxTokenBytes: 0 })).toThrow(OptionsError);
  });
});

describe('over real HTTP: what Node hands an adapter', () => {
  let server: Server;
  let port: number;

  beforeAll(async () => {
    server = createServer((req, res) => {
      try {
        const token = extractBearerToken({
          authorization: req.headersDistinct.authorization,
          query: req.url,
        });
        res.writeHead(200, { 'content-type': 'text/plain' }).end(`token of ${token.length} characters`);
      } catch (error) {
        const response = errorResponse(error as ValetError, {
          resourceMetadata: 'http://127.0.0.1/.well-known/x',
        });
        res.writeHead(response.status, response.headers).end(JSON.stringify(response.body));
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });

  afterAll(async () => {
    await new Promise<void>((resolve, reject) =>
      server.close((error) => (error ? reject(error) : resolve())),
    );
  });

  function send(path: string, headers: Record<string, string | string[]>) {
    return new Promise<{ status: number; headers: IncomingHttpHeaders; body: string }>((resolve, reject) => {
      const req = httpRequest({ host: '127.0.0.1', port, path, headers, agent: false }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      });
      req.on('error', reject);
      req.end();
    });
  }

  it('accepts one Bearer header', async () => {
    const response = await send('/mcp', { authorization: `Bearer ${TOKEN}` });
    expect(response.status).toBe(200);
    expect(response.body).toBe(`token of ${TOKEN.length} characters`);
  });

  it('sees both of two Authorization headers (req.headers would keep only the first)', async () => {
    const response = await send('/mcp', { authorization: [`Bearer ${TOKEN}`, `Bearer ${OTHER}`] });
    expect(response.status).toBe(400);
    expect(response.headers['www-authenticate']).toMatch(/^Bearer error="invalid_request"/);
    expect(JSON.parse(response.body)).toMatchObject({ error: 'invalid_request' });
  });

  it('answers no token with 401 and resource_metadata', async () => {
    const response = await send('/mcp', {});
    expect(response.status).toBe(401);
    expect(response.headers['www-authenticate']).toBe(
      'Bearer resource_metadata="http://127.0.0.1/.well-known/x"',
    );
  });

  it('refuses a token in the URL with 400', async () => {
    const response = await send(`/mcp?access_token=${TOKEN}`, {});
    expect(response.status).toBe(400);
    expect(response.body).not.toContain(TOKEN);
  });
});
