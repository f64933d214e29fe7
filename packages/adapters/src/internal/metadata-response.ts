import type { Valet } from '@valet/core';

/**
 * Headers of the RFC 9728 metadata document: JSON, readable from any origin (browser-based MCP
 * clients fetch it cross-origin), cacheable for a few minutes.
 */
export const METADATA_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'content-type': 'application/json',
  'access-control-allow-origin': '*',
  'cache-control': 'public, max-age=300',
});

/** Headers answering a CORS preflight for the metadata document (clients may send MCP headers). */
export const METADATA_PREFLIGHT_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'access-control-allow-origin': '*',
  'access-control-allow-methods': 'GET, HEAD, OPTIONS',
  'access-control-allow-headers': '*',
  'access-control-max-age': '86400',
});

/**
 * The metadata document as JSON text, built on the first request (after every route is
 * registered: building it freezes the registry) and reused after that.
 */
export function metadataBody(valet: Valet): () => string {
  let body: string | undefined;
  return () => (body ??= JSON.stringify(valet.metadata()));
}
