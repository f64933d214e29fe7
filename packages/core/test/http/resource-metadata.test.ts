import { describe, expect, it } from '@jest/globals';
import { OptionsError } from '../../src/errors.js';
import {
  protectedResourceMetadata,
  type ProtectedResourceMetadataOptions,
} from '../../src/http/resource-metadata.js';
import { allOf, anyOf, publicAccess } from '../../src/policy/policy.js';
import { PolicyRegistry } from '../../src/policy/registry.js';
import { defineScopes } from '../../src/policy/scope-catalog.js';

const AS = 'https://example.eu.auth0.com/';

describe('protectedResourceMetadata (RFC 9728 section 2)', () => {
  it('renders every member in snake_case, in RFC order, keeping identifiers as written', () => {
    const doc = protectedResourceMetadata({
      resource: 'https://api.example.com/mcp',
      authorizationServers: [AS, 'https://login.example.org', AS],
      scopesSupported: ['files:read', 'files:write', 'files:read'],
      jwksUri: 'https://api.example.com/jwks.json',
      resourceSigningAlgValuesSupported: ['ES256'],
      resourceName: 'Files MCP',
      resourceDocumentation: 'https://docs.example.com/files',
      resourcePolicyUri: 'https://example.com/privacy',
      resourceTosUri: 'http://example.com/tos',
      tlsClientCertificateBoundAccessTokens: false,
      authorizationDetailsTypesSupported: ['file_access'],
      dpopSigningAlgValuesSupported: ['ES256', 'RS256'],
      dpopBoundAccessTokensRequired: false,
      extensions: { mcp_example: { a: 1 } },
    });
    expect(Object.keys(doc)).toEqual([
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
      'mcp_example',
    ]);
    expect(doc.resource).toBe('https://api.example.com/mcp');
    // Issuers compare as strings: a trailing slash is part of the identifier and must survive.
    expect(doc.authorization_servers).toEqual([AS, 'https://login.example.org']);
    expect(doc.scopes_supported).toEqual(['files:read', 'files:write']);
    expect(doc.bearer_methods_supported).toEqual(['header']);
    expect(Object.isFrozen(doc)).toBe(true);
    expect(JSON.parse(JSON.stringify(doc))).toEqual(doc);
  });

  it('has only the required members and header by default', () => {
    const doc = protectedResourceMetadata({
      resource: new URL('https://h.example'),
      authorizationServers: [AS],
    });
    expect(doc).toEqual({
      resource: 'https://h.example/',
      authorization_servers: [AS],
      bearer_methods_supported: ['header'],
    });
  });

  it('takes scopes_supported from a registry: catalog scopes and every scope a policy names', () => {
    const catalog = defineScopes({
      'files:read': { description: 'Read files' },
      'files:write': { implies: ['files:read'] },
    });
    const registry = new PolicyRegistry({ catalog })
      .register({ id: 'read', kind: 'tool', policy: allOf('files:read') })
      .register({ id: 'health', kind: 'route', policy: publicAccess() });
    const fromRegistry = protectedResourceMetadata({
      resource: 'https://h/',
      authorizationServers: [AS],
      registry,
    });
    expect(fromRegistry.scopes_supported).toEqual(['files:read', 'files:write']);
    const fromCatalog = protectedResourceMetadata({
      resource: 'https://h/',
      authorizationServers: [AS],
      catalog,
    });
    expect(fromCatalog.scopes_supported).toEqual(['files:read', 'files:write']);
    const bare = new PolicyRegistry().register({ id: 'x', kind: 'tool', policy: anyOf('b', 'a') });
    expect(
      protectedResourceMetadata({ resource: 'https://h/', authorizationServers: [AS], registry: bare })
        .scopes_supported,
    ).toEqual(['a', 'b']);
  });

  it('accepts an empty bearer method list (RFC 9728: no bearer method)', () => {
    const doc = protectedResourceMetadata({
      resource: 'https://h/',
      authorizationServers: [AS],
      bearerMethodsSupported: [],
    });
    expect(doc.bearer_methods_supported).toEqual([]);
  });

  const base = { resource: 'https://api.example.com/mcp', authorizationServers: [AS] };
  it.each([
    ['resource', { ...base, resource: 'http://api.example.com/mcp' }],
    ['resource', { ...base, resource: 'https://api.example.com/mcp#x' }],
    ['authorizationServers', { ...base, authorizationServers: [] }],
    ['authorizationServers', { ...base, authorizationServers: undefined }],
    ['authorizationServers[1]', { ...base, authorizationServers: [AS, 'http://as.example.com'] }],
    ['authorizationServers[0]', { ...base, authorizationServers: ['https://as.example.com/?tenant=1'] }],
    ['authorizationServers[0]', { ...base, authorizationServers: ['https://as.example.com/#x'] }],
    ['scopesSupported', { ...base, scopesSupported: ['ok', 'has space'] }],
    ['scopesSupported', { ...base, scopesSupported: ['say"no'] }],
    ['catalog', { ...base, scopesSupported: ['a'], catalog: defineScopes({ a: {} }) }],
    ['bearerMethodsSupported', { ...base, bearerMethodsSupported: ['query'] }],
    ['bearerMethodsSupported', { ...base, bearerMethodsSupported: ['header', 'body'] }],
    ['jwksUri', { ...base, jwksUri: 'http://api.example.com/jwks' }],
    ['resourceSigningAlgValuesSupported', { ...base, resourceSigningAlgValuesSupported: ['none'] }],
    ['dpopSigningAlgValuesSupported', { ...base, dpopSigningAlgValuesSupported: ['ES256', 'NONE'] }],
    ['resourceName', { ...base, resourceName: '  ' }],
    ['resourceDocumentation', { ...base, resourceDocumentation: 'javascript:alert(1)' }],
    ['resourceTosUri', { ...base, resourceTosUri: 'not a url' }],
    ['dpopBoundAccessTokensRequired', { ...base, dpopBoundAccessTokensRequired: 'yes' }],
    ['extensions.resource', { ...base, extensions: { resource: 'https://evil.example/' } }],
  ])('refuses a bad %s with an OptionsError naming it', (field, options) => {
    expect(() => protectedResourceMetadata(options as unknown as ProtectedResourceMetadataOptions)).toThrow(
      expect.objectContaining({ field }),
    );
  });

  it('refuses a missing options object', () => {
    expect(() => protectedResourceMetadata(undefined as unknown as ProtectedResourceMetadataOptions)).toThrow(
      OptionsError,
    );
  });
});
