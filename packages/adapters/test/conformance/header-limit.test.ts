import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { adapterFixture, type AdapterFixture } from '../support/fixture.js';
import { EVERY_ADAPTER, type RunningAdapter } from '../support/every-adapter.js';
import { exchange, type WireRequest, type WireResponse } from './http-exchange.js';

let fixture: AdapterFixture;
let token: string;
let other: string;

beforeAll(async () => {
  fixture = await adapterFixture();
  token = await fixture.token(['files:read']);
  other = await fixture.token(['files:read'], 'someone-else');
});

afterAll(() => fixture.close());

/**
 * `request` with header lines put before its own so that its first `Authorization` line is line
 * `line` of the request (counting the `Host` and `Connection` lines `exchange` sends first), then
 * the given `Authorization` lines.
 */
function padded(request: WireRequest, line: number, authorization: readonly string[]): WireRequest {
  const own = request.headers ?? [];
  const filler = Array.from(
    { length: line - 3 - own.length },
    (_, i) => ['X-Filler', String(i % 10)] as const,
  );
  return {
    ...request,
    headers: [...filler, ...own, ...authorization.map((value) => ['Authorization', value] as const)],
  };
}

/** Node 22 and later refuse such a request in the HTTP parser (HPE_HEADER_OVERFLOW); Node 20 drops the lines. */
const NODE_REFUSES_ITSELF = Number(process.versions.node.split('.')[0]) >= 22;

function expectHeadersTooLarge(res: WireResponse): void {
  expect(res.status).toBe(431);
  expect(res.challenges).toEqual([]);
  // Node 22+ answers before any handler, with an empty body (or Fastify's own error body).
  if (!NODE_REFUSES_ITSELF) {
    expect(JSON.parse(res.body)).toEqual({
      error: 'invalid_request',
      error_description: expect.any(String),
    });
  }
  expect(res.raw).not.toContain(token);
  expect(res.raw).not.toContain(other);
}

describe.each(EVERY_ADAPTER)('Security: credentials hidden past the header line limit ($name)', (adapter) => {
  let app: RunningAdapter;

  afterEach(() => app?.close());

  // Node keeps 1000 header lines by default (a few more in rawHeaders, gathered in batches of 32)
  // and drops the rest without a word: two credentials straddling the limit looked like one.
  it.each([1000, 1001, 1023, 1024, 1100])(
    'refuses two Authorization headers, the first on line %i, with 431 before any handler runs',
    async (line) => {
      app = await adapter.start(fixture.valet());
      for (const { request } of adapter.protectedRequests) {
        const res = await exchange(
          app.baseUrl,
          padded(request, line, [`Bearer ${token}`, `Bearer ${other}`]),
        );
        expectHeadersTooLarge(res);
      }
      expect(app.ran).toBe(0);
    },
  );

  it('refuses at the limit the server sets (server.maxHeadersCount), whatever its credentials', async () => {
    app = await adapter.start(fixture.valet());
    app.server.maxHeadersCount = 50;
    const res = await exchange(app.baseUrl, padded(adapter.servedRequest, 60, [`Bearer ${token}`]));
    expectHeadersTooLarge(res);
    expect(app.ran).toBe(0);
    const below = await exchange(app.baseUrl, padded(adapter.servedRequest, 40, [`Bearer ${token}`]));
    expect(below.status).toBe(200);
  });

  it('serves a request with many header lines when the server sets no limit (maxHeadersCount 0)', async () => {
    app = await adapter.start(fixture.valet());
    app.server.maxHeadersCount = 0;
    const res = await exchange(app.baseUrl, padded(adapter.servedRequest, 1100, [`Bearer ${token}`]));
    expect(res.status).toBe(200);
  });

  it('serves a request with many header lines well below the limit', async () => {
    app = await adapter.start(fixture.valet());
    const res = await exchange(app.baseUrl, padded(adapter.servedRequest, 500, [`Bearer ${token}`]));
    expect(res.status).toBe(200);
    expect(app.ran).toBeGreaterThan(0);
  });

  it('still refuses two Authorization headers below the limit with 400 invalid_request', async () => {
    app = await adapter.start(fixture.valet());
    for (const { request } of adapter.protectedRequests) {
      const res = await exchange(app.baseUrl, padded(request, 20, [`Bearer ${token}`, `Bearer ${other}`]));
      expect(res.status).toBe(400);
      expect((JSON.parse(res.body) as { error: string }).error).toBe('invalid_request');
      expect(res.raw).not.toContain(token);
    }
    expect(app.ran).toBe(0);
  });
});
