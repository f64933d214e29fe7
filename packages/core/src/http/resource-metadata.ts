import { OptionsError } from '../errors.js';
import { isScopeToken } from './syntax/scope-token.js';
import { resourceIdentifier, writtenUrl } from './syntax/http-resource-id.js';
import { secureUrl } from '../lib/secure-url.js';
import type { PolicyRegistry } from '../policy/registry.js';
import type { ScopeCatalog } from '../policy/scope-catalog.js';

/** The RFC 9728 section 2 document a protected resource publishes (members present only when set). */
export interface ProtectedResourceMetadata {
  readonly resource: string;
  readonly authorization_servers: readonly string[];
  readonly jwks_uri?: string;
  readonly scopes_supported?: readonly string[];
  readonly bearer_methods_supported: readonly 'header'[];
  readonly resource_signing_alg_values_supported?: readonly string[];
  readonly resource_name?: string;
  readonly resource_documentation?: string;
  readonly resource_policy_uri?: string;
  readonly resource_tos_uri?: string;
  readonly tls_client_certificate_bound_access_tokens?: boolean;
  readonly authorization_details_types_supported?: readonly string[];
  readonly dpop_signing_alg_values_supported?: readonly string[];
  readonly dpop_bound_access_tokens_required?: boolean;
  /** Extension members given in `extensions`. */
  readonly [member: string]: unknown;
}

/** Options of {@link protectedResourceMetadata}; each maps to the snake_case member of RFC 9728 section 2. */
export interface ProtectedResourceMetadataOptions {
  /** The resource identifier: absolute `https` URL (or `http` on loopback), no fragment. Kept as written. */
  readonly resource: string | URL;
  /** Issuer identifiers of the authorization servers (at least one): `https`, no query, no fragment. Kept as written. */
  readonly authorizationServers: readonly (string | URL)[];
  /** `scopes_supported` as given. At most one of `scopesSupported`, `registry`, `catalog`. */
  readonly scopesSupported?: readonly string[];
  /** `scopes_supported` from `registry.scopes()`: the catalog's scopes and every scope a policy names. */
  readonly registry?: Pick<PolicyRegistry, 'scopes'>;
  /** `scopes_supported` from `catalog.names()`. */
  readonly catalog?: Pick<ScopeCatalog, 'names'>;
  /**
   * Default `['header']`, the only method {@link extractBearerToken} accepts; `[]` says no
   * bearer method (RFC 9728). `query` and `body` are refused because Valet would refuse such tokens.
   */
  readonly bearerMethodsSupported?: readonly 'header'[];
  readonly resourceName?: string;
  readonly resourceDocumentation?: string | URL;
  readonly resourcePolicyUri?: string | URL;
  readonly resourceTosUri?: string | URL;
  readonly jwksUri?: string | URL;
  /** JWS algorithms the resource signs responses with; never `none` (RFC 9728 section 2). */
  readonly resourceSigningAlgValuesSupported?: readonly string[];
  readonly tlsClientCertificateBoundAccessTokens?: boolean;
  readonly authorizationDetailsTypesSupported?: readonly string[];
  readonly dpopSigningAlgValuesSupported?: readonly string[];
  readonly dpopBoundAccessTokensRequired?: boolean;
  /** Extra members (e.g. `mcp_...`); may not replace a standard one. */
  readonly extensions?: Readonly<Record<string, unknown>>;
}

const STANDARD_MEMBERS = new Set([
  'resource',
  'authorization_servers',
  'jwks_uri',
  'scopes_supported',
  'bearer_methods_supported',
  'resource_signing_alg_values_supported',
  'resource_name',
  'resource_documentation',
  'resource_policy_uri',
  'resource_tos_uri',
  'tls_client_certificate_bound_access_tokens',
  'authorization_details_types_supported',
  'dpop_signing_alg_values_supported',
  'dpop_bound_access_tokens_required',
  'signed_metadata',
]);

/**
 * Builds the RFC 9728 protected resource metadata document, validated once: throws
 * {@link OptionsError} naming the field for a resource or authorization server that is not an
 * absolute https URL (http only on localhost / 127.0.0.0/8 / ::1) or has a fragment, an
 * authorization server with a query, an invalid scope token, `none` as an algorithm,
 * contradictory scope sources, or a non-header bearer method. The document is a snapshot: build
 * it after every operation is registered.
 *
 * @example
 * ```ts
 * const metadata = protectedResourceMetadata({
 *   resource: 'https://api.example.com/mcp',
 *   authorizationServers: ['https://example.eu.auth0.com/'],
 *   registry,
 *   resourceName: 'Files MCP server',
 * });
 * // serve JSON.stringify(metadata) at protectedResourceMetadataPaths(metadata.resource)
 * ```
 */
