import { hash } from 'node:crypto';

/** Characters of a signature mixed into a key: 48 bits of it, folded into a small integer. */
const KEY_CHARACTERS = 8;
/** The shortest signature allowed: 43 base64url characters, an HS256 signature. */
const MIN_SIGNATURE = 43;

/**
 * The key a cache files a token under: a small integer (a V8 Smi, so a map finds it without
 * hashing or allocating a string). A token with a `.` (a compact JWS) is keyed by the last 8
 * characters of its signature, which are as unpredictable as a digest of the token and free to
 * read (a SHA-256 of the whole token costs more than the rest of a cache hit together). Any
 * other token (opaque, introspected: its tail may be a checksum) is keyed by its SHA-256. Keys
 * are 30 bits, so two tokens can share one: a cache confirms a hit by comparing the whole token
 * with the one it holds, and a key alone never answers for a token.
 */
export function cacheKey(token: string): number {
  return mix(
    token.length > MIN_SIGNATURE && token.includes('.') ? token : hash('sha256', token, 'base64url'),
  );
}

/** The last {@link KEY_CHARACTERS} characters of `text`, mixed into 30 bits. */
function mix(text: string): number {
  let key = 0;
  for (let i = text.length - KEY_CHARACTERS; i < text.length; i++) {
    key = (Math.imul(key, 0x2f) + text.charCodeAt(i)) | 0;
  }
  return key & 0x3fffffff;
}
