/** One challenge element: a scheme or an auth-param `name=value` (token or quoted-string). */
const ELEMENT = /[\s,]*([!#$%&'*+\-.^_`|~\w]+)(?:\s*=\s*("(?:[^"\\]|\\.)*"|[!#$%&'*+\-.^_`|~\w]+))?/y;

/**
 * The auth-params of the first challenge in `scheme` (compared case-insensitively) in a
 * `WWW-Authenticate` value (RFC 9110 section 11.6.1), which may hold several challenges:
 * `Bearer realm="x", DPoP algs="ES256", error="use_dpop_nonce"`. Names are lower-cased, quoted
 * values unescaped. `undefined` when no challenge has that scheme.
 */
export function challengeParams(header: string | null, scheme: string): Map<string, string> | undefined {
  if (header === null) return undefined;
  const wanted = scheme.toLowerCase();
  let params: Map<string, string> | undefined;
  let current: string | undefined;
  ELEMENT.lastIndex = 0;
  for (let match = ELEMENT.exec(header); match !== null; match = ELEMENT.exec(header)) {
    const [, name, value] = match as unknown as [string, string, string | undefined];
    if (value === undefined) {
      if (params !== undefined) break;
      current = name.toLowerCase();
      if (current === wanted) params = new Map();
    } else if (params !== undefined) {
      params.set(
        name.toLowerCase(),
        value.startsWith('"') ? value.slice(1, -1).replace(/\\(.)/g, '$1') : value,
      );
    }
  }
  return params;
}
