import { describe, expect, it } from '@jest/globals';
import { PolicyConfigError } from '../../src/errors.js';
import { defineScopes, ScopeCatalog, type ScopeOf } from '../../src/policy/scope-catalog.js';

const scopes = defineScopes({
  'files:read': { description: 'Read files', basic: true },
  'files:write': { description: 'Create and change files', implies: ['files:read'] },
  'files:delete': { implies: ['files:write'] },
  admin: { description: 'Everything', implies: ['files:delete', 'users:manage'] },
  'users:manage': {},
});

describe('ScopeCatalog', () => {
  it('keeps declaration order and the declared fields', () => {
    expect(scopes.names()).toEqual(['files:read', 'files:write', 'files:delete', 'admin', 'users:manage']);
    const write = scopes.get('files:write');
    expect(write).toMatchObject({
      name: 'files:write',
      description: 'Create and change files',
      implies: ['files:read'],
      basic: false,
    });
    expect(scopes.get('users:manage')?.description).toBeUndefined();
    expect(scopes.get('nope')).toBeUndefined();
    expect(scopes.list().map((info) => info.name)).toEqual(scopes.names());
  });

  it('computes the transitive closure once, at define time', () => {
    expect([...scopes.get('admin')!.closure].sort()).toEqual([
      'admin',
      'files:delete',
      'files:read',
      'files:write',
      'users:manage',
    ]);
    expect([...scopes.get('files:delete')!.closure].sort()).toEqual([
      'files:delete',
      'files:read',
      'files:write',
    ]);
    expect(scopes.get('files:delete')!.closure).toBe(scopes.get('files:delete')!.closure);
  });

  it('lists the satisfiers of a requirement: itself and every scope implying it', () => {
    expect([...scopes.satisfiers('files:read')].sort()).toEqual([
      'admin',
      'files:delete',
      'files:read',
      'files:write',
    ]);
    expect([...scopes.satisfiers('users:manage')].sort()).toEqual(['admin', 'users:manage']);
    expect([...scopes.satisfiers('openid')]).toEqual(['openid']);
  });

  it('expands granted scopes through implications and keeps undeclared ones', () => {
    expect([...scopes.expand(['files:write', 'openid'])].sort()).toEqual([
      'files:read',
      'files:write',
      'openid',
    ]);
    expect(scopes.expand([]).size).toBe(0);
  });

  it('is immutable', () => {
    const info = scopes.get('admin')!;
    expect(Object.isFrozen(info)).toBe(true);
    expect(() => (info.closure as Set<string>).add('x')).toThrow(TypeError);
    expect(() => (scopes.names() as string[]).push('x')).toThrow(TypeError);
    expect(() => (scopes.satisfiers('files:read') as Set<string>).add('x')).toThrow(TypeError);
  });

  it('returns the scopes marked basic, and none when none is marked', () => {
    expect(scopes.basicScopes()).toEqual(['files:read']);
    expect(defineScopes({ a: {}, b: { implies: ['a'] } }).basicScopes()).toEqual([]);
  });

  it('suggests the nearest declared scope for a typo', () => {
    expect(scopes.suggest('file:write')).toBe('files:write');
    expect(scopes.suggest('files:raed')).toBe('files:read');
    expect(scopes.suggest('Files:Write')).toBe('files:write');
    expect(scopes.suggest('adimn')).toBe('admin');
    expect(scopes.suggest('billing:export')).toBeUndefined();
  });

  it('assertKnown names the place, the scope and the likely fix', () => {
    expect(() => scopes.assertKnown('files:read', 'here')).not.toThrow();
    expect(() => scopes.assertKnown('file:write', 'FileTools.write')).toThrow(
      expect.objectContaining({
        code: 'ERR_POLICY_CONFIG',
        message: 'FileTools.write: unknown scope "file:write". Did you mean "files:write"?',
      }),
    );
    expect(() => scopes.assertKnown('billing:export', 'Billing.export')).toThrow(
      expect.objectContaining({
        code: 'ERR_POLICY_CONFIG',
        message: 'Billing.export: unknown scope "billing:export". Declare it in the scope catalog.',
      }),
    );
  });

  it('defineScopes is ScopeCatalog.define', () => {
    const catalog = ScopeCatalog.define({ x: {} });
    expect(catalog).toBeInstanceOf(ScopeCatalog);
    expect(catalog.has('x')).toBe(true);
    expect(catalog.has('y')).toBe(false);
  });
});

