import { resourceIdentifier } from './syntax/http-resource-id.js';

const WELL_KNOWN = '/.well-known/oauth-protected-resource';

/**
 * The RFC 9728 section 3.1 well-known URL of a resource's metadata: `/.well-known/oauth-protected-resource`
 * inserted between the host and the path (a lone `/` path is dropped), query kept. Use it for
 * `resource_metadata` in challenges. Throws {@link OptionsError} (`resource`) for an invalid resource.
 *
 * @example
 * ```ts
 * protectedResourceMetadataUrl('https://h.example/mcp').href; // 'https://h.example/.well-known/oauth-protected-resource/mcp'
 * protectedResourceMetadataUrl('https://h.example/').href;    // 'https://h.example/.well-known/oauth-protected-resource'
 * ```
 */
export function protectedResourceMetadataUrl(resource: string | URL): URL {
  const url = new URL(resourceIdentifier(resource));
  const path = url.pathname === '/' ? '' : url.pathname;
  return new URL(`${url.origin}${WELL_KNOWN}${path}${url.search}`);
}

/**
 * The paths an adapter serves the metadata document at: the path-aware one of
 * {@link protectedResourceMetadataUrl} first, then the root `/.well-known/oauth-protected-resource`
 * that clients fall back to (once when they are the same).
 *
 * @example
 * ```ts
 * protectedResourceMetadataPaths('https://h.example/mcp');
 * // ['/.well-known/oauth-protected-resource/mcp', '/.well-known/oauth-protected-resource']
 * ```
 */
export function protectedResourceMetadataPaths(resource: string | URL): readonly string[] {
  const path = protectedResourceMetadataUrl(resource).pathname;
  return Object.freeze(path === WELL_KNOWN ? [WELL_KNOWN] : [path, WELL_KNOWN]);
}
