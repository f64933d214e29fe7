import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createTestIssuer, type MintOptions, type TestIssuer } from '@valet/testing';
import { base64url, decodeJwt, exportSPKI, importJWK, SignJWT, type CryptoKey } from 'jose';
import { InvalidTokenError, type InvalidTokenReason } from '../../src/errors.js';
import { JwtVerifier } from '../../src/verify/jwt-verifier.js';
import { expectRefusedWithoutEcho } from '../support/errors.js';
import { now } from '../support/now.js';

const AUDIENCE = 'https://mcp.example.com/mcp';
const MAX_TOKEN_BYTES = 8192;

type VerifierName = 'default' | 'strict' | 'rs256Only';
type Thunk = () => Promise<string> | string;
/** [what the token is, the reason it must be refused with, how to make it, which verifier] */
type Case = readonly [name: string, reason: InvalidTokenReason, token: Thunk, verifier?: VerifierName];

let issuer: TestIssuer;
let attacker: TestIssuer;
let verifiers: Record<VerifierName, JwtVerifier>;
const seen = new Set<string>();

beforeAll(async () => {
  [issuer, attacker] = await Promise.all([
    createTestIssuer({ audience: AUDIENCE, algorithms: ['ES256'] }),
    createTestIssuer({ audience: AUDIENCE }),
  ]);
  const base = { issuer: issuer.url, audience: AUDIENCE, jwksUri: issuer.jwksUri, jwks: { cooldownMs: 0 } };
  verifiers = {
    default: new JwtVerifier(base),
    strict: new JwtVerifier({ ...base, strict: true }),
    rs256Only: new JwtVerifier({ ...base, algorithms: ['RS256'] }),
  };
});
afterAll(() => Promise.all([issuer.close(), attacker.close()]));

const b64 = (value: unknown): string =>
  base64url.encode(typeof value === 'string' ? value : JSON.stringify(value));
const parts = (token: string): [string, string, string] => token.split('.') as [string, string, string];
const decodedHeader = (token: string): Record<string, unknown> =>
  JSON.parse(new TextDecoder().decode(base64url.decode(parts(token)[0])));

const mint =
  (options?: MintOptions): Thunk =>
  () =>
    issuer.mint(options);
const claims = (values: Record<string, unknown>): Thunk => mint({ claims: values });
const header = (values: Record<string, unknown>): Thunk => mint({ header: values });
const audience = (aud: string | readonly string[]): Thunk => mint({ audience: aud });
const foreign =
  (values: Record<string, unknown> = {}): Thunk =>
  () =>
    issuer.foreignKey({ header: values });
/** Signed by the attacker's own issuer, claiming to be ours. */
const attackerSigned =
  (values: Record<string, unknown> = {}): Thunk =>
  () =>
    attacker.mint({ claims: { iss: issuer.url }, header: values });
/** A valid token, its segments edited after signing. */
const edited =
  (edit: (segments: [string, string, string], token: string) => string): Thunk =>
  async () => {
    const token = await issuer.mint();
    return edit(parts(token), token);
  };
const reheaded = (change: Record<string, unknown>): Thunk =>
  edited(
    ([, payload, signature], token) =>
      `${b64({ ...decodedHeader(token), ...change })}.${payload}.${signature}`,
  );
const repayloaded = (change: Record<string, unknown>): Thunk =>
  edited(([head, , signature], token) => `${head}.${b64({ ...decodeJwt(token), ...change })}.${signature}`);
const unsigned = (alg: unknown, keepSignature = false): Thunk =>
  edited(
    ([, payload, signature]) => `${b64({ alg, typ: 'at+jwt' })}.${payload}.${keepSignature ? signature : ''}`,
  );
const raw =
  (payload: string | Uint8Array, values?: Record<string, unknown>): Thunk =>
  () =>
    issuer.signRaw(payload, values);

/** HS* signed with the issuer's RSA public key as the HMAC secret (CVE-2015-9235 style). */
const keyConfusion =
  (alg: string, secretOf: 'pem' | 'jwk'): Thunk =>
  async () => {
    const jwk = issuer.jwks().keys.find((key) => key.kid === issuer.kid)!;
    const pem = async () => exportSPKI((await importJWK(jwk, 'RS256', { extractable: true })) as CryptoKey);
    const secret = new TextEncoder().encode(secretOf === 'pem' ? await pem() : JSON.stringify(jwk));
    return new SignJWT(decodeJwt(await issuer.mint({ scopes: ['admin'] })))
      .setProtectedHeader({ alg, kid: issuer.kid, typ: 'at+jwt' })
      .sign(secret);
  };

