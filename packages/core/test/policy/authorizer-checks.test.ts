import { describe, expect, it } from '@jest/globals';
import { PolicyConfigError } from '../../src/errors.js';
import { createPrincipal, type Principal } from '../../src/principal.js';
import { Authorizer } from '../../src/policy/authorizer.js';
import { decisionError } from '../../src/policy/decision.js';
import {
  allOf,
  and,
  check,
  not,
  or,
  type AuthorizationContext,
  type Policy,
} from '../../src/policy/policy.js';
import { PolicyRegistry } from '../../src/policy/registry.js';

const alice = (...scopes: string[]): Principal => createPrincipal({ subject: 'alice', scopes, token: 't' });

const ownsPath = check('owner-of-path', (principal, ctx) => {
  const path = (ctx.arguments as { path?: unknown } | undefined)?.path;
  return typeof path === 'string' && path.startsWith(`/home/${principal.subject}/`);
});

function authorizerFor(policy: Policy): Authorizer {
  return new Authorizer(new PolicyRegistry().register({ id: 'write_file', kind: 'tool', policy }));
}

describe('Authorizer: checks', () => {
  const authorizer = authorizerFor(and(allOf('files:write'), or(allOf('admin'), ownsPath)));

  it('passes the principal, the arguments and the operation id to a check', () => {
    const seen: AuthorizationContext[] = [];
    const spy = authorizerFor(check('record', (_p, ctx) => (seen.push(ctx), true)));
    spy.authorizeSync(alice(), 'write_file', { arguments: { path: '/x' }, request: 'r' });
    expect(seen).toEqual([{ arguments: { path: '/x' }, request: 'r', operationId: 'write_file' }]);
  });

  it('allows when the check passes, synchronously with authorizeSync and as a promise with authorize', async () => {
    const ctx = { arguments: { path: '/home/alice/notes.txt' } };
    expect(authorizer.authorizeSync(alice('files:write'), 'write_file', ctx)).toMatchObject({
      allowed: true,
    });
    const pending = authorizer.authorize(alice('files:write'), 'write_file', ctx);
    expect(pending).toBeInstanceOf(Promise);
    await expect(pending).resolves.toMatchObject({ allowed: true });
  });

  it('denies with ForbiddenError naming the check when only the check refused', () => {
    const owner = authorizerFor(and(allOf('files:write'), ownsPath));
    const decision = owner.authorizeSync(alice('files:write'), 'write_file', {
      arguments: { path: '/home/bob/notes.txt' },
    });
    expect(decision).toMatchObject({ allowed: false, missing: [] });
    expect(decision.reason).toBe('Tool "write_file" was refused by check "owner-of-path".');
    expect(decisionError(decision)?.code).toBe('ERR_FORBIDDEN');
  });

  it('asks for scopes when scopes would help, with checks that did not run counted as passing', () => {
    const decision = authorizer.authorizeSync(alice('files:read'), 'write_file', {
      arguments: { path: '/home/bob/a' },
    });
    expect(decision.missing).toEqual(['files:write']);
    expect(decision.reason).toBe(
      'Tool "write_file" requires files:write and (admin or owner-of-path); the token grants "files:read", missing "files:write".',
    );
  });

  it('offers the scope alternative to a check that refused', () => {
    const decision = authorizer.authorizeSync(alice('files:write'), 'write_file', {
      arguments: { path: '/etc' },
    });
    expect(decision.missing).toEqual(['admin']);
    expect(decision.reason).toBe(
      'Tool "write_file" requires files:write and (admin or owner-of-path); the token grants "files:write", missing "admin".',
    );
    expect(decisionError(decision)?.code).toBe('ERR_INSUFFICIENT_SCOPE');
  });

  it('never runs a check for a caller without a token', () => {
    let runs = 0;
    const counted = authorizerFor(check('counted', () => (runs++, true)));
    expect(counted.authorizeSync(null, 'write_file')).toMatchObject({ allowed: false, authenticated: false });
    expect(runs).toBe(0);
  });

  it('waits for an async check, and authorizeSync decides at once when no check needs to run', async () => {
    const slow = authorizerFor(
      and(
        allOf('a'),
        check('slow', async () => true),
      ),
    );
    expect(slow.authorizeSync(alice(), 'write_file')).toMatchObject({ allowed: false, missing: ['a'] });
    await expect(slow.authorize(alice('a'), 'write_file')).resolves.toMatchObject({ allowed: true });
    const refusing = authorizerFor(
      or(
        check('slow-no', async () => false),
        allOf('b'),
      ),
    );
    await expect(refusing.authorize(alice(), 'write_file')).resolves.toMatchObject({
      allowed: false,
      missing: ['b'],
    });
  });

  it('authorizeSync refuses an async check with a PolicyConfigError that says what to do', () => {
    const slow = authorizerFor(check('quota', () => Promise.resolve(true)));
    expect(() => slow.authorizeSync(alice(), 'write_file')).toThrow(
      new PolicyConfigError(
        'Check "quota" of tool "write_file" returned a Promise; use authorize() and await it, or make the check synchronous.',
      ),
    );
  });
});

describe('Security: fail-open through a throwing check', () => {
  const boom = new Error('database down');

  it('turns a throw into a denial with a reason, never an exception', () => {
    const decision = authorizerFor(
      check('quota', () => {
        throw boom;
      }),
    ).authorizeSync(alice(), 'write_file');
    expect(decision).toMatchObject({ allowed: false, authenticated: true, missing: [], cause: boom });
    expect(decision.reason).toBe('Tool "write_file" was refused: check "quota" failed with an error.');
    expect(decision.reason).not.toContain('database down');
  });

  it('does not allow when the throwing check sits under not()', () => {
    const negated = authorizerFor(
      not(
        check('is-banned', () => {
          throw boom;
        }),
      ),
    );
    expect(negated.authorizeSync(alice(), 'write_file').allowed).toBe(false);
  });

  it('denies on a rejected async check', async () => {
    const rejecting = authorizerFor(not(check('is-banned', () => Promise.reject(boom))));
    await expect(rejecting.authorize(alice(), 'write_file')).resolves.toMatchObject({
      allowed: false,
      cause: boom,
    });
  });
});

describe('Security: truthy values mistaken for consent', () => {
  it('allows only on a literal true', async () => {
    const truthy = [1, 'yes', {}, [], Promise.resolve('true')] as unknown as boolean[];
    for (const value of truthy) {
      const decision = await authorizerFor(check('sloppy', () => value)).authorize(alice(), 'write_file');
      expect(decision.allowed).toBe(false);
    }
  });
});
