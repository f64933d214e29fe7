import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createDpopKey, type DpopKey, type DpopProofInit } from '@valet/testing';
import { SignJWT, base64url, exportJWK, type JWK } from 'jose';
import {
  InvalidDpopProofError,
  InvalidTokenError,
  MissingTokenError,
  StateUnavailableError,
  UseDpopNonceError,
  type DpopProofReason,
  type ValetError,
} from '../../src/errors.js';
import { allOf, rateLimited } from '../../src/policy/policy.js';
import { PolicyRegistry } from '../../src/policy/registry.js';
import { memoryStateStore, type StateStore } from '../../src/state/state-store.js';
import type { AdmitRequest, Valet } from '../../src/valet.js';
import { RESOURCE, valetFixture, type ValetFixture } from '../support/valet-fixture.js';

let fixture: ValetFixture;
let key: DpopKey;
let other: DpopKey;
let bound: string;
let unbound: string;

const URL_ = `${RESOURCE}?session=1`;
const PATH = '/mcp?session=1';

beforeAll(async () => {
  fixture = await valetFixture();
  [key, other] = await Promise.all([createDpopKey(), createDpopKey('PS256')]);
  bound = await fixture.issuer.mint({ scopes: ['files:read'], claims: { cnf: { jkt: key.jkt } } });
  unbound = await fixture.issuer.mint({ scopes: ['files:read'] });
});

afterAll(() => fixture.close());

/** What a test changes in a valid DPoP request: the request, the proof's making, the token, the key. */
type Overrides = Partial<AdmitRequest> & { proofInit?: Partial<DpopProofInit>; token?: string; by?: DpopKey };

/** A DPoP request for `token` with `proof` (or a fresh, valid one), reading a file. */
async function request(overrides: Overrides = {}): Promise<AdmitRequest> {
  const token = overrides.token ?? bound;
  const proof = await (overrides.by ?? key).proof({
    method: 'POST',
    url: URL_,
    accessToken: token,
    ...overrides.proofInit,
  });
  return {
    authorization: `DPoP ${token}`,
    dpop: proof,
    method: 'POST',
    url: PATH,
    operations: [{ id: 'read_file' }],
    ...overrides,
  };
}

async function refusal(valet: Valet, admit: AdmitRequest): Promise<ValetError> {
  try {
    await valet.admit(admit);
  } catch (error) {
    return error as ValetError;
  }
  throw new Error('admitted');
}

/** The refusal, checked to echo neither the token nor the proof in its message or response. */
async function refusedWithoutEcho(valet: Valet, admit: AdmitRequest): Promise<ValetError> {
  const error = await refusal(valet, admit);
  const response = JSON.stringify(valet.errorResponse(error));
  const secrets = [admit.authorization, admit.dpop].flat().filter((v): v is string => typeof v === 'string');
  for (const secret of secrets) {
    for (const segment of secret.replace(/^DPoP /, '').split('.')) {
      if (segment.length >= 8) {
        expect(error.message).not.toContain(segment);
        expect(response).not.toContain(segment);
      }
    }
  }
  return error;
}

