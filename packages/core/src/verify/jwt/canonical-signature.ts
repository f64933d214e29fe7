import type { CryptoKey } from 'jose';

/** The base64url alphabet (RFC 4648 section 5), in value order, unpadded as JWS uses it. */
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const DOT = 0x2e;
const HMAC_BYTES: Readonly<Record<string, number>> = { HS256: 32, HS384: 48, HS512: 64 };
const CURVE_BYTES: Readonly<Record<string, number>> = { 'P-256': 64, 'P-384': 96, 'P-521': 132 };

/**
 * Bytes in every signature `key` makes for `alg`: fixed by the key (RSA: the modulus; ECDSA and
 * EdDSA: the curve; HMAC: the hash), and checked by WebCrypto, which refuses a signature of any
 * other length. `undefined` for a key of no known kind.
 */
export function signatureBytes(key: CryptoKey | Uint8Array, alg: string): number | undefined {
  if (key instanceof Uint8Array) return HMAC_BYTES[alg];
  const algorithm = key.algorithm as { name: string; modulusLength?: number; namedCurve?: string };
  switch (algorithm.name) {
    case 'RSASSA-PKCS1-v1_5':
    case 'RSA-PSS':
      return Math.ceil(algorithm.modulusLength! / 8);
    case 'ECDSA':
      return CURVE_BYTES[algorithm.namedCurve!];
    case 'Ed25519':
      return 64;
    case 'Ed448':
      return 114;
    case 'HMAC':
      return HMAC_BYTES[alg];
    default:
      return undefined;
  }
}

/**
 * True when the signature segment of a compact JWS whose signature verified as `bytes` bytes is
 * spelled the one canonical base64url way: no whitespace, no `=` padding, and the unused low bits
 * of a final partial group zero (RFC 4648 section 3.5). Decoding stays jose's; this refuses the
 * spellings a forgiving decoder (Node 20's `atob`, which jose falls back to) maps onto the same
 * bytes. The signature covers header and payload only, so without this check one signed token
 * has many spellings that all verify, which defeats caches, replay lists and the "only the exact
 * token verifies" property.
 *
 * No scan: a decoder that yields `bytes` bytes read exactly `ceil(4 * bytes / 3)` alphabet
 * characters, so any whitespace or padding makes the segment longer than that. The segment has
 * exactly that length when the character just before it is the `.` (the token verified, so it has
 * two dots, and a shorter segment could not have held the signature). That leaves the last
 * character's unused bits.
 */
export function hasCanonicalSignature(token: string, bytes: number): boolean {
  const chars = Math.ceil((bytes * 4) / 3);
  if (token.length <= chars || token.charCodeAt(token.length - chars - 1) !== DOT) return false;
  const partial = chars % 4;
  if (partial === 0) return true;
  const unusedBits = partial === 2 ? 0b1111 : 0b11;
  return (ALPHABET.indexOf(token.charAt(token.length - 1)) & unusedBits) === 0;
}
