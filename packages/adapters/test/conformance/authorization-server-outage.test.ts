import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { JwtVerifier, type Valet } from '@valet/core';
import { adapterFixture, RESOURCE, type AdapterFixture } from '../support/fixture.js';
import { EVERY_ADAPTER, type RunningAdapter } from '../support/every-adapter.js';
import { exchange, type WireRequest, type WireResponse } from './http-exchange.js';

let fixture: AdapterFixture;
let token: string;

beforeAll(async () => {
  fixture = await adapterFixture();
  token = await fixture.token(['files:read']);
});

afterAll(() => fixture.close());

/** A Valet whose verifier has never fetched the keys: nothing cached to fall back on. */
function freshValet(): Valet {
  const { issuer } = fixture;
  return fixture.valet({
    verifier: new JwtVerifier({ issuer: issuer.url, audience: RESOURCE, jwksUri: issuer.jwksUri }),
  });
}

const withToken = (request: WireRequest, value: string): WireRequest => ({
  ...request,
  headers: [...(request.headers ?? []), ['Authorization', `Bearer ${value}`]],
});

/** `token` with its signature's first character changed: a bad token for keys the verifier has. */
function tampered(value: string): string {
  const dot = value.lastIndexOf('.') + 1;
  return `${value.slice(0, dot)}${value[dot] === 'A' ? 'B' : 'A'}${value.slice(dot + 1)}`;
}

function expectUnavailable(res: WireResponse): void {
  expect(res.status).toBe(503);
  expect(res.headers['retry-after']).toMatch(/^[1-9][0-9]*$/);
  expect(res.challenges).toEqual([]);
  expect(res.headers['content-type']).toMatch(/^application\/json/);
  expect(JSON.parse(res.body)).toEqual({
    error: 'temporarily_unavailable',
    error_description: 'The authorization server cannot be reached right now; retry later.',
  });
  expect(res.raw).not.toContain(token);
}

/** Sends `request` until it is answered 200 or `withinMs` is over; the last answer. */
async function pollUntilServed(
  baseUrl: string,
  request: WireRequest,
  withinMs: number,
): Promise<WireResponse> {
  const deadline = Date.now() + withinMs;
  for (;;) {
    const res = await exchange(baseUrl, request);
    if (res.status === 200 || Date.now() > deadline) return res;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe.each(EVERY_ADAPTER)('Security: authorization server outage ($name)', (adapter) => {
  let app: RunningAdapter;

  afterEach(async () => {
    fixture.issuer.startJwks();
    await app?.close();
  });

  it('answers 503 with Retry-After and no challenge while the JWKS is down, before any handler runs', async () => {
    fixture.issuer.stopJwks();
    app = await adapter.start(freshValet());
    for (const { request } of adapter.protectedRequests) {
      const started = Date.now();
      expectUnavailable(await exchange(app.baseUrl, withToken(request, token)));
      expect(Date.now() - started).toBeLessThan(3000);
    }
    expect(app.ran).toBe(0);
  });

  it('answers 503 within seconds while the JWKS endpoint hangs', async () => {
    fixture.issuer.stopJwks('hang');
    app = await adapter.start(freshValet());
    const started = Date.now();
    expectUnavailable(await exchange(app.baseUrl, withToken(adapter.servedRequest, token)));
    expect(Date.now() - started).toBeLessThan(3500);
    expect(app.ran).toBe(0);
  });

  it('serves the same token once the JWKS is back', async () => {
    fixture.issuer.stopJwks();
    app = await adapter.start(freshValet());
    expectUnavailable(await exchange(app.baseUrl, withToken(adapter.servedRequest, token)));
    fixture.issuer.startJwks();
    const res = await pollUntilServed(app.baseUrl, withToken(adapter.servedRequest, token), 8000);
    expect(res.status).toBe(200);
    expect(app.ran).toBeGreaterThan(0);
  });

  it('still answers a bad token 401 invalid_token while the JWKS is up', async () => {
    app = await adapter.start(freshValet());
    for (const { request } of adapter.protectedRequests) {
      const bad = tampered(token);
      const res = await exchange(app.baseUrl, withToken(request, bad));
      expect(res.status).toBe(401);
      expect(res.headers['retry-after']).toBeUndefined();
      expect(res.challenges).toHaveLength(1);
      expect(res.challenges[0]).toContain('error="invalid_token"');
      expect((JSON.parse(res.body) as { error: string }).error).toBe('invalid_token');
      expect(res.raw).not.toContain(bad);
    }
    expect(app.ran).toBe(0);
  });
});
