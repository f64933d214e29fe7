/** RFC 3986 section 2.3 unreserved characters: a percent-encoded one means the character itself. */
const UNRESERVED = /[A-Za-z0-9\-._~]/;

/**
 * `url` normalised for comparing a DPoP proof's `htu` (RFC 9449 section 4.3, RFC 3986 sections
 * 6.2.2 and 6.2.3): origin and path only (query and fragment dropped), scheme and host lower-case,
 * default port dropped, dot segments resolved, percent-encodings upper-case and unreserved
 * characters decoded. `undefined` for anything that is not an absolute http(s) URL without
 * user info.
 */
export function normalizeHtu(url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  if (
    (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') ||
    parsed.username !== '' ||
    parsed.password !== ''
  ) {
    return undefined;
  }
  return parsed.origin + normalizePercentEncoding(parsed.pathname);
}

/**
 * The `htu` a proof must carry for a request whose target (path and query as received, e.g.
 * `/mcp?x=1`) reached a resource at `origin` (`https://api.example.com`), normalised as
 * {@link normalizeHtu} does. The origin is the configured resource's, never the `Host` header's:
 * it is the URL clients call, so it holds behind a proxy. `undefined` for a target that is not a
 * path (or an absolute URL, whose path is taken).
 */
export function expectedHtu(origin: string, target: string): string | undefined {
  if (target.startsWith('/')) {
    let end = target.length;
    const query = target.indexOf('?');
    const fragment = target.indexOf('#');
    if (query >= 0) end = query;
    if (fragment >= 0 && fragment < end) end = fragment;
    return normalizeHtu(origin + target.slice(0, end));
  }
  let absolute: URL;
  try {
    absolute = new URL(target);
  } catch {
    return undefined;
  }
  return normalizeHtu(origin + absolute.pathname);
}

function normalizePercentEncoding(path: string): string {
  if (!path.includes('%')) return path;
  return path.replace(/%[0-9a-fA-F]{2}/g, (escape) => {
    const char = String.fromCharCode(parseInt(escape.slice(1), 16));
    return UNRESERVED.test(char) ? char : escape.toUpperCase();
  });
}
