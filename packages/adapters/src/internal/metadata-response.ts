import type { Valet } from '@valet/core';

/** A whole response: status, headers and, for GET, the body. */
export interface MetadataReply {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
}

/**
 * Headers of the RFC 9728 metadata document: JSON, readable from any origin (browser-based MCP
 * clients fetch it cross-origin), cacheable for a few minutes.
 */
const METADATA_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'content-type': 'application/json',
  'access-control-allow-origin': '*',
  'cache-control': 'public, max-age=300',
});

/** Headers answering a CORS preflight for the metadata document (clients may send MCP headers). */
const PREFLIGHT: MetadataReply = Object.freeze({
  status: 204,
  headers: Object.freeze({
    'access-control-allow-origin': '*',
    'access-control-allow-methods': 'GET, HEAD, OPTIONS',
    'access-control-allow-headers': '*',
    'access-control-max-age': '86400',
  }),
});

const NOT_ALLOWED: MetadataReply = Object.freeze({
  status: 405,
  headers: Object.freeze({ allow: 'GET, HEAD, OPTIONS' }),
});

/**
 * How every adapter answers a request for the metadata document, by HTTP method: GET and HEAD
 * the document (built on the first request, after every route is registered: building it
 * freezes the registry), OPTIONS the CORS preflight, anything else 405.
 */
export function metadataReplies(valet: Valet): (method: string | undefined) => MetadataReply {
  let document: MetadataReply | undefined;
  return (method) => {
    if (method === 'GET' || method === 'HEAD') {
      return (document ??= Object.freeze({
        status: 200,
        headers: METADATA_HEADERS,
        body: JSON.stringify(valet.metadata()),
      }));
    }
    return method === 'OPTIONS' ? PREFLIGHT : NOT_ALLOWED;
  };
}