describe('ScopeCatalog: refusals at define time', () => {
  it('names a cycle in implies', () => {
    expect(() =>
      defineScopes({ a: { implies: ['b'] }, b: { implies: ['c'] }, c: { implies: ['a'] } }),
    ).toThrow(
      expect.objectContaining({
        code: 'ERR_POLICY_CONFIG',
        message:
          'Scope catalog: "implies" has a cycle: a -> b -> c -> a. Implications must not loop; remove one of these links.',
      }),
    );
  });

  it('treats a scope implying itself as a cycle', () => {
    expect(() => defineScopes({ a: { implies: ['a'] } })).toThrow(
      expect.objectContaining({
        code: 'ERR_POLICY_CONFIG',
        message: expect.stringContaining('has a cycle: a -> a.'),
      }),
    );
  });

  it('refuses an implied scope that is not declared, with a did-you-mean', () => {
    expect(() => defineScopes({ 'files:read': {}, 'files:write': { implies: ['file:read'] } })).toThrow(
      expect.objectContaining({
        code: 'ERR_POLICY_CONFIG',
        message:
          'Scope catalog: "files:write" implies "file:read", which is not declared. Did you mean "files:read"?',
      }),
    );
    expect(() => defineScopes({ a: { implies: ['zebra'] } })).toThrow(
      expect.objectContaining({
        code: 'ERR_POLICY_CONFIG',
        message:
          'Scope catalog: "a" implies "zebra", which is not declared. Declare "zebra" or remove it from "implies".',
      }),
    );
  });

  it('refuses names that are not OAuth scope tokens', () => {
    expect(() => defineScopes({ 'files read': {} })).toThrow(
      expect.objectContaining({
        code: 'ERR_POLICY_CONFIG',
        message:
          'Scope catalog: "files read" is not a valid scope name. A scope is printable ASCII without spaces, double quotes or backslashes (RFC 6749 section 3.3).',
      }),
    );
    expect(() => defineScopes({ '': {} })).toThrow(PolicyConfigError);
    expect(() => defineScopes({ 'a"b': {} })).toThrow(PolicyConfigError);
  });

  it('refuses malformed definitions from untyped callers', () => {
    const untyped = defineScopes as (defs: unknown) => ScopeCatalog;
    expect(() => untyped(null)).toThrow('expected an object mapping scope names to definitions');
    expect(() => untyped({ a: 'read' })).toThrow('the definition of "a" must be an object');
    expect(() => untyped({ a: { implies: 'b' } })).toThrow('"implies" of "a" must be an array');
    expect(() => untyped({ a: { description: 1 } })).toThrow('description of "a" must be a string');
    expect(() => untyped({ a: { basic: 'yes' } })).toThrow('"basic" of "a" must be a boolean');
  });
});

describe('ScopeCatalog: typed policy helpers', () => {
  it('builds policies from declared scopes', () => {
    expect(scopes.allOf('files:write', 'admin')).toEqual({ kind: 'allOf', scopes: ['files:write', 'admin'] });
    expect(scopes.anyOf('admin')).toEqual({ kind: 'anyOf', scopes: ['admin'] });
  });

  it('makes a misspelt scope a compile error, and a runtime error for untyped callers', () => {
    // @ts-expect-error 'files:raed' is not a declared scope
    expect(() => scopes.allOf('files:raed')).toThrow(
      'allOf(): unknown scope "files:raed". Did you mean "files:read"?',
    );
    // @ts-expect-error at least one scope is required
    expect(scopes.anyOf()).toEqual({ kind: 'anyOf', scopes: [] });
  });

  it('exposes the declared names as a type', () => {
    const name: ScopeOf<typeof scopes> = 'users:manage';
    // @ts-expect-error 'user:manage' is not a declared scope
    const typo: ScopeOf<typeof scopes> = 'user:manage';
    expect([name, typo]).toHaveLength(2);
  });
});
