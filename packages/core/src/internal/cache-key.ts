import { hash } from 'node:crypto';

/** 43 base64url characters: 258 bits, the length of an HS256 signature, the shortest allowed. */
const SIGNATURE_KEY_LENGTH = 43;

/**
 * The key a cache files a token under. A token with a `.` (a compact JWS) is keyed by its last
 * 43 characters: bits of its signature, as unpredictable as a digest of the token and free to
 * take (a SHA-256 of the whole token costs more than the rest of a cache hit together). Any other
 * token (opaque, introspected: its tail may be a checksum) is keyed by its SHA-256. Two tokens
 * can share a key, so a cache confirms a hit by comparing the whole token with the one it holds;
 * a key alone never answers for a token. Keys never contain a usable token.
 */
export function cacheKey(token: string): string {
  return token.length > SIGNATURE_KEY_LENGTH && token.includes('.')
    ? token.slice(-SIGNATURE_KEY_LENGTH)
    : hash('sha256', token, 'base64url');
}
