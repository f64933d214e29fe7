import { describe, expect, it } from '@jest/globals';
import { PolicyConfigError } from '../../src/errors.js';
import { allOf, and, anyOf, check, not, or, publicAccess, type Policy } from '../../src/policy/policy.js';
import { PolicyRegistry, type OperationDefinition } from '../../src/policy/registry.js';
import { defineScopes, type ScopeCatalog } from '../../src/policy/scope-catalog.js';

const catalog = defineScopes({
  'files:read': {},
  'files:write': { implies: ['files:read'] },
  admin: {},
});

/** Expects freeze() to refuse `defs` with a PolicyConfigError saying exactly `message`, leaving the registry open. */
function expectFreezeToFail(defs: OperationDefinition[], message: string): void {
  const registry = new PolicyRegistry({ catalog });
  for (const def of defs) registry.register(def);
  expect(() => registry.freeze()).toThrow(expect.objectContaining({ code: 'ERR_POLICY_CONFIG', message }));
  expect(registry.frozen).toBe(false);
}

const tool = (id: string, policy?: Policy, source?: string): OperationDefinition => ({
  id,
  kind: 'tool',
  ...(policy === undefined ? {} : { policy }),
  ...(source === undefined ? {} : { source }),
});

describe('PolicyRegistry', () => {
  it('keeps operations in registration order, filterable by kind', () => {
    const registry = new PolicyRegistry()
      .register({ id: 'read_file', kind: 'tool', policy: allOf('files:read'), title: 'Read' })
      .register({ id: 'GET /health', kind: 'route', policy: publicAccess() })
      .register({ id: 'write_file', kind: 'tool', policy: allOf('files:write') });
    expect(registry.operations().map((op) => op.id)).toEqual(['read_file', 'GET /health', 'write_file']);
    expect(registry.operations('tool').map((op) => op.id)).toEqual(['read_file', 'write_file']);
    expect(registry.operations('prompt')).toEqual([]);
    expect(registry.has('read_file')).toBe(true);
    expect(registry.has('nope')).toBe(false);
    expect(registry.get('read_file')?.title).toBe('Read');
    expect(registry.catalog).toBeUndefined();
  });

  it('stores a frozen copy of the definition and its meta', () => {
    const meta = { inputSchema: { type: 'object' } };
    const registry = new PolicyRegistry().register({ ...tool('t', publicAccess()), meta });
    meta.inputSchema = { type: 'string' };
    const stored = registry.get('t')!;
    expect(Object.isFrozen(stored)).toBe(true);
    expect(Object.isFrozen(stored.meta)).toBe(true);
    expect(stored.meta).toEqual({ inputSchema: { type: 'object' } });
  });

  it('lists catalog scopes and policy scopes, sorted, for scopes_supported', () => {
    const registry = new PolicyRegistry({ catalog }).register(
      tool('t', or(allOf('admin'), anyOf('files:read'))),
    );
    expect(registry.scopes()).toEqual(['admin', 'files:read', 'files:write']);
    expect(new PolicyRegistry().register(tool('t', allOf('b', 'a'))).scopes()).toEqual(['a', 'b']);
  });

  it('refuses duplicate ids, naming both sources', () => {
    const registry = new PolicyRegistry().register(tool('write_file', allOf('w'), 'FileTools.write'));
    expect(() => registry.register(tool('write_file', allOf('w'), 'OtherTools.write'))).toThrow(
      new PolicyConfigError(
        'Tool "write_file" is declared twice: by FileTools.write and by OtherTools.write. Operation ids must be unique; rename one.',
      ),
    );
    expect(() => registry.register({ id: 'write_file', kind: 'route', policy: allOf('w') })).toThrow(
      'Route "write_file" is declared twice: by FileTools.write and by a later registration.',
    );
    const plain = new PolicyRegistry().register(tool('t', allOf('w')));
    expect(() => plain.register(tool('t', allOf('w')))).toThrow(
      'Tool "t" is registered twice. Operation ids must be unique.',
    );
  });

  it('refuses registrations after freeze(), and freeze() twice is harmless', () => {
    const registry = new PolicyRegistry().register(tool('t', publicAccess())).freeze();
    expect(registry.frozen).toBe(true);
    expect(registry.freeze()).toBe(registry);
    expect(() => registry.register(tool('u', publicAccess()))).toThrow(
      'Cannot register tool "u": the policy registry is frozen. Register every operation before creating the Authorizer.',
    );
  });

  it('refuses malformed definitions and options', () => {
    const registry = new PolicyRegistry();
    expect(() => registry.register({ id: '', kind: 'tool' })).toThrow(
      'the operation id must be a non-empty string',
    );
    expect(() => registry.register({ id: 'x', kind: 'function' as 'tool' })).toThrow(
      'register(): operation "x" has kind "function"; use one of tool, resource, prompt, route.',
    );
    expect(() => new PolicyRegistry({ catalog: {} as ScopeCatalog })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_OPTIONS', field: 'catalog' }),
    );
  });
});