describe('DPoP: a valid request', () => {
  it('admits a bound token with a proof signed by the bound key', async () => {
    const valet = fixture.valetWith();
    const caller = await valet.admit(await request());
    expect(caller?.subject).toBe('test-user');
    expect(caller?.claims['cnf']).toEqual({ jkt: key.jkt });
  });

  it('admits it again from the cache, each time with a new proof', async () => {
    const valet = fixture.valetWith();
    await valet.admit(await request());
    await expect(valet.admit(await request())).resolves.toMatchObject({ subject: 'test-user' });
  });

  it('accepts the DPoP scheme in any case, and every allowed algorithm', async () => {
    const valet = fixture.valetWith();
    for (const alg of ['ES384', 'ES512', 'PS256', 'RS256', 'EdDSA']) {
      const own = await createDpopKey(alg);
      const token = await fixture.issuer.mint({ scopes: ['files:read'], claims: { cnf: { jkt: own.jkt } } });
      await expect(
        valet.admit(await request({ token, by: own, authorization: `dpop ${token}` })),
      ).resolves.toBeTruthy();
    }
  });

  it('compares htu normalised: host and scheme case, default port, percent-encoding case (RFC 9449 section 4.3)', async () => {
    const valet = fixture.valetWith();
    for (const url of [
      'HTTPS://API.Example.TEST:443/mcp',
      'https://api.example.test/%6dcp',
      'https://api.example.test/mcp#x',
    ]) {
      await expect(valet.admit(await request({ proofInit: { url } }))).resolves.toBeTruthy();
    }
    // The request path spelled with an encoded unreserved character matches a plain htu.
    await expect(valet.admit(await request({ url: '/%6Dcp' }))).resolves.toBeTruthy();
  });

  it('admits an unbound token as Bearer with a DPoP header alongside (mode allowed)', async () => {
    const valet = fixture.valetWith();
    const proof = await key.proof({ method: 'POST', url: URL_, accessToken: unbound });
    await expect(
      valet.admit({ authorization: `Bearer ${unbound}`, dpop: proof, method: 'POST', url: PATH }),
    ).resolves.toBeTruthy();
  });

  it('answers missing scopes of a DPoP caller with a 403 in the DPoP scheme', async () => {
    const valet = fixture.valetWith();
    const error = await refusal(valet, await request({ operations: [{ id: 'write_file' }] }));
    expect(error.status).toBe(403);
    const challenge = valet.errorResponse(error)!.headers['www-authenticate']!;
    expect(challenge).toMatch(/^DPoP error="insufficient_scope", /);
    expect(challenge).toContain('scope="files:write"');
    expect(challenge).not.toContain('Bearer');
  });
});

const proofCases: readonly (readonly [string, DpopProofReason, () => Promise<Overrides>])[] = [
  ['a proof for another method', 'wrong_method', async () => ({ proofInit: { method: 'GET' } })],
  [
    'a proof for another path',
    'wrong_url',
    async () => ({ proofInit: { url: 'https://api.example.test/admin' } }),
  ],
  [
    'a proof for another host',
    'wrong_url',
    async () => ({ proofInit: { url: 'https://evil.example.test/mcp' } }),
  ],
  [
    'a proof for another scheme',
    'wrong_url',
    async () => ({ proofInit: { url: 'http://api.example.test/mcp' } }),
  ],
  [
    'a proof for another port',
    'wrong_url',
    async () => ({ proofInit: { url: 'https://api.example.test:8443/mcp' } }),
  ],
  ['a proof whose htu is not a URL', 'wrong_url', async () => ({ proofInit: { claims: { htu: 'mcp' } } })],
  [
    'a proof with user info in htu',
    'wrong_url',
    async () => ({ proofInit: { url: 'https://a:b@api.example.test/mcp' } }),
  ],
  ['a stale proof (iat 61 s ago)', 'stale', async () => ({ proofInit: { claims: { iat: now() - 61 } } })],
  [
    'a proof from the future (iat 10 s ahead)',
    'issued_in_future',
    async () => ({ proofInit: { claims: { iat: now() + 10 } } }),
  ],
  [
    'a proof for another token (ath)',
    'wrong_token_hash',
    async () => ({ proofInit: { accessToken: unbound } }),
  ],
  ['a proof without ath', 'missing_claim', async () => ({ proofInit: { claims: { ath: undefined } } })],
  ['a proof without jti', 'missing_claim', async () => ({ proofInit: { claims: { jti: undefined } } })],
  ['a proof with an empty jti', 'invalid_claim', async () => ({ proofInit: { claims: { jti: '' } } })],
  [
    'a proof with a 257-character jti',
    'invalid_claim',
    async () => ({ proofInit: { claims: { jti: 'j'.repeat(257) } } }),
  ],
  ['a proof without htm', 'missing_claim', async () => ({ proofInit: { claims: { htm: undefined } } })],
  ['a proof without iat', 'missing_claim', async () => ({ proofInit: { claims: { iat: undefined } } })],
  ['typ missing', 'wrong_type', async () => ({ proofInit: { header: { typ: undefined } } })],
  ['typ JWT', 'wrong_type', async () => ({ proofInit: { header: { typ: 'JWT' } } })],
  [
    'typ application/dpop+jwt',
    'wrong_type',
    async () => ({ proofInit: { header: { typ: 'application/dpop+jwt' } } }),
  ],
  ['typ DPOP+JWT', 'wrong_type', async () => ({ proofInit: { header: { typ: 'DPOP+JWT' } } })],
  ['no jwk (kid only)', 'bad_key', async () => ({ proofInit: { header: { jwk: undefined, kid: 'k1' } } })],
  ['an x5c instead of a jwk', 'bad_key', async () => ({ proofInit: { header: { x5c: ['MIIB'] } } })],
  [
    'a jku beside the jwk',
    'bad_key',
    async () => ({ proofInit: { header: { jku: 'https://evil.example/jwks' } } }),
  ],
  [
    'a jwk that does not verify the signature',
    'bad_signature',
    async () => ({ proofInit: { header: { jwk: (await createDpopKey()).publicJwk } } }),
  ],
  [
    'a jwk of the wrong type for alg',
    'bad_key',
    async () => ({ proofInit: { header: { jwk: other.publicJwk } } }),
  ],
  [
    'private key material in the jwk (d)',
    'private_key',
    async () => ({ proofInit: { header: { jwk: await exportJWK(key.privateKey) } } }),
  ],
  ...(['p', 'q', 'dp', 'dq', 'qi', 'k'] as const).map(
    (member) =>
      [
        `private key material in the jwk (${member})`,
        'private_key',
        async () => ({ proofInit: { header: { jwk: { ...key.publicJwk, [member]: 'AQAB' } } } }),
      ] as const,
  ),
  ['alg none', 'alg_not_allowed', async () => ({ dpop: unsignedProof('none') })],
  ['alg HS256 (a symmetric key)', 'alg_not_allowed', async () => ({ dpop: await hmacProof() })],
  ['not a JWT', 'malformed', async () => ({ dpop: 'not-a-jwt' })],
  ['a JWT whose header is not JSON', 'malformed', async () => ({ dpop: 'bm90IGpzb24.e30.c2ln' })],
  ['an oversized proof', 'too_large', async () => ({ dpop: `${'a'.repeat(9000)}.e30.c2ln` })],
  [
    'two DPoP headers',
    'multiple',
    async () => ({
      dpop: [
        await key.proof({ method: 'POST', url: URL_, accessToken: bound }),
        await key.proof({ method: 'POST', url: URL_, accessToken: bound }),
      ],
    }),
  ],
  [
    'two proofs joined by a proxy',
    'multiple',
    async () => ({
      dpop: `${await key.proof({ method: 'POST', url: URL_, accessToken: bound })}, ${await key.proof({ method: 'POST', url: URL_, accessToken: bound })}`,
    }),
  ],
  ['the DPoP scheme without a proof', 'missing', async () => ({ dpop: undefined })],
  ['an empty DPoP header', 'missing', async () => ({ dpop: '' })],
];

