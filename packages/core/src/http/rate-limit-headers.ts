import type { RateLimitedError } from '../errors.js';

/**
 * The headers of a 429: `Retry-After` (RFC 9110 section 10.2.3), and the `RateLimit-Policy` and
 * `RateLimit` fields of draft-ietf-httpapi-ratelimit-headers (-08 to -12): the quota `q` per
 * window `w` seconds, what `r` remains and in how many seconds `t` the window resets, under a
 * policy named after the operation (an sf-string; `"default"` for an id that is not printable
 * ASCII).
 *
 * @example
 * ```ts
 * rateLimitHeaders(error); // for 60/m on "search", 42 s before the window ends:
 * // { 'retry-after': '42', 'ratelimit-policy': '"search";q=60;w=60', ratelimit: '"search";r=0;t=42' }
 * ```
 */
export function rateLimitHeaders(error: RateLimitedError): Record<string, string> {
  const name = policyName(error.operationId);
  return {
    'retry-after': String(error.retryAfter),
    'ratelimit-policy': `${name};q=${error.limit};w=${error.windowSeconds}`,
    ratelimit: `${name};r=${error.remaining};t=${error.resetSeconds}`,
  };
}

/** An RFC 8941 sf-string: printable ASCII, with `"` and `\` escaped. */
function policyName(operationId: string): string {
  return /^[\x20-\x7e]{1,200}$/.test(operationId)
    ? `"${operationId.replace(/["\\]/g, '\\$&')}"`
    : '"default"';
}
