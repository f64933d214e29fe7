import { AuthorizationServerUnavailableError } from '../../errors.js';
import { Refresher } from '../../lib/refresher.js';
import { secureUrl } from '../../lib/secure-url.js';
import { discoverAuthorizationServer } from '../../verify/discovery.js';

/** The longest wait between discovery attempts after failures, in milliseconds. */
const MAX_BACKOFF_MS = 30_000;

/** Resolves to the token endpoint's URL. */
export type TokenEndpoint = () => Promise<string>;

/** A token endpoint known at construction. */
export function fixedTokenEndpoint(url: string | URL): TokenEndpoint {
  const href = secureUrl('tokenEndpoint', url).href;
  return async () => href;
}

/**
 * The `token_endpoint` of `issuer`'s metadata (RFC 8414 section 2), discovered on first use and
 * kept. One discovery at a time, shared by every caller; after a failure, no new attempt before a
 * backoff (500 ms, doubling, at most 30 s) has passed: meanwhile exchanges fail at once with
 * `AuthorizationServerUnavailableError` (`discovery_failed`) and a `retryAfter` to match.
 */
export function discoveredTokenEndpoint(
  issuer: string,
  options: { readonly timeoutMs: number; readonly fetch: typeof fetch },
): TokenEndpoint {
  secureUrl('issuer', issuer);
  const metadata = new Refresher(async () => {
    const found = await discoverAuthorizationServer(issuer, {
      timeoutMs: options.timeoutMs,
      fetch: options.fetch,
    });
    const endpoint = found['token_endpoint'];
    try {
      return secureUrl('token_endpoint', endpoint).href;
    } catch (cause) {
      throw new AuthorizationServerUnavailableError(
        'discovery_failed',
        `The metadata of "${issuer}" has no usable token_endpoint (an https URL).`,
        { cause },
      );
    }
  }, MAX_BACKOFF_MS);
  return async () => {
    if (metadata.value !== undefined) return metadata.value;
    const now = Date.now();
    const ok = await metadata.refresh(now);
    if (ok === true && metadata.value !== undefined) return metadata.value;
    const lastError = metadata.lastError;
    throw new AuthorizationServerUnavailableError(
      'discovery_failed',
      `The token endpoint of "${issuer}" is unknown: discovery failed` +
        (ok === undefined ? '; retrying after a backoff.' : '.'),
      { cause: lastError, retryAfter: metadata.waitMs(Date.now()) / 1000 },
    );
  };
}
