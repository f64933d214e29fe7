import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { DPOP_ALGORITHMS, memoryStateStore, type Valet, type ValetOptions } from '@valet/core';
import { createDpopKey, type DpopKey, type DpopProofInit } from '@valet/testing';
import { createHmac, webcrypto } from 'node:crypto';
import { RESOURCE, adapterFixture, type AdapterFixture } from '../support/fixture.js';
import { EVERY_ADAPTER, type AdapterUnderTest, type RunningAdapter } from '../support/every-adapter.js';
import { exchange, parseChallenges, type WireRequest, type WireResponse } from './http-exchange.js';

/** The origin clients call: the adapters listen on 127.0.0.1, as behind a proxy. */
const ORIGIN = new URL(RESOURCE).origin;
const NONCE_SECRET = 'conformance-nonce-secret-of-32-bytes!';

let fixture: AdapterFixture;
let key: DpopKey;
let otherKey: DpopKey;
let bound: string;
let unbound: string;

beforeAll(async () => {
  fixture = await adapterFixture();
  [key, otherKey] = await Promise.all([createDpopKey(), createDpopKey()]);
  bound = await fixture.issuer.mint({
    scopes: ['files:read'],
    audience: RESOURCE,
    claims: { cnf: { jkt: key.jkt } },
  });
  unbound = await fixture.token(['files:read']);
});

afterAll(() => fixture.close());

interface Attempt {
  /** The Authorization value; default `DPoP <bound>`. */
  readonly authorization?: string;
  /** DPoP header lines; default one valid proof for the request. */
  readonly dpop?: readonly string[];
}

/** The adapter's served request with these credentials. */
function withCredentials(request: WireRequest, { authorization, dpop }: Required<Attempt>): WireRequest {
  return {
    ...request,
    headers: [
      ...(request.headers ?? []),
      ['Authorization', authorization],
      ...dpop.map((proof) => ['DPoP', proof] as const),
    ],
  };
}

/** A proof for `request` as clients call it (on the resource's origin), with `init` over the defaults. */
function proofFor(request: WireRequest, init: Partial<DpopProofInit> = {}): Promise<string> {
  return key.proof({ method: request.method, url: `${ORIGIN}${request.path}`, accessToken: bound, ...init });
}

function expectNoEcho(res: WireResponse, ...secrets: string[]): void {
  for (const secret of [bound, unbound, ...secrets]) {
    for (const segment of secret.split('.')) if (segment.length >= 8) expect(res.raw).not.toContain(segment);
  }
}

/** The 401's challenges: Bearer first, then DPoP carrying `error`, as RFC 9449 section 7.1 writes it. */
function expectDpopRefusal(res: WireResponse, error: string): void {
  expect(res.status).toBe(401);
  expect(JSON.parse(res.body)).toEqual({ error, error_description: expect.any(String) });
  expect(res.challenges).toHaveLength(1);
  const [bearer, dpop, ...more] = parseChallenges(res.challenges[0]!);
  expect(more).toEqual([]);
  expect(bearer).toMatchObject({ scheme: 'Bearer', params: { resource_metadata: expect.any(String) } });
  expect(bearer!.params).not.toHaveProperty('error');
  expect(dpop).toMatchObject({
    scheme: 'DPoP',
    params: {
      error,
      algs: DPOP_ALGORITHMS.join(' '),
      resource_metadata: bearer!.params['resource_metadata'],
    },
  });
}

type Case = readonly [
  name: string,
  error: 'invalid_dpop_proof' | 'invalid_token',
  attempt: (request: WireRequest) => Promise<Attempt>,
];

const encode = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
const claimsFor = (request: WireRequest, jti: string): Record<string, unknown> => ({
  jti,
  htm: request.method,
  htu: `${ORIGIN}${request.path}`,
  iat: Math.floor(Date.now() / 1000),
});
/** Signed with HMAC, its secret in the header: a proof anyone could make for any key. */
const hmacProof = async (request: WireRequest): Promise<string> => {
  const secret = Buffer.from('s'.repeat(32));
  const header = { typ: 'dpop+jwt', alg: 'HS256', jwk: { kty: 'oct', k: secret.toString('base64url') } };
  const input = `${encode(header)}.${encode(claimsFor(request, 'h'))}`;
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
};
const unsignedProof = (request: WireRequest): string =>
  `${encode({ typ: 'dpop+jwt', alg: 'none', jwk: key.publicJwk })}.${encode(claimsFor(request, 'n'))}.`;
/** The private key as a JWK, to leak into a proof's header. */
const exportJWK = (privateKey: DpopKey['privateKey']): Promise<webcrypto.JsonWebKey> =>
  webcrypto.subtle.exportKey('jwk', privateKey as webcrypto.CryptoKey);
const seconds = (offset: number) => Math.floor(Date.now() / 1000) + offset;

