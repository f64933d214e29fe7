import type { IncomingMessage } from 'node:http';
import { HeadersTooLargeError, type AdmitRequest } from '@valet/core';

const FORM = /^\s*application\/x-www-form-urlencoded\s*(?:;|$)/i;

/** True for a form-encoded body: the only kind that may carry an `access_token` (RFC 6750 section 2.2). */
export function isFormContentType(contentType: string | undefined): boolean {
  return contentType !== undefined && FORM.test(contentType);
}

/** What an adapter adds to a request's credentials: its parsed body, and the flow's options. */
export type AdmitFields = Pick<AdmitRequest, 'body' | 'optional' | 'operations'>;

/** The flow's options for a request: {@link AdmitFields} but the body, often one object per route. */
export type AdmitFlow = Pick<AdmitRequest, 'optional' | 'operations'>;

/**
 * `rawHeaders` entries (a name and a value per header line) at which Node's HTTP/1 parser stops
 * keeping header lines when `server.maxHeadersCount` is not set: 1000 lines, not the 2000 its
 * documentation gives (measured on Node 20).
 */
const NODE_DEFAULT_MAX_RAW_HEADERS = 2000;

/**
 * True when the request has as many header lines as its server keeps, so that Node may have
 * dropped the rest without a word: a second `Authorization` among them would go unseen. Node
 * gathers header lines in batches and stops once it holds `maxHeadersCount` lines or more, so
 * `rawHeaders` may hold a few past the limit but never fewer than the limit once lines were
 * dropped. Constant time: it runs on every request.
 */
function headerLinesMayBeDropped(req: IncomingMessage): boolean {
  // HTTP/2 refuses a stream past its header list limits instead of dropping lines.
  if (req.httpVersionMajor === 2) return false;
  const server = (req.socket as { server?: { maxHeadersCount?: unknown } } | undefined)?.server;
  const count = server?.maxHeadersCount;
  // As Node computes it; 0 (or less) is no limit.
  const limit = typeof count === 'number' ? count * 2 : NODE_DEFAULT_MAX_RAW_HEADERS;
  return limit > 0 && req.rawHeaders.length >= limit;
}

/**
 * The {@link AdmitRequest} of a Node request: `Origin` and `Host` (HTTP/2: `:authority`), every
 * `Authorization` and `DPoP` header (a repeated one of any of these is refused by core), the
 * method and the target as received (Express's `req.originalUrl` when present, since a router
 * mounted on a path rewrites `req.url`; a DPoP proof's `htu` names it), the query, `body` only
 * when it is form-encoded, and `flow`. Headers are read from `rawHeaders`, which
 * every Node request has (`headersDistinct` is missing on the requests `fastify.inject()`
 * builds) and which keeps repeated headers (`req.headers.host` keeps only the first).
 *
 * Throws {@link HeadersTooLargeError} (431), before any credential is read, for a request with
 * as many header lines as its server keeps (`server.maxHeadersCount`; Node's default keeps 1000).
 */
export function admitRequest(req: IncomingMessage, body: unknown, flow: AdmitFlow): AdmitRequest {
  if (headerLinesMayBeDropped(req)) throw new HeadersTooLargeError();
  let authorization: string | string[] | undefined;
  let dpop: string | string[] | undefined;
  let contentType: string | undefined;
  let origin: string | undefined;
  let host: string | undefined;
  let authority: string | undefined;
  const { rawHeaders } = req;
  const url = (req as { originalUrl?: string }).originalUrl ?? req.url;
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]!.toLowerCase();
    const value = rawHeaders[i + 1]!;
    if (name === 'authorization') {
      authorization = authorization === undefined ? value : [authorization, value].flat();
    } else if (name === 'dpop') {
      dpop = dpop === undefined ? value : [dpop, value].flat();
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
    dpop,
    method: req.method,
    url,
    query: queryStart < 0 ? undefined : url!.slice(queryStart),
    contentType,
    body: isFormContentType(contentType) ? body : undefined,
    optional: flow.optional,
    operations: flow.operations,
  };
}
