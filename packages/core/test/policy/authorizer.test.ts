import { describe, expect, it } from '@jest/globals';
import { OptionsError } from '../../src/errors.js';
import { createPrincipal, type Principal } from '../../src/principal.js';
import { Authorizer } from '../../src/policy/authorizer.js';
import type { Decision } from '../../src/policy/decision.js';
import {
  allOf,
  and,
  anyOf,
  authenticated,
  not,
  or,
  publicAccess,
  type Policy,
} from '../../src/policy/policy.js';
import { PolicyRegistry, type OperationKind } from '../../src/policy/registry.js';
import { defineScopes, type ScopeCatalog } from '../../src/policy/scope-catalog.js';
import type { AuditSink } from '../../src/audit/audit-sink.js';

const catalog = defineScopes({
  'files:read': {},
  'files:write': { implies: ['files:read'] },
  admin: { implies: ['files:write'] },
  guest: {},
});

const as = (...scopes: string[]): Principal => createPrincipal({ subject: 'alice', scopes, token: 't' });

function authorizerFor(
  policy: Policy,
  options: { catalog?: ScopeCatalog; kind?: OperationKind; id?: string; audit?: AuditSink } = {},
): Authorizer {
  const registry = new PolicyRegistry(options.catalog ? { catalog: options.catalog } : {});
  registry.register({ id: options.id ?? 'write_file', kind: options.kind ?? 'tool', policy });
  return new Authorizer(registry, options.audit ? { audit: options.audit } : {});
}

const decide = (policy: Policy, principal: Principal | null, cat?: ScopeCatalog): Decision =>
  authorizerFor(policy, cat ? { catalog: cat } : {}).authorizeSync(principal, 'write_file');

describe('Authorizer: scope-only policies', () => {
  it('allows with a shared, frozen decision (no allocation per call)', () => {
    const authorizer = authorizerFor(allOf('files:read', 'files:write'));
    const first = authorizer.authorizeSync(as('files:write', 'files:read', 'x'), 'write_file');
    const second = authorizer.authorizeSync(as('files:read', 'files:write'), 'write_file');
    expect(first).toBe(second);
    expect(Object.isFrozen(first)).toBe(true);
    expect(first).toEqual({
      allowed: true,
      operationId: 'write_file',
      policy: allOf('files:read', 'files:write'),
      required: ['files:read', 'files:write'],
      missing: [],
      reason: 'Tool "write_file" is allowed (files:read and files:write).',
      authenticated: true,
      cause: undefined,
    });
  });

  it('denies with the missing scope and a sentence naming the operation', () => {
    const decision = decide(allOf('files:write'), as('files:read'));
    expect(decision).toMatchObject({
      allowed: false,
      authenticated: true,
      required: ['files:write'],
      missing: ['files:write'],
      reason: 'Tool "write_file" requires scope "files:write"; the token grants "files:read".',
    });
    expect(Object.isFrozen(decision)).toBe(true);
  });

  it('words the reason for each kind of operation and policy', () => {
    const route = authorizerFor(allOf('a', 'b', 'c'), { kind: 'route', id: 'GET /files' });
    expect(route.authorizeSync(as('b'), 'GET /files').reason).toBe(
      'Route "GET /files" requires scopes "a", "b" and "c"; the token grants "b".',
    );
    expect(decide(anyOf('a', 'b'), as()).reason).toBe(
      'Tool "write_file" requires one of the scopes "a" or "b"; the token grants no scopes.',
    );
    expect(decide(and(allOf('a'), or(allOf('b'), allOf('c'))), as('a')).reason).toBe(
      'Tool "write_file" requires a and (b or c); the token grants "a", missing "b".',
    );
    const many = as(...Array.from({ length: 12 }, (_, i) => `s${i}`));
    expect(decide(allOf('a'), many).reason).toBe(
      'Tool "write_file" requires scope "a"; the token grants "s0", "s1", "s2", "s3", "s4", "s5", "s6", "s7" and 4 more.',
    );
  });

  it('honours implications: a broader scope satisfies a narrower requirement', () => {
    expect(decide(allOf('files:read'), as('files:write'), catalog).allowed).toBe(true);
    expect(decide(allOf('files:read', 'files:write'), as('admin'), catalog).allowed).toBe(true);
    expect(decide(allOf('files:write'), as('files:read'), catalog).allowed).toBe(false);
    expect(decide(anyOf('guest', 'files:read'), as('admin'), catalog).allowed).toBe(true);
  });

  it('asks for the fewest scopes: one implying scope covers the ones it implies', () => {
    const decision = decide(allOf('files:read', 'files:write'), as(), catalog);
    expect(decision.missing).toEqual(['files:write']);
    expect(decision.required).toEqual(['files:read', 'files:write']);
    expect(decide(or(allOf('a', 'b'), allOf('c')), as()).missing).toEqual(['c']);
    expect(decide(or(allOf('a', 'b'), allOf('c')), as()).required).toEqual(['a', 'b']);
    expect(decide(anyOf('a', 'b'), as()).missing).toEqual(['a']);
  });

  it('reports "no scope would help" for a negation the token already violates', () => {
    const decision = decide(and(allOf('files:read'), not(allOf('guest'))), as('files:read', 'guest'));
    expect(decision).toMatchObject({ allowed: false, missing: [] });
    expect(decision.reason).toBe(
      'Tool "write_file" requires files:read and not (guest); the token grants "files:read" and "guest", and no additional scope would allow it.',
    );
  });

  it('lets authenticated() through for any token and public for anyone', () => {
    expect(decide(authenticated(), as()).allowed).toBe(true);
    expect(decide(publicAccess(), as()).allowed).toBe(true);
    expect(decide(publicAccess(), null)).toMatchObject({ allowed: true, authenticated: false });
  });
});

