import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CachingVerifier, DPOP_ALGORITHMS, type Valet, type ValetOptions } from '@valet/core';
import { adapterFixture, type AdapterFixture } from '../support/fixture.js';
import {
  CASES,
  CLIENT_ORIGIN,
  LOOPBACK_RESOURCE,
  mintTokens,
  type ConformanceCase,
  type Expectation,
  type Tokens,
} from './cases.js';
import { exchange, parseChallenges, type WireRequest, type WireResponse } from './http-exchange.js';
import { SURFACES, type RunningSurface, type Surface } from './surfaces.js';

let fixture: AdapterFixture;
let tokens: Tokens;

beforeAll(async () => {
  fixture = await adapterFixture();
  tokens = await mintTokens(fixture.issuer);
});

afterAll(() => fixture.close());

function wireRequest(c: ConformanceCase, surface: Surface, valet: Valet): WireRequest {
  if (c.target === 'metadata' || c.target === 'metadata-root') {
    const path = c.target === 'metadata' ? valet.metadataPaths[0]! : valet.metadataPaths.at(-1)!;
    return { method: c.method ?? 'GET', path, headers: [...preflight(c.method), ...(c.headers ?? [])] };
  }
  const base = surface.request(c.target);
  const method = c.method ?? base.method;
  const withBody = method !== 'HEAD' && method !== 'OPTIONS';
  const headers: (readonly [string, string])[] = [
    ...preflight(c.method),
    ...(withBody ? (base.headers ?? []) : []),
    ...(c.headers ?? []),
  ];
  let body = withBody ? base.body : undefined;
  if (c.form !== undefined) {
    headers.splice(0, headers.length, ['Content-Type', 'application/x-www-form-urlencoded']);
    body = c.form(tokens);
  }
  for (const value of c.authorization?.(tokens) ?? []) headers.push(['Authorization', value]);
  const path = c.query === undefined ? base.path : `${base.path}?${c.query(tokens)}`;
  return { method, path, headers, ...(body === undefined ? {} : { body }) };
}

/** A browser's preflight headers, for OPTIONS cases. */
function preflight(method: string | undefined): (readonly [string, string])[] {
  return method === 'OPTIONS'
    ? [
        ['Origin', CLIENT_ORIGIN],
        ['Access-Control-Request-Method', 'GET'],
        ['Access-Control-Request-Headers', 'authorization'],
      ]
    : [];
}

function checkResponse(res: WireResponse, expected: Expectation, surface: Surface, valet: Valet): void {
  expect(res.status).toBeLessThan(500);
  if (expected.status === 'not-challenged') expect([401, 403]).not.toContain(res.status);
  else expect(res.status).toBe(expected.status);

  if (expected.challenge === null) {
    expect(res.challenges).toEqual([]);
  } else {
    expect(res.challenges).toHaveLength(1);
    const [challenge, dpop, ...more] = parseChallenges(res.challenges[0]!);
    expect(challenge!.scheme).toBe('Bearer');
    expect(challenge!.params).toEqual(expected.challenge);
    // DPoP is allowed by default: a 401 offers the DPoP scheme too (RFC 9449 section 7.1).
    if (res.status === 401) {
      expect(dpop).toEqual({
        scheme: 'DPoP',
        params: {
          ...(expected.challenge.scope === undefined ? {} : { scope: expected.challenge.scope }),
          algs: DPOP_ALGORITHMS.join(' '),
          resource_metadata: expected.challenge.resource_metadata,
        },
      });
    } else {
      expect(dpop).toBeUndefined();
    }
    expect(more).toEqual([]);
  }

  const { body } = expected;
  if (body === 'empty') {
    expect(res.body).toBe('');
  } else if (body === 'metadata') {
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.headers['access-control-allow-origin']).toBe('*');
    expect(JSON.parse(res.body)).toEqual(valet.metadata());
  } else if (body !== 'unchecked' && 'error' in body) {
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(JSON.parse(res.body)).toEqual(body);
  } else if (body !== 'unchecked') {
    expect(surface.reached(res.body)).toEqual(body);
  }
}

/** No response may carry a token back, nor the signature that makes it usable. */
function checkNoTokenEchoed(res: WireResponse): void {
  for (const token of Object.values(tokens)) {
    expect(res.raw.includes(token)).toBe(false);
    expect(res.raw.includes(token.split('.').at(-1)!)).toBe(false);
  }
}

/** Each surface with a verifier of no cache, and with a CachingVerifier (where an adapter decides a cached caller at once). */
const RUNS = SURFACES.flatMap((surface) => [
  { surface, name: surface.name, cache: false },
  { surface, name: `${surface.name}, tokens cached`, cache: true },
]);

describe.each(RUNS)('conformance: $name', ({ surface, cache }) => {
  /** The suite's resource (a browser-based client's origin allowed), and one on a loopback host (defaults). */
  const running: Partial<Record<'remote' | 'loopback', { valet: Valet; server: RunningSurface }>> = {};

  beforeAll(async () => {
    const valetWith = (overrides: Partial<ValetOptions>): Valet =>
      fixture.valet({
        ...overrides,
        ...(cache ? { verifier: new CachingVerifier(fixture.countingVerifier()) } : {}),
      });
    for (const [name, overrides] of [
      ['remote', { allowedOrigins: [CLIENT_ORIGIN] }],
      ['loopback', { resource: LOOPBACK_RESOURCE }],
    ] as const) {
      const valet = valetWith(overrides);
      running[name] = { valet, server: await surface.start(valet) };
    }
  });

  afterAll(async () => {
    await running.remote?.server.close();
    await running.loopback?.server.close();
  });

  it.each(CASES)('$name', async (c) => {
    const { valet, server } = running[c.resource ?? 'remote']!;
    const expected = surface.adapt?.(c) ?? c.expect({ surface, metadata: valet.metadata() });
    // With a cache, the request again: its token is now cached (if it was ever good), and must be answered alike.
    for (let sent = 0; sent < (cache ? 2 : 1); sent++) {
      const res = await exchange(server.baseUrl, wireRequest(c, surface, valet));
      checkResponse(res, expected, surface, valet);
      checkNoTokenEchoed(res);
    }
  });

  it('registers each operation once, with its policy, under its kind', () => {
    const { kind, ids } = surface.operations ?? {
      kind: 'route',
      ids: ['GET /files/:id', 'POST /files', 'GET /health'],
    };
    const { valet } = running.remote!;
    expect(valet.registry.frozen).toBe(true);
    expect(valet.registry.operations(kind).map((op) => op.id)).toEqual(ids);
  });
});
