import { describe, expect, it } from '@jest/globals';
import { OptionsError, PolicyConfigError } from '../../src/errors.js';
import { buildManifest } from '../../src/manifest/build-manifest.js';
import { MANIFEST_VERSION, stringifyManifest } from '../../src/manifest/manifest.js';
import { allOf, and, anyOf, authenticated, check, not, or, publicAccess } from '../../src/policy/policy.js';
import { PolicyRegistry, type OperationDefinition } from '../../src/policy/registry.js';
import { defineScopes } from '../../src/policy/scope-catalog.js';

const catalog = () =>
  defineScopes({
    'files:read': { description: 'Read files' },
    'files:write': { description: 'Write files', implies: ['files:read'] },
    admin: { description: 'Everything', implies: ['files:write'] },
    suspended: { description: 'A suspended account' },
  });

const ownsPath = check('owner-of-path', () => true);

const definitions: OperationDefinition[] = [
  {
    id: 'write_file',
    kind: 'tool',
    title: 'Write a file',
    description: 'Writes a file',
    source: 'FileTools.write',
    policy: and(allOf('files:write'), or(allOf('admin'), ownsPath)),
  },
  { id: 'read_file', kind: 'tool', policy: and(allOf('files:read'), not(allOf('suspended'))) },
  { id: 'search', kind: 'tool', policy: anyOf('files:read', 'admin') },
  { id: 'resource:file:///readme', kind: 'resource', policy: publicAccess() },
  { id: 'summarise', kind: 'prompt', policy: authenticated() },
  { id: 'GET /health', kind: 'route', policy: publicAccess() },
  { id: 'DELETE /files', kind: 'route', policy: anyOf('admin') },
];

function registryOf(defs: readonly OperationDefinition[]): PolicyRegistry {
  const registry = new PolicyRegistry({ catalog: catalog() });
  for (const def of defs) registry.register(def);
  return registry;
}

describe('buildManifest', () => {
  const manifest = buildManifest(registryOf(definitions), { title: 'Files MCP', version: '1.2.0' });

  it('has a versioned header and no timestamp unless given', () => {
    expect(manifest.manifestVersion).toBe(MANIFEST_VERSION);
    expect(manifest.title).toBe('Files MCP');
    expect(manifest.version).toBe('1.2.0');
    expect('generatedAt' in manifest).toBe(false);
    expect('$schema' in manifest).toBe(false);
  });

  it('lists operations by kind (tool, resource, prompt, route), then id', () => {
    expect(manifest.operations.map((op) => `${op.kind} ${op.id}`)).toEqual([
      'tool read_file',
      'tool search',
      'tool write_file',
      'resource resource:file:///readme',
      'prompt summarise',
      'route DELETE /files',
      'route GET /health',
    ]);
  });

  it('records each policy as data (checks by name only) and in words', () => {
    const write = manifest.operations.find((op) => op.id === 'write_file')!;
    expect(write).toEqual({
      id: 'write_file',
      kind: 'tool',
      title: 'Write a file',
      description: 'Writes a file',
      source: 'FileTools.write',
      public: false,
      policy: {
        kind: 'and',
        policies: [
          { kind: 'allOf', scopes: ['files:write'] },
          {
            kind: 'or',
            policies: [
              { kind: 'allOf', scopes: ['admin'] },
              { kind: 'check', name: 'owner-of-path' },
            ],
          },
        ],
      },
      policyText: 'files:write and (admin or owner-of-path)',
      requiredScopes: ['files:write'],
      alternativeScopes: ['admin'],
      excludedScopes: [],
    });
    expect(JSON.stringify(write)).not.toContain('fn');
  });

  it('classifies scopes: required, alternative (any of), excluded (not)', () => {
    const byId = Object.fromEntries(manifest.operations.map((op) => [op.id, op]));
    expect(byId['read_file']).toMatchObject({
      requiredScopes: ['files:read'],
      excludedScopes: ['suspended'],
    });
    expect(byId['search']).toMatchObject({ requiredScopes: [], alternativeScopes: ['admin', 'files:read'] });
    // anyOf with one scope is a plain requirement.
    expect(byId['DELETE /files']).toMatchObject({ requiredScopes: ['admin'], alternativeScopes: [] });
    expect(byId['GET /health']).toMatchObject({ public: true, requiredScopes: [], policyText: 'public' });
    expect(byId['summarise']).toMatchObject({
      public: false,
      requiredScopes: [],
      policyText: 'any valid token',
    });
  });

  it('lists scopes sorted, with descriptions, direct implications both ways, and the operations needing them', () => {
    expect(manifest.scopes).toEqual([
      {
        name: 'admin',
        description: 'Everything',
        implies: ['files:write'],
        impliedBy: [],
        operations: ['DELETE /files', 'search', 'write_file'],
      },
      {
        name: 'files:read',
        description: 'Read files',
        implies: [],
        impliedBy: ['files:write'],
        operations: ['read_file', 'search'],
      },
      {
        name: 'files:write',
        description: 'Write files',
        implies: ['files:read'],
        impliedBy: ['admin'],
        operations: ['write_file'],
      },
      { name: 'suspended', description: 'A suspended account', implies: [], impliedBy: [], operations: [] },
    ]);
  });

  it('lists scopes a policy names without a catalog, without a description', () => {
    const bare = new PolicyRegistry().register({ id: 't', kind: 'tool', policy: allOf('z', 'a') });
    expect(buildManifest(bare).scopes).toEqual([
      { name: 'a', implies: [], impliedBy: [], operations: ['t'] },
      { name: 'z', implies: [], impliedBy: [], operations: ['t'] },
    ]);
  });

  it('is deterministic: registration order does not change a byte', () => {
    const reversed = buildManifest(registryOf([...definitions].reverse()), {
      title: 'Files MCP',
      version: '1.2.0',
    });
    expect(stringifyManifest(reversed)).toBe(stringifyManifest(manifest));
    expect(stringifyManifest(manifest).endsWith('}\n')).toBe(true);
  });

  it('freezes the registry, so an invalid registry fails here as at start-up', () => {
    const registry = registryOf(definitions);
    buildManifest(registry);
    expect(registry.frozen).toBe(true);
    const broken = new PolicyRegistry({ catalog: catalog() }).register({
      id: 'x',
      kind: 'tool',
      policy: allOf('file:read'),
    });
    expect(() => buildManifest(broken)).toThrow(PolicyConfigError);
  });

  it('records generatedAt and $schema only when given', () => {
    const dated = buildManifest(registryOf(definitions), {
      generatedAt: new Date(Date.UTC(2026, 10, 28, 9, 0, 0)),
      schema: 'https://valet.dev/manifest.schema.json',
    });
    expect(dated.generatedAt).toBe('2026-11-28T09:00:00.000Z');
    expect(Object.keys(dated).slice(0, 4)).toEqual(['$schema', 'manifestVersion', 'title', 'generatedAt']);
    expect(buildManifest(registryOf(definitions), { generatedAt: '2026-01-02T03:04:05Z' }).generatedAt).toBe(
      '2026-01-02T03:04:05.000Z',
    );
  });

  it.each([
    ['generatedAt', { generatedAt: 'yesterday' }],
    ['title', { title: '' }],
    ['version', { version: 3 as unknown as string }],
  ])('refuses a bad %s', (field, options) => {
    expect(() => buildManifest(registryOf(definitions), options)).toThrow(expect.objectContaining({ field }));
    expect(() => buildManifest(registryOf(definitions), options)).toThrow(OptionsError);
  });
});
