import { describe, expect, it } from '@jest/globals';
import { exportJWK, exportPKCS8, exportSPKI, generateKeyPair } from 'jose';
import { OptionsError } from '../../src/errors.js';
import { JwtVerifier } from '../../src/verify/jwt-verifier.js';
import type { JwtVerifierOptions } from '../../src/verify/jwt-verifier-options.js';

const ISSUER = 'https://auth.example.com';
const AUDIENCE = 'https://mcp.example.com/mcp';
const JWKS_URI = 'https://auth.example.com/jwks';
const SECRET = 'a-shared-secret-of-at-least-32-bytes!';

function fieldOf(options: unknown): string {
  try {
    new JwtVerifier(options as JwtVerifierOptions);
  } catch (err) {
    expect(err).toBeInstanceOf(OptionsError);
    expect((err as OptionsError).code).toBe('ERR_INVALID_OPTIONS');
    return (err as OptionsError).field;
  }
  throw new Error('the options were accepted');
}

const base = { issuer: ISSUER, audience: AUDIENCE, jwksUri: JWKS_URI };

describe('JwtVerifier options: accepted configurations', () => {
  it.each<[string, JwtVerifierOptions]>([
    ['jwksUri', base],
    ['discovery by default', { issuer: ISSUER, audience: AUDIENCE }],
    [
      'discovery from a metadata URL',
      { issuer: ISSUER, audience: AUDIENCE, discovery: `${ISSUER}/.well-known/x` },
    ],
    ['several issuers with a JWKS', { ...base, issuer: [ISSUER, 'https://other.example.com'] }],
    ['audience opt-out', { ...base, audience: false }],
    ['a secret with HS256', { issuer: ISSUER, audience: AUDIENCE, secret: SECRET, algorithms: ['HS256'] }],
    [
      'loopback http',
      { issuer: 'http://127.0.0.1:4000', audience: AUDIENCE, jwksUri: 'http://localhost:4000/jwks' },
    ],
    ['a non-URL issuer with a JWKS', { ...base, issuer: 'my-issuer' }],
    ['strict', { ...base, strict: true }],
    ['scopes from several claims', { ...base, scopeClaim: ['scp', 'roles'] }],
    ['jwks timing', { ...base, jwks: { timeoutMs: 1000, cooldownMs: 0, cacheMaxAgeMs: 60_000 } }],
  ])('%s', (_name, options) => {
    expect(() => new JwtVerifier(options)).not.toThrow();
  });

  it('accepts public keys as PEM, JWK, CryptoKey and a JWKS', async () => {
    const { publicKey } = await generateKeyPair('ES256', { extractable: true });
    const jwk = await exportJWK(publicKey);
    const pem = await exportSPKI(publicKey);
    expect(
      () => new JwtVerifier({ issuer: ISSUER, audience: AUDIENCE, keys: [pem, jwk, publicKey] }),
    ).not.toThrow();
    expect(
      () => new JwtVerifier({ issuer: ISSUER, audience: AUDIENCE, keys: { keys: [jwk] } }),
    ).not.toThrow();
  });
});

