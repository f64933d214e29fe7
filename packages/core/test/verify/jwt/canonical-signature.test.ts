import { describe, expect, it } from '@jest/globals';
import { base64url, generateKeyPair, generateSecret, SignJWT, type CryptoKey } from 'jose';
import { hasCanonicalSignature, signatureBytes } from '../../../src/verify/jwt/canonical-signature.js';

async function signed(alg: string, options: { modulusLength?: number; crv?: string } = {}) {
  const { publicKey, privateKey } = await generateKeyPair(alg, options);
  const token = await new SignJWT({}).setProtectedHeader({ alg }).sign(privateKey);
  return { token, key: publicKey };
}

describe('signatureBytes', () => {
  it.each([
    ['RS256', {}, 256],
    ['RS384', { modulusLength: 3072 }, 384],
    ['PS256', { modulusLength: 4096 }, 512],
    ['ES256', {}, 64],
    ['ES384', {}, 96],
    ['ES512', {}, 132],
    ['EdDSA', {}, 64],
  ] as const)(
    '%s (%j): the length of the signatures the key verifies, %i bytes',
    async (alg, options, bytes) => {
      const { token, key } = await signed(alg, options);
      expect(signatureBytes(key, alg)).toBe(bytes);
      expect(base64url.decode(token.split('.')[2]!)).toHaveLength(bytes);
      expect(hasCanonicalSignature(token, bytes)).toBe(true);
    },
  );

  it('gives the hash size for an HMAC secret, and nothing for an unknown algorithm', () => {
    const secret = new Uint8Array(32);
    expect(signatureBytes(secret, 'HS256')).toBe(32);
    expect(signatureBytes(secret, 'HS384')).toBe(48);
    expect(signatureBytes(secret, 'HS512')).toBe(64);
    expect(signatureBytes(secret, 'none')).toBeUndefined();
  });

  it('gives the hash size for an HMAC CryptoKey, and nothing for a key that cannot sign', async () => {
    expect(signatureBytes((await generateSecret('HS512')) as CryptoKey, 'HS512')).toBe(64);
    const { publicKey: oaep } = await generateKeyPair('RSA-OAEP');
    expect(signatureBytes(oaep, 'RS256')).toBeUndefined();
    const { publicKey: ecdh } = await generateKeyPair('ECDH-ES');
    expect(signatureBytes(ecdh, 'ES256')).toBeUndefined();
  });
});

describe('hasCanonicalSignature', () => {
  it('refuses a signature segment of another length than the key makes, whatever it holds', () => {
    const sig = 'A'.repeat(86);
    expect(hasCanonicalSignature(`h.p.${sig}`, 64)).toBe(true);
    expect(hasCanonicalSignature(`h.p.${sig}A`, 64)).toBe(false);
    expect(hasCanonicalSignature(`h.p.${sig.slice(1)}`, 64)).toBe(false);
    expect(hasCanonicalSignature(sig, 64)).toBe(false);
    expect(hasCanonicalSignature('', 64)).toBe(false);
  });
});