describe('Attack: DPoP proofs that do not prove this request (401 invalid_dpop_proof, RFC 9449 section 4.3)', () => {
  it.each(proofCases)('refuses %s', async (_name, reason, make) => {
    const valet = fixture.valetWith();
    const error = await refusedWithoutEcho(valet, await request(await make()));
    expect(error).toBeInstanceOf(InvalidDpopProofError);
    expect(error).toMatchObject({ reason, status: 401 });
    const response = valet.errorResponse(error)!;
    expect(response.body.error).toBe('invalid_dpop_proof');
    expect(response.headers['www-authenticate']).toMatch(
      /^Bearer scope="files:read", resource_metadata="[^"]+", DPoP error="invalid_dpop_proof", error_description="[^"]+", scope="files:read", algs="ES256 [^"]+", resource_metadata="[^"]+"$/,
    );
  });
});

describe('Attack: replayed DPoP proofs', () => {
  it('refuses a proof used a second time (same jti)', async () => {
    const valet = fixture.valetWith();
    const replayed = await request();
    await valet.admit(replayed);
    await expect(valet.admit(replayed)).rejects.toMatchObject({
      code: 'ERR_INVALID_DPOP_PROOF',
      reason: 'replayed',
    });
  });

  it('refuses a replay on another instance sharing the store', async () => {
    const store = memoryStateStore();
    const [first, second] = [fixture.valetWith({ store }), fixture.valetWith({ store })];
    const replayed = await request();
    await first.admit(replayed);
    await expect(second.admit(replayed)).rejects.toMatchObject({ reason: 'replayed' });
  });

  it('refuses a new proof reusing a jti of the same key', async () => {
    const valet = fixture.valetWith();
    await valet.admit(await request({ proofInit: { claims: { jti: 'same' } } }));
    await expect(
      valet.admit(await request({ proofInit: { claims: { jti: 'same' } } })),
    ).rejects.toMatchObject({
      reason: 'replayed',
    });
  });

  it('fails closed with 503 when the store cannot record the jti', async () => {
    const broken: StateStore = {
      ...memoryStateStore(),
      setIfAbsent: () => Promise.reject(new Error('down')),
    };
    const valet = fixture.valetWith({ store: broken });
    const error = await refusal(valet, await request());
    expect(error).toBeInstanceOf(StateUnavailableError);
    expect(valet.errorResponse(error)).toMatchObject({ status: 503, headers: { 'retry-after': '1' } });
  });

  it('sends the rate-limit count beside the jti: both leave before either is answered', async () => {
    const store = memoryStateStore();
    const sent: string[] = [];
    let answer!: () => void;
    let held: Promise<void> = Promise.resolve();
    const registry = new PolicyRegistry().register({
      id: 'read_file',
      kind: 'tool',
      policy: rateLimited(allOf('files:read'), '1/m'),
    });
    const valet = fixture.valetWith({
      registry,
      store: {
        ...store,
        setIfAbsent: (k, v, ttl) => (sent.push('setIfAbsent'), held.then(() => store.setIfAbsent(k, v, ttl))),
        increment: (k, ttl) => (sent.push('increment'), held.then(() => store.increment(k, ttl))),
      },
    });
    await valet.admit(await request()); // the token is now in the cache
    sent.length = 0;
    held = new Promise<void>((resolve) => (answer = resolve));
    const admitting = valet.admit(await request());
    // The proof's signature is checked off the main thread: wait for the store work to leave.
    for (let waited = 0; sent.length < 2 && waited < 2000; waited += 10) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(sent).toEqual(['setIfAbsent', 'increment']);
    answer();
    await expect(admitting).rejects.toMatchObject({ status: 429 });
  });

  it('answers a replay before the rate limit, though the count left with the jti', async () => {
    const registry = new PolicyRegistry().register({
      id: 'read_file',
      kind: 'tool',
      policy: rateLimited(allOf('files:read'), '1/m'),
    });
    const valet = fixture.valetWith({ registry });
    const replayed = await request();
    await valet.admit(replayed);
    await expect(valet.admit(replayed)).rejects.toMatchObject({ reason: 'replayed' });
  });

  it('keeps the jti for as long as the proof could be accepted', async () => {
    const calls: number[] = [];
    const store = memoryStateStore();
    const spy: StateStore = {
      ...store,
      setIfAbsent: (k, v, ttl) => (calls.push(ttl), store.setIfAbsent(k, v, ttl)),
    };
    await fixture.valetWith({ store: spy, dpop: { maxAgeSeconds: 30 } }).admit(await request());
    expect(calls).toEqual([35_000]);
  });
});

