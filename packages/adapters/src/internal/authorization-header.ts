/**
 * Every `Authorization` header of a request, read from its raw headers: `undefined`, the single
 * value, or all of them when the header is repeated (so that core can refuse the request).
 * Node's `headers` keeps only the first one, and `headersDistinct` is missing on the requests
 * `fastify.inject()` builds; `rawHeaders` is on both.
 */
export function authorizationHeader(rawHeaders: readonly string[]): string | string[] | undefined {
  let found: string | string[] | undefined;
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]!;
    if (name.length !== 13 || name.toLowerCase() !== 'authorization') continue;
    const value = rawHeaders[i + 1]!;
    found = found === undefined ? value : typeof found === 'string' ? [found, value] : [...found, value];
  }
  return found;
}