describe('JwtVerifier options: unsafe or contradictory configurations fail at construction', () => {
  it.each<[string, unknown, string]>([
    ['no options', undefined, 'options'],
    ['no issuer', { audience: AUDIENCE, jwksUri: JWKS_URI }, 'issuer'],
    ['an empty issuer', { ...base, issuer: '' }, 'issuer'],
    ['an empty issuer list', { ...base, issuer: [] }, 'issuer'],
    ['a plain-http issuer', { ...base, issuer: 'http://auth.example.com' }, 'issuer'],
    ['no audience', { issuer: ISSUER, jwksUri: JWKS_URI }, 'audience'],
    ['an empty audience list', { ...base, audience: [] }, 'audience'],
    ['an audience with a fragment', { ...base, audience: `${AUDIENCE}#x` }, 'audience'],
    ['audience: false in strict mode', { ...base, audience: false, strict: true }, 'audience'],
    ['"none" in algorithms', { ...base, algorithms: ['RS256', 'none'] }, 'algorithms'],
    ['"NONE" in algorithms', { ...base, algorithms: ['NONE'] }, 'algorithms'],
    ['an unknown algorithm', { ...base, algorithms: ['RS257'] }, 'algorithms'],
    ['an empty algorithm list', { ...base, algorithms: [] }, 'algorithms'],
    ['HS256 without a secret', { ...base, algorithms: ['HS256'] }, 'algorithms'],
    [
      'a secret with asymmetric algorithms',
      { issuer: ISSUER, audience: AUDIENCE, secret: SECRET, algorithms: ['RS256'] },
      'algorithms',
    ],
    ['a short secret', { issuer: ISSUER, audience: AUDIENCE, secret: 'short' }, 'secret'],
    [
      'a secret too short for HS512',
      { issuer: ISSUER, audience: AUDIENCE, secret: SECRET, algorithms: ['HS512'] },
      'secret',
    ],
    ['a secret of the wrong type', { issuer: ISSUER, audience: AUDIENCE, secret: 42 }, 'secret'],
    ['jwksUri and keys', { ...base, keys: { keys: [{ kty: 'EC' }] } }, 'keys'],
    ['a secret and a jwksUri', { ...base, secret: SECRET }, 'secret'],
    ['discovery and a jwksUri', { ...base, discovery: true }, 'discovery'],
    ['discovery off without keys', { issuer: ISSUER, audience: AUDIENCE, discovery: false }, 'discovery'],
    [
      'discovery with two issuers',
      { issuer: [ISSUER, 'https://b.example'], audience: AUDIENCE },
      'discovery',
    ],
    ['discovery of a non-URL issuer', { issuer: 'my-issuer', audience: AUDIENCE }, 'issuer'],
    [
      'a plain-http discovery URL',
      { issuer: ISSUER, audience: AUDIENCE, discovery: 'http://a.example/x' },
      'discovery',
    ],
    ['a plain-http jwksUri', { ...base, jwksUri: 'http://auth.example.com/jwks' }, 'jwksUri'],
    ['a jwksUri with credentials', { ...base, jwksUri: 'https://u:p@auth.example.com/jwks' }, 'jwksUri'],
    ['a jwksUri that is not a URL', { ...base, jwksUri: 'jwks.json' }, 'jwksUri'],
    ['typ JWT', { ...base, typ: 'JWT' }, 'typ'],
    ['typ: false in strict mode', { ...base, typ: false, strict: true }, 'typ'],
    ['allowMissingExp in strict mode', { ...base, allowMissingExp: true, strict: true }, 'allowMissingExp'],
    ['a negative clock tolerance', { ...base, clockTolerance: -1 }, 'clockTolerance'],
    ['an hour of clock tolerance', { ...base, clockTolerance: 3600 }, 'clockTolerance'],
    ['a zero maxTokenAge', { ...base, maxTokenAge: 0 }, 'maxTokenAge'],
    ['a fractional maxTokenBytes', { ...base, maxTokenBytes: 100.5 }, 'maxTokenBytes'],
    ['empty requiredClaims', { ...base, requiredClaims: [''] }, 'requiredClaims'],
    ['an empty scopeClaim list', { ...base, scopeClaim: [] }, 'scopeClaim'],
    ['an empty clientIdClaim', { ...base, clientIdClaim: '' }, 'clientIdClaim'],
    ['a negative jwks cooldown', { ...base, jwks: { cooldownMs: -1 } }, 'jwks.cooldownMs'],
    ['an unknown jwks option', { ...base, jwks: { timeout: 5 } }, 'jwks.timeout'],
    [
      'jwks options with static keys',
      { issuer: ISSUER, audience: AUDIENCE, secret: SECRET, jwks: {} },
      'jwks',
    ],
    ['validate that is not a function', { ...base, validate: 'yes' }, 'validate'],
    ['a misspelt option', { ...base, audiance: AUDIENCE }, 'audiance'],
    ['an empty key list', { issuer: ISSUER, audience: AUDIENCE, keys: [] }, 'keys'],
    ['a JWK without kty', { issuer: ISSUER, audience: AUDIENCE, keys: [{ n: 'x' }] }, 'keys[0]'],
    [
      'a symmetric JWK',
      { issuer: ISSUER, audience: AUDIENCE, keys: { keys: [{ kty: 'oct', k: 'x' }] } },
      'keys.keys[0]',
    ],
    ['a private JWK', { issuer: ISSUER, audience: AUDIENCE, keys: [{ kty: 'EC', d: 'x' }] }, 'keys[0]'],
    [
      'a PKCS#1 PEM',
      { issuer: ISSUER, audience: AUDIENCE, keys: ['-----BEGIN RSA PUBLIC KEY-----'] },
      'keys[0]',
    ],
    ['a string that is no PEM', { issuer: ISSUER, audience: AUDIENCE, keys: ['secret'] }, 'keys[0]'],
  ])('%s', (_name, options, field) => {
    expect(fieldOf(options)).toBe(field);
  });

  it('refuses private keys given as PEM or CryptoKey', async () => {
    const { privateKey } = await generateKeyPair('RS256', { extractable: true });
    expect(fieldOf({ issuer: ISSUER, audience: AUDIENCE, keys: [await exportPKCS8(privateKey)] })).toBe(
      'keys[0]',
    );
    expect(fieldOf({ issuer: ISSUER, audience: AUDIENCE, keys: [privateKey] })).toBe('keys[0]');
  });

  it('says what to do, and never echoes the secret', () => {
    let message = '';
    try {
      new JwtVerifier({ issuer: ISSUER, audience: AUDIENCE, secret: 'too-short-secret' });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/at least 32/);
    expect(message).not.toContain('too-short-secret');
  });
});
