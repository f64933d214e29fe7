import type { ExchangedToken, Need } from './downstream-grants.js';

/**
 * `ctx.downstream` of an operation declared with `@Downstream`: tokens for exactly the declared
 * audiences (obtained by exchange, never the caller's own token), and a `fetch` that only reaches
 * their origins.
 */
export interface DownstreamContext {
  /**
   * The exchanged access token for `audience` (one of the declared ones; optional when exactly
   * one is declared). Rejects for an audience the operation did not declare.
   */
  token(audience?: string): Promise<string>;
  /**
   * `fetch` with `Authorization: <token type> <exchanged token>` for the declared audience whose
   * origin the URL has; a URL of any other origin rejects before any request is sent.
   */
  fetch(input: string | URL, init?: RequestInit): Promise<Response>;
}

/** The helper over the tokens an operation's exchanges obtained. */
export function downstreamContext(
  label: string,
  needs: readonly Need[],
  tokens: ReadonlyMap<string, ExchangedToken>,
): DownstreamContext {
  const declared = needs.map((need) => `"${need.audience}"`).join(', ');
  const tokenOf = (audience: string | undefined): ExchangedToken => {
    if (audience === undefined && needs.length !== 1) {
      throw new Error(`${label} declares several downstream audiences (${declared}); name one.`);
    }
    const token = tokens.get(audience ?? needs[0]!.audience);
    if (token === undefined) {
      throw new Error(
        `${label} did not declare the downstream audience "${String(audience)}"; it declares ${declared}.`,
      );
    }
    return token;
  };
  const origins = new Map<string, string>();
  for (const need of needs) {
    if (/^https?:/i.test(need.audience)) origins.set(new URL(need.audience).origin, need.audience);
  }
  return Object.freeze({
    token: async (audience?: string) => tokenOf(audience).accessToken,
    async fetch(input: string | URL, init?: RequestInit) {
      const url = new URL(input);
      const audience = origins.get(url.origin);
      if (audience === undefined) {
        throw new Error(
          `${label} may only fetch its declared downstream audiences (${declared}); ${url.origin} is not one of them.`,
        );
      }
      const token = tokenOf(audience);
      const headers = new Headers(init?.headers);
      headers.set('authorization', `${token.tokenType} ${token.accessToken}`);
      return fetch(url, { ...init, headers });
    },
  });
}