export function protectedResourceMetadata(
  options: ProtectedResourceMetadataOptions,
): ProtectedResourceMetadata {
  if (typeof options !== 'object' || options === null) {
    throw new OptionsError(
      'resource',
      'protectedResourceMetadata() expects an options object with a resource.',
    );
  }
  const doc: Record<string, unknown> = {
    resource: resourceIdentifier(options.resource),
    authorization_servers: issuers(options.authorizationServers),
  };
  put(doc, 'jwks_uri', options.jwksUri, (v) => secureUrl('jwksUri', v).href);
  put(doc, 'scopes_supported', scopesSupported(options), (v) => v);
  doc.bearer_methods_supported = bearerMethods(options.bearerMethodsSupported);
  put(doc, 'resource_signing_alg_values_supported', options.resourceSigningAlgValuesSupported, (v) =>
    algorithms('resourceSigningAlgValuesSupported', v),
  );
  put(doc, 'resource_name', options.resourceName, (v) => text('resourceName', v));
  put(doc, 'resource_documentation', options.resourceDocumentation, (v) =>
    pageUrl('resourceDocumentation', v),
  );
  put(doc, 'resource_policy_uri', options.resourcePolicyUri, (v) => pageUrl('resourcePolicyUri', v));
  put(doc, 'resource_tos_uri', options.resourceTosUri, (v) => pageUrl('resourceTosUri', v));
  put(doc, 'tls_client_certificate_bound_access_tokens', options.tlsClientCertificateBoundAccessTokens, (v) =>
    flag('tlsClientCertificateBoundAccessTokens', v),
  );
  put(doc, 'authorization_details_types_supported', options.authorizationDetailsTypesSupported, (v) =>
    strings('authorizationDetailsTypesSupported', v),
  );
  put(doc, 'dpop_signing_alg_values_supported', options.dpopSigningAlgValuesSupported, (v) =>
    algorithms('dpopSigningAlgValuesSupported', v),
  );
  put(doc, 'dpop_bound_access_tokens_required', options.dpopBoundAccessTokensRequired, (v) =>
    flag('dpopBoundAccessTokensRequired', v),
  );
  for (const [member, value] of Object.entries(options.extensions ?? {})) {
    if (STANDARD_MEMBERS.has(member)) {
      throw new OptionsError(
        `extensions.${member}`,
        `extensions may not set the standard member "${member}".`,
      );
    }
    doc[member] = value;
  }
  return Object.freeze(doc) as ProtectedResourceMetadata;
}

function issuers(value: unknown): readonly string[] {
  if (!Array.isArray(value) || value.length === 0) {
    throw new OptionsError(
      'authorizationServers',
      'authorizationServers must list the issuer of at least one authorization server (MCP clients need one).',
    );
  }
  const list = value.map((issuer: unknown, i) => {
    const field = `authorizationServers[${i}]`;
    if (secureUrl(field, issuer).search !== '') {
      throw new OptionsError(field, `${field} must be an issuer identifier: no query (RFC 8414 section 2).`);
    }
    return writtenUrl(field, issuer);
  });
  return Object.freeze([...new Set(list)]);
}

function scopesSupported(options: ProtectedResourceMetadataOptions): readonly string[] | undefined {
  const sources = (['scopesSupported', 'registry', 'catalog'] as const).filter(
    (k) => options[k] !== undefined,
  );
  if (sources.length > 1) {
    throw new OptionsError(
      sources[1]!,
      `Give only one of ${sources.join(', ')}: each sets scopes_supported.`,
    );
  }
  const field = sources[0];
  if (field === undefined) return undefined;
  const scopes =
    field === 'registry'
      ? options.registry!.scopes()
      : field === 'catalog'
        ? options.catalog!.names()
        : options.scopesSupported!;
  if (!Array.isArray(scopes) || !scopes.every(isScopeToken)) {
    throw new OptionsError(
      field,
      `${field} must give scope tokens: printable ASCII without spaces, \`"\` or \`\\\` (RFC 6749 section 3.3).`,
    );
  }
  return Object.freeze([...new Set(scopes)]);
}

function bearerMethods(value: readonly string[] | undefined): readonly 'header'[] {
  if (value === undefined) return Object.freeze(['header'] as const);
  if (!Array.isArray(value) || !value.every((m) => m === 'header')) {
    throw new OptionsError(
      'bearerMethodsSupported',
      'bearerMethodsSupported may only be ["header"] or []: Valet refuses tokens in the query or the body.',
    );
  }
  return Object.freeze(value.length === 0 ? [] : (['header'] as const));
}

function put<T>(
  doc: Record<string, unknown>,
  member: string,
  value: T | undefined,
  map: (v: T) => unknown,
): void {
  if (value !== undefined) doc[member] = map(value);
}

function strings(field: string, value: unknown): readonly string[] {
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string' && v !== '')) {
    throw new OptionsError(field, `${field} must be an array of non-empty strings.`);
  }
  return Object.freeze([...new Set(value as string[])]);
}

function algorithms(field: string, value: unknown): readonly string[] {
  const list = strings(field, value);
  if (list.some((alg) => alg.toLowerCase() === 'none')) {
    throw new OptionsError(field, `${field} must not contain "none".`);
  }
  return list;
}

function text(field: string, value: unknown): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new OptionsError(field, `${field} must be a non-empty string.`);
  }
  return value;
}

function flag(field: string, value: unknown): boolean {
  if (typeof value !== 'boolean') throw new OptionsError(field, `${field} must be true or false.`);
  return value;
}

/** A page for people (documentation, policy, terms): an absolute http(s) URL. */
function pageUrl(field: string, value: unknown): string {
  let url: URL | undefined;
  try {
    url = typeof value === 'string' || value instanceof URL ? new URL(value) : undefined;
  } catch {
    url = undefined;
  }
  if (url === undefined || (url.protocol !== 'https:' && url.protocol !== 'http:')) {
    throw new OptionsError(field, `${field} must be an absolute http(s) URL.`);
  }
  return url.href;
}