/** ES256 signatures are 64 bytes: the last base64url character carries 4 unused bits. */
const unusedSignatureBits: Thunk = async () => {
  const token = await issuer.mint({ alg: 'ES256' });
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  return token.slice(0, -1) + alphabet[alphabet.indexOf(token.at(-1)!) ^ 1];
};

function runCorpus(title: string, cases: readonly Case[]): void {
  describe(title, () => {
    it.each(cases)('%s', async (name, reason, make, verifier = 'default') => {
      seen.add(`${title}: ${name}`);
      const token = await make();
      await expectRefusedWithoutEcho(verifiers[verifier], token, reason);
    });
  });
}

runCorpus('Attack: unsigned tokens (alg none in every spelling)', [
  ['alg none', 'alg_not_allowed', unsigned('none')],
  ['alg None', 'alg_not_allowed', unsigned('None')],
  ['alg NONE', 'alg_not_allowed', unsigned('NONE')],
  ['alg nOnE', 'alg_not_allowed', unsigned('nOnE')],
  ['alg none with the original signature kept', 'alg_not_allowed', unsigned('none', true)],
  ['alg missing', 'malformed', reheaded({ alg: undefined })],
  ['alg empty', 'malformed', unsigned('')],
  ['alg a number', 'malformed', unsigned(256)],
  ['alg null', 'malformed', unsigned(null)],
]);

runCorpus('Attack: algorithm confusion (HMAC with the public key, swapped alg)', [
  ['HS256 signed with the RSA public key PEM', 'alg_not_allowed', keyConfusion('HS256', 'pem')],
  ['HS256 signed with the public JWK JSON', 'alg_not_allowed', keyConfusion('HS256', 'jwk')],
  ['HS512 signed with the RSA public key PEM', 'alg_not_allowed', keyConfusion('HS512', 'pem')],
  ['RS256 swapped to PS256 (the JWK pins RS256)', 'unknown_key', reheaded({ alg: 'PS256' })],
  ['RS256 swapped to ES256 in the header', 'unknown_key', reheaded({ alg: 'ES256' })],
  ['ES256 where only RS256 is allowed', 'alg_not_allowed', mint({ alg: 'ES256' }), 'rs256Only'],
  ['an algorithm jose does not know', 'alg_not_allowed', unsigned('XS256')],
]);

runCorpus('Attack: forged signatures and untrusted keys', [
  ['a valid signature from a key not in the JWKS', 'unknown_key', foreign()],
  [
    'the right kid with another modulus',
    'bad_signature',
    () => issuer.foreignKey({ header: { kid: issuer.kid } }),
  ],
  ['a token from another issuer, re-labelled', 'unknown_key', attackerSigned()],
  ['the signature stripped', 'bad_signature', edited(([head, payload]) => `${head}.${payload}.`)],
  [
    'the signature of another token',
    'bad_signature',
    async () =>
      `${parts(await issuer.mint())
        .slice(0, 2)
        .join('.')}.${parts(await issuer.mint())[2]}`,
  ],
  ['scopes escalated after signing', 'bad_signature', repayloaded({ scope: 'admin' })],
  ['subject changed after signing', 'bad_signature', repayloaded({ sub: 'admin' })],
  ['the header typ changed after signing', 'bad_signature', reheaded({ typ: 'JWT' })],
  [
    'one signature character changed',
    'bad_signature',
    edited(([h, p, s]) => `${h}.${p}.${s[0] === 'A' ? 'B' : 'A'}${s.slice(1)}`),
  ],
  ['the signature truncated', 'bad_signature', edited((_, token) => token.slice(0, -10))],
  ['a signature spelled non-canonically (whitespace)', 'malformed', edited((_, token) => `${token} `)],
  ['a signature spelled non-canonically (unused bits set)', 'malformed', unusedSignatureBits],
  ['a signature spelled non-canonically (= padding)', 'malformed', edited((_, token) => `${token}==`)],
  [
    'a signature spelled non-canonically (a line break inside)',
    'malformed',
    edited(([h, p, s]) => `${h}.${p}.${s.slice(0, 100)}\n${s.slice(100)}`),
  ],
  ['kid with path traversal', 'unknown_key', foreign({ kid: '../../../../etc/passwd' })],
  ['kid with SQL injection', 'unknown_key', foreign({ kid: "' OR '1'='1' --" })],
  ['kid with a NUL byte', 'unknown_key', foreign({ kid: 'key\u0000' })],
  ['kid a number', 'unknown_key', foreign({ kid: 1 })],
  ['kid 4 KiB long', 'unknown_key', foreign({ kid: 'k'.repeat(4096) })],
]);

