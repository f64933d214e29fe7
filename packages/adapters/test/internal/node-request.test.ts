import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from '@jest/globals';
import { admitRequest } from '../../src/internal/node-request.js';

/** A Node request as far as `admitRequest` reads it: raw header lines and the target. */
const request = (rawHeaders: readonly string[], url = '/mcp'): IncomingMessage =>
  ({ rawHeaders: [...rawHeaders], url }) as unknown as IncomingMessage;

describe('admitRequest: Origin and Host for the DNS rebinding check', () => {
  it('passes Origin and Host as sent, whatever the case of their names', () => {
    const admit = admitRequest(
      request(['HOST', '127.0.0.1:3000', 'origin', 'http://localhost:5173']),
      undefined,
      {},
    );
    expect(admit).toMatchObject({ origin: 'http://localhost:5173', host: '127.0.0.1:3000' });
  });

  it('leaves them undefined when the request has none (a non-browser client)', () => {
    const admit = admitRequest(request(['Authorization', 'Bearer abc']), undefined, {});
    expect(admit.origin).toBeUndefined();
    expect(admit.host).toBeUndefined();
  });

  it('joins a repeated header with ", " (which core refuses), where req.headers.host keeps the first', () => {
    const admit = admitRequest(
      request([
        'Host',
        'localhost:3000',
        'Origin',
        'http://localhost:3000',
        'Host',
        'evil.example',
        'Origin',
        'https://evil.example',
      ]),
      undefined,
      {},
    );
    expect(admit).toMatchObject({
      origin: 'http://localhost:3000, https://evil.example',
      host: 'localhost:3000, evil.example',
    });
  });

  it('takes HTTP/2 :authority when there is no Host', () => {
    expect(admitRequest(request([':authority', 'evil.example:3000']), undefined, {}).host).toBe(
      'evil.example:3000',
    );
    expect(
      admitRequest(request([':authority', 'localhost:3000', 'host', 'localhost:3000']), undefined, {}).host,
    ).toBe('localhost:3000');
  });
});

describe('admitRequest: what a DPoP proof is checked against', () => {
  it('passes the method, the target as received and every DPoP header', () => {
    const req = Object.assign(request(['DPoP', 'proof-1', 'dpop', 'proof-2'], '/mcp?x=1'), {
      method: 'POST',
    });
    expect(admitRequest(req, undefined, {})).toMatchObject({
      method: 'POST',
      url: '/mcp?x=1',
      dpop: ['proof-1', 'proof-2'],
    });
  });

  it("prefers Express's req.originalUrl: a router mounted on a path rewrites req.url", () => {
    const req = Object.assign(request([], '/files/1'), { method: 'GET', originalUrl: '/v1/files/1?y=2' });
    expect(admitRequest(req, undefined, {})).toMatchObject({
      url: '/v1/files/1?y=2',
      query: '?y=2',
      dpop: undefined,
    });
  });
});
