import type { DpopKey } from './dpop-key.js';
import { challengeParams } from './internal/www-authenticate.js';

/** A `fetch` as the MCP SDK transports take it (`FetchLike` in SDK v1 and v2). */
export type DpopFetch = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

/** Options of {@link dpopFetch}. */
export interface DpopFetchOptions {
  /** The fetch the requests go through. Default the global `fetch`. */
  readonly fetch?: DpopFetch;
}

/**
 * A `fetch` that sends every request with `Authorization: DPoP <accessToken>` and a fresh proof
 * made with `key` (RFC 9449 section 7): `htm` the request's method, `htu` its URL without query
 * and fragment, `ath` the token's hash, and the latest `DPoP-Nonce` the request's origin sent, if
 * any. A `401` whose `DPoP` challenge says `error="use_dpop_nonce"` is retried once with the nonce
 * in its `DPoP-Nonce` header (section 9); every response's `DPoP-Nonce` is remembered for its
 * origin, so later requests carry it from the start. Any `Authorization` header of the request
 * is replaced.
 *
 * Pass it as `fetch` to the MCP SDK's `StreamableHTTPClientTransport` (v1 or v2), without an
 * `authProvider`, to call a server with a DPoP-bound token. For tests and local development.
 *
 * @example
 * ```ts
 * const key = await createDpopKey();
 * const token = await as.clientCredentialsToken({ resource: MCP_URL, scope: 'files:read', dpop: key });
 * const transport = new StreamableHTTPClientTransport(new URL(MCP_URL), { fetch: dpopFetch(key, token) });
 * await client.connect(transport);
 * ```
 */
export function dpopFetch(key: DpopKey, accessToken: string, options: DpopFetchOptions = {}): DpopFetch {
  if (typeof key?.proof !== 'function') {
    throw new TypeError('dpopFetch: key must be a DpopKey, from createDpopKey().');
  }
  if (typeof accessToken !== 'string' || accessToken === '') {
    throw new TypeError('dpopFetch: accessToken must be a non-empty string (a DPoP-bound access token).');
  }
  const base = options.fetch ?? fetch;
  const nonces = new Map<string, string>();

  const send = async (request: Request, origin: string): Promise<Response> => {
    const nonce = nonces.get(origin);
    request.headers.set('authorization', `DPoP ${accessToken}`);
    request.headers.set(
      'dpop',
      await key.proof({
        method: request.method,
        url: request.url,
        accessToken,
        ...(nonce === undefined ? {} : { nonce }),
      }),
    );
    const response = await base(request);
    const next = response.headers.get('dpop-nonce');
    if (next !== null && next !== '') nonces.set(origin, next);
    return response;
  };

  return async (input, init) => {
    const request = new Request(input, init);
    const origin = new URL(request.url).origin;
    // Made before the body is sent: the retry needs its own copy of it.
    const retry = request.clone();
    const sentNonce = nonces.get(origin);
    const response = await send(request, origin);
    if (!asksForNonce(response) || nonces.get(origin) === sentNonce) return response;
    await response.body?.cancel();
    return send(retry, origin);
  };
}

/** A 401 whose `DPoP` challenge is `use_dpop_nonce` (RFC 9449 section 9). */
function asksForNonce(response: Response): boolean {
  return (
    response.status === 401 &&
    challengeParams(response.headers.get('www-authenticate'), 'DPoP')?.get('error') === 'use_dpop_nonce'
  );
}