runCorpus('Attack: keys embedded in the token (jwk, jku, x5u, x5c)', [
  [
    'jwk header with the attacker key',
    'unknown_key',
    () => attackerSigned({ jwk: attacker.jwks().keys[0] })(),
  ],
  [
    'jwk header with the attacker key and a trusted kid',
    'bad_signature',
    () => attackerSigned({ kid: issuer.kid, jwk: attacker.jwks().keys[0] })(),
  ],
  ['jku pointing at the attacker JWKS', 'unknown_key', () => attackerSigned({ jku: attacker.jwksUri })()],
  [
    'x5u pointing at the attacker',
    'unknown_key',
    () => attackerSigned({ x5u: `${attacker.url}/cert.pem` })(),
  ],
  ['x5c with an attacker chain', 'unknown_key', attackerSigned({ x5c: ['MIIBkTCB+wIJAK'] })],
]);

runCorpus('Attack: critical header extensions', [
  [
    'crit naming a registered but unsupported parameter',
    'unsupported_header',
    header({ crit: ['exp'], exp: 1 }),
  ],
  ['crit naming a made-up extension', 'unsupported_header', header({ crit: ['urn:x'], 'urn:x': true })],
  ['crit empty', 'malformed', reheaded({ crit: [] })],
  ['crit not an array', 'malformed', reheaded({ crit: 'exp' })],
  ['unencoded payload (b64: false, RFC 7797)', 'malformed', raw('{"a":1}', { b64: false, crit: ['b64'] })],
]);

runCorpus('Attack: replay of expired or premature tokens', [
  ['expired', 'expired', () => issuer.expired()],
  ['expired a minute ago', 'expired', mint({ expiresIn: -60 })],
  ['nbf in the future', 'not_yet_valid', () => issuer.notYetValid()],
  [
    'iat a year in the future',
    'issued_in_future',
    () => issuer.mint({ claims: { iat: now() + 31_536_000 } }),
  ],
  ['iat a minute in the future', 'issued_in_future', () => issuer.mint({ claims: { iat: now() + 60 } })],
  ['exp missing', 'missing_claim', claims({ exp: undefined })],
  ['exp a string', 'invalid_claim', claims({ exp: 'tomorrow' })],
  ['exp a numeric string', 'invalid_claim', () => issuer.mint({ claims: { exp: String(now() + 300) } })],
  ['exp null', 'invalid_claim', claims({ exp: null })],
  ['exp a boolean', 'invalid_claim', claims({ exp: true })],
  ['nbf a string', 'invalid_claim', claims({ nbf: '0' })],
  ['iat a string', 'invalid_claim', claims({ iat: 'now' })],
]);

/**
 * A signed payload with our claims and `member` written last as raw JSON text, which wins over
 * the earlier one: `1e400` is a number JSON.parse reads as Infinity, which JSON.stringify cannot write.
 */
const rawMember =
  (member: string): Thunk =>
  async () => {
    const claimsText = JSON.stringify(decodeJwt(await issuer.mint())).slice(0, -1);
    return issuer.signRaw(`${claimsText},${member}}`);
  };