describe('Attack: token and key binding (RFC 9449 sections 6 and 7)', () => {
  it('refuses a bound token whose proof is signed by another key', async () => {
    const valet = fixture.valetWith();
    const error = await refusedWithoutEcho(valet, await request({ by: other }));
    expect(error).toMatchObject({ code: 'ERR_INVALID_TOKEN', reason: 'dpop_key_mismatch' });
    expect(valet.errorResponse(error)!.headers['www-authenticate']).toMatch(
      /^Bearer scope="files:read", [^]*DPoP error="invalid_token", error_description="[^"]+", scope="files:read", algs=/,
    );
  });

  it('refuses an unbound token sent under the DPoP scheme', async () => {
    const error = await refusedWithoutEcho(fixture.valetWith(), await request({ token: unbound }));
    expect(error).toMatchObject({ code: 'ERR_INVALID_TOKEN', reason: 'not_dpop_bound', scheme: 'DPoP' });
  });

  it('refuses a token bound to a TLS client certificate under the DPoP scheme, saying so', async () => {
    const token = await fixture.issuer.mint({
      scopes: ['files:read'],
      claims: { cnf: { 'x5t#S256': 'bwcK0esc3ACC3DB2Y5_lESsXE8o9ltc05O89jdN-dg2' } },
    });
    const error = await refusedWithoutEcho(fixture.valetWith(), await request({ token }));
    expect(error).toMatchObject({ reason: 'unsupported_confirmation' });
    expect(error.message).toContain('TLS client certificate');
  });

  it('refuses a token bound to the key and a certificate too: the certificate cannot be checked', async () => {
    const token = await fixture.issuer.mint({
      scopes: ['files:read'],
      claims: { cnf: { jkt: key.jkt, 'x5t#S256': 'x' } },
    });
    await expect(fixture.valetWith().admit(await request({ token }))).rejects.toMatchObject({
      reason: 'unsupported_confirmation',
    });
  });

  it('refuses a bad token under the DPoP scheme with a DPoP invalid_token challenge', async () => {
    const valet = fixture.valetWith();
    const expired = await fixture.issuer.expired({ claims: { cnf: { jkt: key.jkt } } });
    const error = await refusedWithoutEcho(valet, await request({ token: expired }));
    expect(error).toBeInstanceOf(InvalidTokenError);
    expect(error).toMatchObject({ reason: 'expired', scheme: 'DPoP' });
    expect(valet.errorResponse(error)!.headers['www-authenticate']).toContain('DPoP error="invalid_token"');
  });

  it('refuses the DPoP scheme with a token but no proof, before verifying the token', async () => {
    const verify = { count: 0 };
    const valet = fixture.valetWith({
      verifier: { verify: (t) => (verify.count++, fixture.verifier.verify(t)) },
    });
    await expect(
      valet.admit({ authorization: `DPoP ${bound}`, method: 'POST', url: PATH }),
    ).rejects.toMatchObject({ reason: 'missing' });
    expect(verify.count).toBe(0);
  });

  it('refuses "Authorization: DPoP" without a token with 400', async () => {
    await expect(
      fixture.valetWith().admit({ authorization: 'DPoP', dpop: 'x', method: 'GET', url: '/' }),
    ).rejects.toMatchObject({ status: 400 });
  });
});

