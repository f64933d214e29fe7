import { describe, expect, it } from '@jest/globals';
import { InvalidTokenError, OptionsError } from '../../src/errors.js';
import { scopeClaimReader } from '../../src/verify/scope-claims.js';
import { thrownBy } from '../support/errors.js';

describe('scopeClaimReader', () => {
  it('reads the RFC 9068 scope string by default', () => {
    expect(scopeClaimReader()({ scope: 'files:read  files:write' })).toEqual(['files:read', 'files:write']);
    expect(scopeClaimReader()({})).toEqual([]);
    expect(scopeClaimReader()({ scope: '' })).toEqual([]);
  });

  it('reads scp as an array (Okta) or a string (Entra ID)', () => {
    const read = scopeClaimReader('scp');
    expect(read({ scp: ['a', 'b'] })).toEqual(['a', 'b']);
    expect(read({ scp: 'a b' })).toEqual(['a', 'b']);
  });

  it('reads Auth0 permissions and Entra roles as arrays', () => {
    expect(scopeClaimReader('permissions')({ permissions: ['read:files'] })).toEqual(['read:files']);
    expect(scopeClaimReader('roles')({ roles: ['Files.Admin'] })).toEqual(['Files.Admin']);
  });

  it('merges several claims without duplicates', () => {
    const read = scopeClaimReader(['scp', 'roles']);
    expect(read({ scp: 'a b', roles: ['b', 'c'] })).toEqual(['a', 'b', 'c']);
  });

  it('reads a custom claim as a string or an array', () => {
    const read = scopeClaimReader('grants');
    expect(read({ grants: 'x y' })).toEqual(['x', 'y']);
    expect(read({ grants: ['x'] })).toEqual(['x']);
  });

  it('calls a function with the claims', () => {
    const read = scopeClaimReader((claims) => new Set([`tenant:${String(claims['tid'])}`]));
    expect(read({ tid: 't1' })).toEqual(['tenant:t1']);
  });
});

describe('scopeClaimReader: a scope claim of the wrong type refuses the token', () => {
  it.each<[string, Parameters<typeof scopeClaimReader>[0], Record<string, unknown>, string]>([
    ['scope as an array', 'scope', { scope: ['a'] }, 'scope'],
    ['scope as a number', 'scope', { scope: 1 }, 'scope'],
    ['scope as an object', 'scope', { scope: { a: true } }, 'scope'],
    ['scope as null', 'scope', { scope: null }, 'scope'],
    ['scp with a number inside', 'scp', { scp: ['a', 1] }, 'scp'],
    ['permissions as a string', 'permissions', { permissions: 'a b' }, 'permissions'],
    ['roles as an object', 'roles', { roles: { admin: true } }, 'roles'],
    ['one bad claim of several', ['scp', 'roles'], { scp: 'a', roles: 'admin' }, 'roles'],
  ])('%s', (_name, setting, claims, claim) => {
    expect(() => scopeClaimReader(setting)(claims)).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_TOKEN', reason: 'invalid_claim', claim }),
    );
  });

  it('refuses when the function throws or returns a non-string', () => {
    expect(() =>
      scopeClaimReader(() => {
        throw new TypeError('boom');
      })({}),
    ).toThrow(
      expect.objectContaining({
        code: 'ERR_INVALID_TOKEN',
        reason: 'invalid_claim',
        cause: expect.any(TypeError),
      }),
    );
    expect(() => scopeClaimReader(() => [1 as unknown as string])({})).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_TOKEN', reason: 'invalid_claim' }),
    );
  });

  it('passes an InvalidTokenError thrown by the function through', () => {
    const own = new InvalidTokenError('missing_claim', 'no tid', { claim: 'tid' });
    expect(
      thrownBy(
        () =>
          scopeClaimReader(() => {
            throw own;
          })({}),
        InvalidTokenError,
      ),
    ).toBe(own);
  });

  it('rejects a bad setting with OptionsError', () => {
    expect(() => scopeClaimReader([])).toThrow(OptionsError);
    expect(() => scopeClaimReader([''])).toThrow(OptionsError);
  });
});