runCorpus('Attack: time claims that are not finite times (a token that never expires)', [
  ['exp 1e400 (Infinity)', 'invalid_claim', rawMember('"exp":1e400')],
  ['exp 1e400 (Infinity), strict', 'invalid_claim', rawMember('"exp":1e400'), 'strict'],
  ['exp -1e400 (-Infinity)', 'expired', rawMember('"exp":-1e400')],
  ['exp 1e300, long after the year 9999', 'invalid_claim', rawMember('"exp":1e300')],
  ['exp 253402300800, the first second of the year 10000', 'invalid_claim', rawMember('"exp":253402300800')],
  ['nbf -1e400 (-Infinity)', 'invalid_claim', rawMember('"nbf":-1e400')],
  ['nbf 1e400 (Infinity)', 'not_yet_valid', rawMember('"nbf":1e400')],
  ['nbf negative', 'invalid_claim', rawMember('"nbf":-1')],
  ['iat 1e400 (Infinity)', 'invalid_claim', rawMember('"iat":1e400')],
  ['iat -1e400 (-Infinity)', 'invalid_claim', rawMember('"iat":-1e400')],
  ['iat negative', 'invalid_claim', rawMember('"iat":-5')],
]);

// A token bound to a key (cnf) is the flow's to refuse or accept, since only the flow knows
// whether it came as Bearer or with a DPoP proof: core/test/dpop/bound-token-as-bearer.test.ts.
describe('cnf: left to the flow', () => {
  it('keeps cnf in the claims of a verified token, bound or not', async () => {
    const jkt = 'NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs';
    const principal = await verifiers.strict.verify(await issuer.mint({ claims: { cnf: { jkt } } }));
    expect(principal.claims['cnf']).toEqual({ jkt });
  });
});

runCorpus('Attack: tokens from another issuer', [
  ['wrong iss', 'wrong_issuer', () => issuer.wrongIssuer()],
  ['iss missing', 'missing_claim', claims({ iss: undefined })],
  ['iss with a trailing slash', 'wrong_issuer', () => issuer.mint({ claims: { iss: `${issuer.url}/` } })],
  ['iss in upper case', 'wrong_issuer', () => issuer.mint({ claims: { iss: issuer.url.toUpperCase() } })],
  ['iss an array holding the issuer', 'wrong_issuer', () => issuer.mint({ claims: { iss: [issuer.url] } })],
  ['iss a number', 'wrong_issuer', claims({ iss: 1 })],
]);

runCorpus('Attack: token replay against another resource (aud)', [
  ['wrong aud', 'wrong_audience', () => issuer.wrongAudience()],
  ['aud missing', 'missing_claim', claims({ aud: undefined })],
  ['aud an empty array', 'wrong_audience', audience([])],
  [
    'aud an array without this resource',
    'wrong_audience',
    audience(['https://a.example', 'https://b.example']),
  ],
  ['aud with another path', 'wrong_audience', audience('https://mcp.example.com/admin')],
  ['aud the origin only', 'wrong_audience', audience('https://mcp.example.com/')],
  ['aud with another port', 'wrong_audience', audience('https://mcp.example.com:8443/mcp')],
  ['aud with http instead of https', 'wrong_audience', audience('http://mcp.example.com/mcp')],
  ['aud with the path in another case', 'wrong_audience', audience('https://mcp.example.com/MCP')],
  ['aud with two trailing slashes', 'wrong_audience', audience('https://mcp.example.com/mcp//')],
  ['aud with a query', 'wrong_audience', audience('https://mcp.example.com/mcp?x=1')],
  ['aud a number', 'invalid_claim', claims({ aud: 42 })],
  ['aud an object', 'invalid_claim', claims({ aud: { url: AUDIENCE } })],
  ['aud an array holding a non-string', 'invalid_claim', claims({ aud: [AUDIENCE, 1] })],
]);

runCorpus('Attack: other JWTs used as access tokens (strict typ)', [
  ['typ JWT', 'wrong_type', header({ typ: 'JWT' }), 'strict'],
  ['typ missing', 'wrong_type', header({ typ: undefined }), 'strict'],
  ['typ application/jwt', 'wrong_type', header({ typ: 'application/jwt' }), 'strict'],
  ['typ at+jwt with a space', 'wrong_type', header({ typ: 'at+jwt ' }), 'strict'],
  ['typ a number', 'wrong_type', header({ typ: 1 }), 'strict'],
  [
    'an ID token',
    'wrong_type',
    mint({ header: { typ: 'JWT' }, claims: { client_id: undefined, nonce: 'n' } }),
    'strict',
  ],
]);

