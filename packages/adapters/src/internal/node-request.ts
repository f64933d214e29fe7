import type { IncomingMessage } from 'node:http';
import type { AdmitRequest } from '@valet/core';

const FORM = /^\s*application\/x-www-form-urlencoded\s*(?:;|$)/i;

/** True for a form-encoded body: the only kind that may carry an `access_token` (RFC 6750 section 2.2). */
export function isFormContentType(contentType: string | undefined): boolean {
  return contentType !== undefined && FORM.test(contentType);
}

/** What an adapter adds to a request's credentials: its parsed body, and the flow's options. */
export type AdmitFields = Pick<AdmitRequest, 'body' | 'optional' | 'operations'>;

/**
 * The {@link AdmitRequest} of a Node request: `Origin` and `Host` (HTTP/2: `:authority`), every
 * `Authorization` header (a repeated one of any of these is refused by core), the query, the
 * body only when it is form-encoded, and `fields`. Headers are read from `rawHeaders`, which
 * every Node request has (`headersDistinct` is missing on the requests `fastify.inject()`
 * builds) and which keeps repeated headers (`req.headers.host` keeps only the first).
 */
export function admitRequest(req: IncomingMessage, fields: AdmitFields): AdmitRequest {
  let authorization: string | string[] | undefined;
  let contentType: string | undefined;
  let origin: string | undefined;
  let host: string | undefined;
  let authority: string | undefined;
  const { rawHeaders, url } = req;
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]!.toLowerCase();
    const value = rawHeaders[i + 1]!;
    if (name === 'authorization') {
      authorization = authorization === undefined ? value : [authorization, value].flat();
    } else if (name === 'content-type' && contentType === undefined) contentType = value;
    // Repeats joined as the Fetch API's headers.get() joins them: no origin or host, so refused.
    else if (name === 'origin') origin = origin === undefined ? value : `${origin}, ${value}`;
    else if (name === 'host') host = host === undefined ? value : `${host}, ${value}`;
    else if (name === ':authority') authority = value;
  }
  const queryStart = url === undefined ? -1 : url.indexOf('?');
  return {
    origin,
    host: host ?? authority,
    authorization,
    query: queryStart < 0 ? undefined : url!.slice(queryStart),
    contentType,
    body: isFormContentType(contentType) ? fields.body : undefined,
    optional: fields.optional,
    operations: fields.operations,
  };
}
