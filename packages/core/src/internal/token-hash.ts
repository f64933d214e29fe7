import { hash } from 'node:crypto';

/**
 * A cache key for a bearer token: SHA-256, base64url. Caches never hold the token itself as a
 * key, so a heap dump of a cache does not list live tokens next to each other. One-shot
 * `crypto.hash` is about 40% cheaper than `createHash().update().digest()` for token-sized input.
 */
export function tokenHash(token: string): string {
  return hash('sha256', token, 'base64url');
}