runCorpus('Attack: malformed tokens', [
  ['empty', 'malformed', () => ''],
  ['one segment', 'malformed', edited(([head]) => head)],
  ['two segments', 'malformed', edited(([head, payload]) => `${head}.${payload}`)],
  ['four segments', 'malformed', edited((_, token) => `${token}.`)],
  [
    'a JWE (five segments)',
    'malformed',
    () => `${b64({ alg: 'dir', enc: 'A256GCM' })}..${b64('iv')}.${b64('ct')}.${b64('tag')}`,
  ],
  ['bad base64url in the header', 'malformed', edited(([, p, s]) => `@@@.${p}.${s}`)],
  ['standard base64 characters in the header', 'malformed', edited(([, p, s]) => `e+J/.${p}.${s}`)],
  ['a header that is not JSON', 'malformed', edited(([, p, s]) => `${b64('not json')}.${p}.${s}`)],
  ['a header that is a JSON array', 'malformed', edited(([, p, s]) => `${b64('[1]')}.${p}.${s}`)],
  ['a header that is null', 'malformed', edited(([, p, s]) => `${b64('null')}.${p}.${s}`)],
  ['a payload that is a JSON array', 'malformed', raw('[{"iss":"x"}]')],
  ['a payload that is a JSON string', 'malformed', raw('"claims"')],
  ['a payload that is null', 'malformed', raw('null')],
  ['a payload that is not JSON', 'malformed', raw('hello')],
  ['a payload that is not UTF-8', 'malformed', raw(new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]))],
  ['non-ASCII characters', 'malformed', edited((_, token) => `${token}é`)],
  ['the Bearer prefix left on', 'malformed', edited((_, token) => `Bearer ${token}`)],
  [
    'one character over the size limit',
    'too_large',
    edited((_, token) => token.padEnd(MAX_TOKEN_BYTES + 1, 'A')),
  ],
  ['1 MB of claims', 'too_large', claims({ pad: 'x'.repeat(1_000_000) })],
  ['not a string', 'malformed', () => 42 as unknown as string],
]);

runCorpus('Attack: scope claim smuggling', [
  ['scope an array', 'invalid_claim', claims({ scope: ['admin'] })],
  ['scope an object', 'invalid_claim', claims({ scope: { admin: true } })],
  ['scope a number', 'invalid_claim', claims({ scope: 1 })],
  ['sub a number', 'invalid_claim', claims({ sub: 1 })],
]);

describe('Attack: the jku header makes the server fetch attacker keys', () => {
  it('never requests the URL in jku or x5u', async () => {
    attacker.resetRequests();
    const token = await attacker.mint({
      claims: { iss: issuer.url },
      header: { jku: attacker.jwksUri, x5u: attacker.jwksUri },
    });
    await expect(verifiers.default.verify(token)).rejects.toBeInstanceOf(InvalidTokenError);
    expect(attacker.requests.jwks).toBe(0);
  });
});

describe('Duplicate JSON member names: the last one decides, consistently', () => {
  const payload = (members: string): string =>
    `{"aud":${JSON.stringify(AUDIENCE)},"exp":${now() + 300},"iat":${now()},${members}}`;

  it('follows the last iss', async () => {
    const good = await issuer.signRaw(
      payload(`"iss":"https://evil.example","iss":${JSON.stringify(issuer.url)}`),
    );
    expect(decodeJwt(good).iss).toBe(issuer.url);
    expect((await verifiers.default.verify(good)).issuer).toBe(issuer.url);
    const bad = await issuer.signRaw(
      payload(`"iss":${JSON.stringify(issuer.url)},"iss":"https://evil.example"`),
    );
    expect(decodeJwt(bad).iss).toBe('https://evil.example');
    await expect(verifiers.default.verify(bad)).rejects.toMatchObject({ reason: 'wrong_issuer' });
  });

  it('follows the last exp and scope', async () => {
    const iss = `"iss":${JSON.stringify(issuer.url)}`;
    const expired = await issuer.signRaw(payload(`${iss},"exp":${now() + 300},"exp":${now() - 300}`));
    await expect(verifiers.default.verify(expired)).rejects.toMatchObject({ reason: 'expired' });
    const scoped = await issuer.signRaw(payload(`${iss},"scope":"admin","scope":"files:read"`));
    expect([...(await verifiers.default.verify(scoped)).scopes]).toEqual(['files:read']);
  });
});

describe('The corpus', () => {
  it('holds at least 60 distinct cases', () => {
    expect(seen.size).toBeGreaterThanOrEqual(60);
  });
});