describe('Server nonces (RFC 9449 section 9)', () => {
  const nonce = { secret: 'a-secret-of-at-least-32-characters!!' };

  it('asks for a nonce with 401 use_dpop_nonce and a DPoP-Nonce header, then admits the retry', async () => {
    const valet = fixture.valetWith({ dpop: { nonce } });
    const error = await refusal(valet, await request());
    expect(error).toBeInstanceOf(UseDpopNonceError);
    const response = valet.errorResponse(error)!;
    expect(response.status).toBe(401);
    expect(response.body.error).toBe('use_dpop_nonce');
    expect(response.headers['www-authenticate']).toContain('DPoP error="use_dpop_nonce"');
    const given = response.headers['dpop-nonce']!;
    expect(given).toMatch(/^[\x21\x23-\x5b\x5d-\x7e]+$/);
    await expect(valet.admit(await request({ proofInit: { nonce: given } }))).resolves.toBeTruthy();
  });

  it('shares nonces between instances with the same secret, not with another secret', async () => {
    const first = fixture.valetWith({ dpop: { nonce } });
    const given = first.errorResponse(await refusal(first, await request()))!.headers['dpop-nonce']!;
    await expect(
      fixture.valetWith({ dpop: { nonce } }).admit(await request({ proofInit: { nonce: given } })),
    ).resolves.toBeTruthy();
    const stranger = fixture.valetWith({
      dpop: { nonce: { secret: 'another-secret-of-32-characters-or-more' } },
    });
    await expect(stranger.admit(await request({ proofInit: { nonce: given } }))).rejects.toBeInstanceOf(
      UseDpopNonceError,
    );
  });

  it.each([
    ['a forged nonce', () => '0.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'],
    [
      'an expired nonce (two windows old)',
      () => `${Math.floor(now() / 300 - 2).toString(36)}.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA`,
    ],
    ['a nonce that is not a string', () => 42 as unknown as string],
  ])('refuses %s with a fresh nonce', async (_name, forged) => {
    const valet = fixture.valetWith({ dpop: { nonce } });
    const error = await refusal(valet, await request({ proofInit: { claims: { nonce: forged() } } }));
    expect(error).toBeInstanceOf(UseDpopNonceError);
    expect((error as UseDpopNonceError).nonce).not.toBe(forged());
  });
});

