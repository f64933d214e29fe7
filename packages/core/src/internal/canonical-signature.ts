/** The base64url alphabet (RFC 4648 section 5), in value order, unpadded as JWS uses it. */
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const BASE64URL = /^[A-Za-z0-9_-]*$/;

/**
 * True when the signature segment of a compact JWS is spelled the one canonical base64url way:
 * only alphabet characters, and the unused low bits of a final partial group zero (RFC 4648
 * section 3.5). Decoding stays jose's; this only refuses the spellings a forgiving decoder (Node
 * 20's `atob`, which jose falls back to) maps onto the same bytes: whitespace, `=` padding, set
 * pad bits. The signature covers header and payload only, so without this check one signed token
 * has many spellings that all verify, which defeats token-hash caches, replay lists and the
 * "only the exact token verifies" property. A regular expression and one lookup: cheap enough for
 * every verification, unlike a decode-and-re-encode round trip.
 */
export function hasCanonicalSignature(token: string): boolean {
  const signature = token.slice(token.lastIndexOf('.') + 1);
  if (!BASE64URL.test(signature)) return false;
  const partial = signature.length % 4;
  if (partial === 0) return true;
  if (partial === 1) return false;
  const unusedBits = partial === 2 ? 0b1111 : 0b11;
  return (ALPHABET.indexOf(signature[signature.length - 1]!) & unusedBits) === 0;
}
