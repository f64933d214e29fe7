/** Where {@link authorizeHeadless} ended: the client's redirect URI with its parameters. */
export interface HeadlessAuthorization {
  /** The authorization code. */
  readonly code: string;
  /** The `state` echoed back, if the request had one. */
  readonly state: string | undefined;
  /** The `iss` parameter (RFC 9207), if the authorization server sends it. */
  readonly iss: string | undefined;
  /** The full redirect the authorization server sent the browser to. */
  readonly callbackUrl: URL;
}

/** Options of {@link authorizeHeadless}. */
export interface AuthorizeHeadlessOptions {
  /**
   * The client's redirect URI: the walk stops at the first redirect to it. Default: the first
   * redirect that leaves the authorization server's origin.
   */
  readonly redirectUri?: string | URL;
  /** Most redirects followed before giving up. Default 20. */
  readonly maxRedirects?: number;
  /** The fetch implementation. Default the global `fetch`. */
  readonly fetch?: typeof fetch;
}

/**
 * Plays the browser in an authorization code flow against an authorization server that needs
 * no user input (the dev authorization server's auto-consent): requests `authorizationUrl`,
 * follows redirects by hand while keeping cookies, and returns the code from the redirect back
 * to the client. Build the URL yourself (PKCE `code_challenge`, `resource`, `state`), or hand it
 * the URL an OAuth client library wants to open, e.g. the MCP SDK's `redirectToAuthorization`.
 * Throws when the server answers with a page instead of a redirect, or redirects back with
 * `error`. For tests and local development only.
 *
 * @example
 * ```ts
 * const { code } = await authorizeHeadless(url, { redirectUri: 'http://127.0.0.1:9999/callback' });
 * ```
 */
export async function authorizeHeadless(
  authorizationUrl: string | URL,
  options: AuthorizeHeadlessOptions = {},
): Promise<HeadlessAuthorization> {
  const doFetch = options.fetch ?? fetch;
  const start = new URL(authorizationUrl);
  const redirectUri = options.redirectUri === undefined ? undefined : new URL(options.redirectUri);
  const maxRedirects = options.maxRedirects ?? 20;
  const cookies = new Map<string, string>();
  let url = start;
  for (let hop = 0; hop <= maxRedirects; hop++) {
    const cookie = [...cookies].map(([name, value]) => `${name}=${value}`).join('; ');
    const response = await doFetch(url, { redirect: 'manual', headers: cookie === '' ? {} : { cookie } });
    for (const line of response.headers.getSetCookie()) {
      const [pair = ''] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      if (value === '' || /expires=Thu, 01 Jan 1970/i.test(line)) cookies.delete(name);
      else cookies.set(name, value);
    }
    const location = response.headers.get('location');
    if (response.status < 300 || response.status > 399 || location === null) {
      const body = (await response.text())
        .replace(/<[^>]*>/g, ' ')
        .replace(/\s+/g, ' ')
        .slice(0, 300);
      throw new Error(
        `authorizeHeadless: ${url.origin}${url.pathname} answered HTTP ${response.status}, not a redirect: ${body}`,
      );
    }
    await response.body?.cancel();
    const next = new URL(location, url);
    const isCallback =
      redirectUri === undefined
        ? next.origin !== start.origin
        : next.origin === redirectUri.origin && next.pathname === redirectUri.pathname;
    if (isCallback) return callbackResult(next);
    url = next;
  }
  throw new Error(`authorizeHeadless: more than ${maxRedirects} redirects without reaching the client.`);
}

function callbackResult(callbackUrl: URL): HeadlessAuthorization {
  const params = callbackUrl.searchParams;
  const error = params.get('error');
  if (error !== null) {
    const description = params.get('error_description');
    throw new Error(
      `authorizeHeadless: the authorization server refused: ${error}${description ? `: ${description}` : ''}`,
    );
  }
  const code = params.get('code');
  if (code === null) throw new Error('authorizeHeadless: the redirect back to the client carries no code.');
  return { code, state: params.get('state') ?? undefined, iss: params.get('iss') ?? undefined, callbackUrl };
}