const ATTACKS: readonly Case[] = [
  [
    'a proof for another method',
    'invalid_dpop_proof',
    async (r) => ({ dpop: [await proofFor(r, { method: r.method === 'GET' ? 'POST' : 'GET' })] }),
  ],
  [
    'a proof for another path',
    'invalid_dpop_proof',
    async (r) => ({ dpop: [await proofFor(r, { url: `${ORIGIN}/other` })] }),
  ],
  [
    'a proof for another host',
    'invalid_dpop_proof',
    async (r) => ({ dpop: [await proofFor(r, { url: `https://evil.example.test${r.path}` })] }),
  ],
  [
    'a proof for another scheme',
    'invalid_dpop_proof',
    async (r) => ({ dpop: [await proofFor(r, { url: `${ORIGIN.replace('https:', 'http:')}${r.path}` })] }),
  ],
  [
    'a stale proof (iat two minutes ago)',
    'invalid_dpop_proof',
    async (r) => ({ dpop: [await proofFor(r, { claims: { iat: seconds(-120) } })] }),
  ],
  [
    'a proof from the future (iat a minute ahead)',
    'invalid_dpop_proof',
    async (r) => ({ dpop: [await proofFor(r, { claims: { iat: seconds(60) } })] }),
  ],
  [
    'a proof for another token (ath)',
    'invalid_dpop_proof',
    async (r) => ({ dpop: [await proofFor(r, { accessToken: unbound })] }),
  ],
  [
    'a proof without ath',
    'invalid_dpop_proof',
    async (r) => ({ dpop: [await proofFor(r, { claims: { ath: undefined } })] }),
  ],
  [
    'a proof signed with HS256 (a symmetric key)',
    'invalid_dpop_proof',
    async (r) => ({ dpop: [await hmacProof(r)] }),
  ],
  ['an unsigned proof (alg none)', 'invalid_dpop_proof', async (r) => ({ dpop: [unsignedProof(r)] })],
  [
    'private key material in the proof jwk',
    'invalid_dpop_proof',
    async (r) => ({ dpop: [await proofFor(r, { header: { jwk: await exportJWK(key.privateKey) } })] }),
  ],
  ['typ JWT', 'invalid_dpop_proof', async (r) => ({ dpop: [await proofFor(r, { header: { typ: 'JWT' } })] })],
  [
    'typ missing',
    'invalid_dpop_proof',
    async (r) => ({ dpop: [await proofFor(r, { header: { typ: undefined } })] }),
  ],
  ['two DPoP headers', 'invalid_dpop_proof', async (r) => ({ dpop: [await proofFor(r), await proofFor(r)] })],
  ['the DPoP scheme without a proof', 'invalid_dpop_proof', async () => ({ dpop: [] })],
  ['a proof that is not a JWT', 'invalid_dpop_proof', async () => ({ dpop: ['not-a-jwt'] })],
  [
    'an oversized proof (9 KB)',
    'invalid_dpop_proof',
    async () => ({ dpop: [`${'a'.repeat(9000)}.e30.c2ln`] }),
  ],
  [
    'a proof signed by a key the token is not bound to',
    'invalid_token',
    async (r) => ({
      dpop: [await otherKey.proof({ method: r.method, url: `${ORIGIN}${r.path}`, accessToken: bound })],
    }),
  ],
  [
    'an unbound token sent under the DPoP scheme',
    'invalid_token',
    async (r) => ({ authorization: `DPoP ${unbound}`, dpop: [await proofFor(r, { accessToken: unbound })] }),
  ],
];