describe('PolicyRegistry.freeze: validation against the catalog', () => {
  it('names the decorator and its source for an unknown scope, with a did-you-mean', () => {
    expectFreezeToFail(
      [tool('write_file', allOf('file:write'), 'FileTools.write')],
      '@RequiresScope("file:write") on FileTools.write: unknown scope. Did you mean "files:write"?',
    );
    expectFreezeToFail(
      [tool('write_file', and(allOf('files:read'), anyOf('admin', 'files:wrte')), 'FileTools.write')],
      '@RequiresAnyScope("admin", "files:wrte") on FileTools.write: unknown scope "files:wrte". Did you mean "files:write"?',
    );
  });

  it('reads well without a source too', () => {
    expectFreezeToFail(
      [tool('write_file', allOf('file:write'))],
      'Tool "write_file" requires unknown scope "file:write". Did you mean "files:write"?',
    );
    expectFreezeToFail(
      [tool('export', allOf('billing:export'))],
      'Tool "export" requires unknown scope "billing:export". Declare it in the scope catalog.',
    );
  });

  it('refuses an operation without a policy: default deny must be explicit', () => {
    expectFreezeToFail(
      [tool('write_file', undefined, 'FileTools.write')],
      'FileTools.write (tool "write_file") has no policy. Add @RequiresScope(...) or @Public(): nothing is open by default.',
    );
    expectFreezeToFail(
      [tool('write_file')],
      'Tool "write_file" has no policy. Add a scope requirement (allOf(...)) or mark it public (publicAccess()): nothing is open by default.',
    );
  });

  it('reports every problem at once', () => {
    expectFreezeToFail(
      [tool('a'), tool('b', allOf('admn')), tool('c', not(allOf('files:read')))],
      'The policy registry has 2 problems:\n' +
        '- Tool "a" has no policy. Add a scope requirement (allOf(...)) or mark it public (publicAccess()): nothing is open by default.\n' +
        '- Tool "b" requires unknown scope "admn". Did you mean "admin"?',
    );
  });

  it('refuses malformed policies even without a catalog', () => {
    const freeze = (policy: Policy) => () => new PolicyRegistry().register(tool('t', policy, 'T.t')).freeze();
    expect(freeze(allOf('files read'))).toThrow(
      'T.t (tool "t"): "files read" is not a valid scope. A scope is printable ASCII without spaces, double quotes or backslashes (RFC 6749 section 3.3).',
    );
    expect(freeze(allOf())).toThrow('T.t (tool "t"): allOf() names no scope. Name at least one scope.');
    expect(freeze(or())).toThrow('T.t (tool "t"): or() has no policies. Give it at least one.');
    expect(freeze(check('', () => true))).toThrow('a check needs a non-empty name and a function');
    expect(freeze({ kind: 'everyone' } as unknown as Policy)).toThrow('"everyone" is not a policy');
  });

  it('accepts undeclared scopes when there is no catalog', () => {
    const registry = new PolicyRegistry().register(tool('t', allOf('anything:goes'))).freeze();
    expect(registry.frozen).toBe(true);
  });
});