describe('Authorizer: anonymous callers and unknown operations', () => {
  it('denies a caller without a token unless the policy is public', () => {
    const decision = decide(allOf('files:write'), null);
    expect(decision).toMatchObject({
      allowed: false,
      authenticated: false,
      required: ['files:write'],
      missing: ['files:write'],
      reason: 'Tool "write_file" requires a bearer token with scope "files:write".',
    });
    expect(decide(authenticated(), null).reason).toBe('Tool "write_file" requires a bearer token.');
    expect(decide(or(publicAccess(), allOf('a')), null).allowed).toBe(true);
    expect(decide(and(publicAccess(), allOf('a')), null).allowed).toBe(false);
    expect(decide(not(allOf('a')), null).allowed).toBe(false);
  });

  it('denies an operation nobody registered (default deny)', () => {
    const authorizer = authorizerFor(publicAccess());
    expect(authorizer.authorizeSync(as('admin'), 'drop_database')).toEqual({
      allowed: false,
      operationId: 'drop_database',
      policy: undefined,
      required: [],
      missing: [],
      reason: 'No policy registered for operation "drop_database" (default deny).',
      authenticated: true,
      cause: undefined,
    });
    expect(authorizer.authorizeSync(null, 'drop_database').authenticated).toBe(false);
  });

  it('freezes the registry it is given and validates its options', () => {
    const registry = new PolicyRegistry().register({ id: 't', kind: 'tool', policy: publicAccess() });
    const authorizer = new Authorizer(registry);
    expect(registry.frozen).toBe(true);
    expect(authorizer.registry).toBe(registry);
    expect(() => new Authorizer(registry, { audit: {} as AuditSink })).toThrow(OptionsError);
  });
});

describe('Security: scope names that collide with object properties', () => {
  it('never treats "constructor", "__proto__" or "toString" as granted or declared', () => {
    expect(decide(allOf('constructor'), as()).allowed).toBe(false);
    expect(decide(anyOf('__proto__', 'toString'), as()).allowed).toBe(false);
    expect(catalog.has('toString')).toBe(false);
    expect(() => decide(allOf('constructor'), as(), catalog)).toThrow('unknown scope "constructor"');
  });
});

describe('Security: scope smuggling through one space-separated scope string', () => {
  it('does not split a granted scope containing a space', () => {
    expect(decide(allOf('files:write'), as('files:read files:write')).allowed).toBe(false);
  });
});
