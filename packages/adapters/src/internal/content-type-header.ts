/**
 * The request's `Content-Type`, read from its raw headers. Reading `rawHeaders` avoids building
 * Node's `headers` object, which a framework may never need otherwise (Fastify does not).
 */
export function contentTypeHeader(rawHeaders: readonly string[]): string | undefined {
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]!;
    if (name.length === 12 && name.toLowerCase() === 'content-type') return rawHeaders[i + 1];
  }
  return undefined;
}
