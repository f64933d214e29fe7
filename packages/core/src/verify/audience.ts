/**
 * Audience comparison for MCP servers: an access token's `aud` names the resource it was issued
 * for (RFC 8707), and the MCP authorization spec names that resource by its canonical server URI.
 *
 * The rule, for two `http:`/`https:` URLs:
 *
 * - scheme and host compare case-insensitively (the spec: "implementations SHOULD accept
 *   uppercase scheme and host components"), and a default port equals no port
 *   (`https://h:443/mcp` is `https://h/mcp`);
 * - one trailing slash on the path is not significant (`https://h/mcp/` is `https://h/mcp`,
 *   `https://h/` is `https://h`). The spec calls the form without the slash canonical and
 *   clients and URL libraries add or drop it freely, so refusing over it would only lock out
 *   honest clients; no server can mean two different MCP servers by the two forms;
 * - everything else must be identical: a different scheme (`http` vs `https`), port, path (case
 *   included, `/mcp` vs `/mcp2` vs `/mcp//`), query, user info or any fragment is another resource.
 *
 * Any other audience (`api://default`, `my-api`, an Auth0 API identifier that is not a URL)
 * compares as an exact, case-sensitive string. So does a URL-looking string with whitespace,
 * control characters or backslashes, which URL parsers would otherwise silently repair.
 *
 * @module
 */

/** `http(s)://` followed by characters no URL parser rewrites. */
const PLAIN_HTTP_URL = /^https?:\/\/[^\s\\\p{Cc}]+$/iu;

/**
 * The form in which two audiences are compared: for an `http:`/`https:` URL, lower-case scheme
 * and host, no default port, no single trailing slash; any other string unchanged.
 *
 * @example
 * ```ts
 * canonicalAudience('HTTPS://MCP.Example.com:443/mcp/'); // 'https://mcp.example.com/mcp'
 * canonicalAudience('api://default');                     // 'api://default'
 * ```
 */
export function canonicalAudience(value: string): string {
  if (!PLAIN_HTTP_URL.test(value)) return value;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return value;
  }
  if (url.username !== '' || url.password !== '' || value.includes('#')) return value;
  const path = url.pathname.endsWith('/') ? url.pathname.slice(0, -1) : url.pathname;
  return `${url.protocol}//${url.host}${path}${url.search}`;
}

/**
 * True when a token audience `actual` names the resource `expected`, by the rule in this module's
 * description.
 *
 * @example
 * ```ts
 * audienceMatches('https://mcp.example.com/mcp', 'https://MCP.example.com/mcp/'); // true
 * audienceMatches('https://mcp.example.com/mcp', 'https://mcp.example.com:8443/mcp'); // false
 * ```
 */
export function audienceMatches(expected: string, actual: string): boolean {
  return expected === actual || canonicalAudience(expected) === canonicalAudience(actual);
}

/** A precompiled check of a token's `aud` claim against the configured audiences. */
export interface AudienceMatcher {
  /** The configured audiences, as given. */
  readonly expected: readonly string[];
  /** True when `aud` (a string or an array of strings) names one of the expected audiences. */
  matches(aud: string | readonly string[]): boolean;
}

/**
 * Compiles the configured audiences once, so a verification costs a set lookup and, only when
 * the token's audience is not spelled exactly as configured, one URL parse.
 *
 * @example
 * ```ts
 * const matcher = audienceMatcher(['https://mcp.example.com/mcp']);
 * matcher.matches(['https://other.example', 'https://mcp.example.com/mcp/']); // true
 * ```
 */
export function audienceMatcher(expected: readonly string[]): AudienceMatcher {
  const exact = new Set(expected);
  const canonical = new Set(expected.map(canonicalAudience));
  const one = (aud: string): boolean => exact.has(aud) || canonical.has(canonicalAudience(aud));
  return Object.freeze({
    expected: Object.freeze([...expected]),
    matches: (aud: string | readonly string[]): boolean =>
      typeof aud === 'string' ? one(aud) : aud.some(one),
  });
}