describe.each(EVERY_ADAPTER)('DPoP (RFC 9449) on $name', (adapter: AdapterUnderTest) => {
  let app: RunningAdapter | undefined;
  let second: RunningAdapter | undefined;
  const start = async (overrides: Partial<ValetOptions> = {}): Promise<RunningAdapter> =>
    (app = await adapter.start(fixture.valet(overrides)));
  const send = async (running: RunningAdapter, attempt: Attempt = {}): Promise<WireResponse> => {
    const request = adapter.servedRequest;
    return exchange(
      running.baseUrl,
      withCredentials(request, {
        authorization: attempt.authorization ?? `DPoP ${bound}`,
        dpop: attempt.dpop ?? [await proofFor(request)],
      }),
    );
  };

  afterEach(async () => {
    await app?.close();
    await second?.close();
    app = second = undefined;
  });

  it('serves a DPoP-bound token with a valid proof for the URL clients call (resource origin, request path)', async () => {
    const running = await start();
    const res = await send(running);
    expect(res.status).toBe(200);
    expect(running.ran).toBeGreaterThan(0);
  });

  it('ignores the query when comparing htu', async () => {
    const running = await start();
    const request = { ...adapter.servedRequest, path: `${adapter.servedRequest.path}?x=1` };
    const proof = await key.proof({
      method: request.method,
      url: `${ORIGIN}${adapter.servedRequest.path}?other=2`,
      accessToken: bound,
    });
    const res = await exchange(
      running.baseUrl,
      withCredentials(request, { authorization: `DPoP ${bound}`, dpop: [proof] }),
    );
    expect(res.status).toBe(200);
  });

  describe('Attack: requests a DPoP proof does not prove', () => {
    it.each(ATTACKS)(
      'refuses %s: 401 %s, in the DPoP scheme, nothing echoed',
      async (_name, error, attempt) => {
        const running = await start();
        const made = await attempt(adapter.servedRequest);
        const res = await send(running, made);
        expectDpopRefusal(res, error);
        expectNoEcho(res, ...(made.dpop ?? []));
        expect(running.ran).toBe(0);
      },
    );
  });

  it('Attack: a replayed proof is refused (same jti twice)', async () => {
    const running = await start();
    const proof = await proofFor(adapter.servedRequest);
    expect((await send(running, { dpop: [proof] })).status).toBe(200);
    const replay = await send(running, { dpop: [proof] });
    expectDpopRefusal(replay, 'invalid_dpop_proof');
    expectNoEcho(replay, proof);
  });

  it('Attack: a proof replayed on another instance sharing the store is refused', async () => {
    const store = memoryStateStore();
    const first = await start({ store });
    second = await adapter.start(fixture.valet({ store }));
    const proof = await proofFor(adapter.servedRequest);
    expect((await send(first, { dpop: [proof] })).status).toBe(200);
    expectDpopRefusal(await send(second, { dpop: [proof] }), 'invalid_dpop_proof');
  });

  it('Attack: a bound token sent as Bearer is refused (RFC 9449 section 7.2)', async () => {
    const running = await start();
    const res = await send(running, { authorization: `Bearer ${bound}`, dpop: [] });
    expect(res.status).toBe(401);
    const [bearer, dpop] = parseChallenges(res.challenges[0]!);
    expect(bearer).toMatchObject({ scheme: 'Bearer', params: { error: 'invalid_token' } });
    expect(dpop).toMatchObject({ scheme: 'DPoP', params: { algs: expect.any(String) } });
    expectNoEcho(res);
  });

  it('nonces: 401 use_dpop_nonce with DPoP-Nonce, then the retry with the nonce is served; a forged one is refused', async () => {
    const running = await start({ dpop: { nonce: { secret: NONCE_SECRET } } });
    const first = await send(running);
    expectDpopRefusal(first, 'use_dpop_nonce');
    const nonce = first.headers['dpop-nonce'];
    expect(typeof nonce).toBe('string');
    const retry = await send(running, {
      dpop: [await proofFor(adapter.servedRequest, { nonce: nonce as string })],
    });
    expect(retry.status).toBe(200);
    const forged = await send(running, {
      dpop: [await proofFor(adapter.servedRequest, { nonce: '0.forged' })],
    });
    expectDpopRefusal(forged, 'use_dpop_nonce');
    expect(forged.headers['dpop-nonce']).toBe(nonce);
  });

  it("mode 'required' refuses Bearer with a DPoP-only challenge, and serves DPoP", async () => {
    const running = await start({ dpop: { mode: 'required' } });
    const res = await send(running, { authorization: `Bearer ${unbound}`, dpop: [] });
    expect(res.status).toBe(401);
    const challenges = parseChallenges(res.challenges[0]!);
    expect(challenges.map((c) => c.scheme)).toEqual(['DPoP']);
    expect(challenges[0]!.params['algs']).toBe(DPOP_ALGORITHMS.join(' '));
    expect((await send(running)).status).toBe(200);
  });

  it("mode 'off' refuses the DPoP scheme and challenges with Bearer only", async () => {
    const running = await start({ dpop: { mode: 'off' } });
    const res = await send(running);
    expect(res.status).toBe(401);
    expect(parseChallenges(res.challenges[0]!).map((c) => c.scheme)).toEqual(['Bearer']);
    expect(running.ran).toBe(0);
  });
});

// The MCP endpoints serve the metadata themselves; Express and Fastify apps mount it where they choose.
describe.each(EVERY_ADAPTER.filter((adapter) => adapter.name.startsWith('MCP')))(
  'DPoP metadata (RFC 9728 section 2) on $name',
  (adapter) => {
    const metadataOf = async (valet: Valet): Promise<Record<string, unknown>> => {
      const running = await adapter.start(valet);
      try {
        const res = await exchange(running.baseUrl, { method: 'GET', path: valet.metadataPaths[0]! });
        expect(res.status).toBe(200);
        return JSON.parse(res.body) as Record<string, unknown>;
      } finally {
        await running.close();
      }
    };

    it('publishes dpop_signing_alg_values_supported, and dpop_bound_access_tokens_required with mode required', async () => {
      const allowed = await metadataOf(fixture.valet());
      expect(allowed['dpop_signing_alg_values_supported']).toEqual([...DPOP_ALGORITHMS]);
      expect(allowed).not.toHaveProperty('dpop_bound_access_tokens_required');
      const required = await metadataOf(
        fixture.valet({ dpop: { mode: 'required', algorithms: ['ES256', 'EdDSA'] } }),
      );
      expect(required).toMatchObject({
        dpop_signing_alg_values_supported: ['ES256', 'EdDSA'],
        dpop_bound_access_tokens_required: true,
      });
      const off = await metadataOf(fixture.valet({ dpop: { mode: 'off' } }));
      expect(off).not.toHaveProperty('dpop_signing_alg_values_supported');
    });
  },
);
