import type { IncomingMessage } from 'node:http';
import type { BearerRequest } from '@valet/core';

const FORM = /^\s*application\/x-www-form-urlencoded\s*(?:;|$)/i;

/** True for a form-encoded body: the only kind that may carry an `access_token` (RFC 6750 section 2.2). */
export function isFormContentType(contentType: string | undefined): boolean {
  return contentType !== undefined && FORM.test(contentType);
}

/**
 * The parts of a Node request core reads credentials from: every `Authorization` header (a
 * repeated one is refused by core), the query, and the body only when it is form-encoded.
 * Headers are read from `rawHeaders`, which every Node request has (`headersDistinct` is missing
 * on the requests `fastify.inject()` builds) and which keeps repeated headers.
 */
export function bearerRequest(req: IncomingMessage, body?: unknown): BearerRequest {
  let authorization: string | string[] | undefined;
  let contentType: string | undefined;
  const { rawHeaders, url } = req;
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]!.toLowerCase();
    const value = rawHeaders[i + 1]!;
    if (name === 'authorization') {
      authorization = authorization === undefined ? value : [authorization, value].flat();
    } else if (name === 'content-type' && contentType === undefined) contentType = value;
  }
  const queryStart = url === undefined ? -1 : url.indexOf('?');
  return {
    authorization,
    query: queryStart < 0 ? undefined : url!.slice(queryStart),
    contentType,
    body: isFormContentType(contentType) ? body : undefined,
  };
}