describe('Modes', () => {
  it("'required' refuses Bearer with a DPoP-only challenge, and admits DPoP", async () => {
    const valet = fixture.valetWith({ dpop: { mode: 'required' } });
    const error = await refusal(valet, { authorization: `Bearer ${unbound}` });
    expect(error).toBeInstanceOf(MissingTokenError);
    const challenge = valet.errorResponse(error)!.headers['www-authenticate']!;
    expect(challenge).toMatch(/^DPoP scope="files:read", algs="[^"]+", resource_metadata="[^"]+"$/);
    expect(valet.errorResponse(new MissingTokenError())!.headers['www-authenticate']).not.toContain('Bearer');
    await expect(valet.admit(await request())).resolves.toBeTruthy();
  });

  it("'off' refuses the DPoP scheme like any other, and challenges with Bearer only", async () => {
    const valet = fixture.valetWith({ dpop: { mode: 'off' } });
    const error = await refusal(valet, await request());
    expect(error).toBeInstanceOf(MissingTokenError);
    expect(valet.errorResponse(error)!.headers['www-authenticate']).toMatch(/^Bearer [^]*$/);
    expect(valet.errorResponse(error)!.headers['www-authenticate']).not.toContain('DPoP ');
  });

  it("'off' still refuses a bound token sent as Bearer", async () => {
    const valet = fixture.valetWith({ dpop: { mode: 'off' } });
    await expect(valet.admit({ authorization: `Bearer ${bound}` })).rejects.toMatchObject({
      reason: 'sender_constrained',
    });
  });

  it('restricts the algorithms to the configured ones, and names them in algs', async () => {
    const valet = fixture.valetWith({ dpop: { algorithms: ['ES256'] } });
    const own = await createDpopKey('PS256');
    const token = await fixture.issuer.mint({ scopes: ['files:read'], claims: { cnf: { jkt: own.jkt } } });
    const error = await refusal(valet, await request({ token, by: own }));
    expect(error).toMatchObject({ reason: 'alg_not_allowed' });
    expect(valet.errorResponse(error)!.headers['www-authenticate']).toContain('algs="ES256"');
  });
});

describe('Metadata (RFC 9728 section 2)', () => {
  it('lists the DPoP algorithms, and says when DPoP-bound tokens are required', () => {
    expect(fixture.valetWith().metadata()).toMatchObject({
      dpop_signing_alg_values_supported: [
        'ES256',
        'ES384',
        'ES512',
        'PS256',
        'PS384',
        'PS512',
        'RS256',
        'RS384',
        'RS512',
        'EdDSA',
      ],
    });
    expect(fixture.valetWith().metadata()).not.toHaveProperty('dpop_bound_access_tokens_required');
    expect(fixture.valetWith({ dpop: { mode: 'required', algorithms: ['ES256'] } }).metadata()).toMatchObject(
      {
        dpop_signing_alg_values_supported: ['ES256'],
        dpop_bound_access_tokens_required: true,
      },
    );
    const off = fixture.valetWith({ dpop: { mode: 'off' } }).metadata();
    expect(off).not.toHaveProperty('dpop_signing_alg_values_supported');
    expect(off).not.toHaveProperty('dpop_bound_access_tokens_required');
  });
});

function now(): number {
  return Math.floor(Date.now() / 1000);
}

function unsignedProof(alg: string): string {
  const encode = (value: unknown) => base64url.encode(JSON.stringify(value));
  return `${encode({ typ: 'dpop+jwt', alg, jwk: key.publicJwk })}.${encode({ jti: 'x', htm: 'POST', htu: RESOURCE, iat: now() })}.`;
}

async function hmacProof(): Promise<string> {
  const secret = new TextEncoder().encode('a'.repeat(32));
  return new SignJWT({ jti: 'h', htm: 'POST', htu: RESOURCE, iat: now() })
    .setProtectedHeader({
      typ: 'dpop+jwt',
      alg: 'HS256',
      jwk: { kty: 'oct', k: base64url.encode(secret) } as JWK,
    })
    .sign(secret);
}
