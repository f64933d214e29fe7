import { describe, expect, it } from '@jest/globals';
import { describePolicy, policyScopes } from '../../src/policy/describe.js';
import { allOf, and, anyOf, authenticated, check, not, or, publicAccess } from '../../src/policy/policy.js';

const ownsPath = check('owner-of-path', () => true);

describe('describePolicy', () => {
  it('puts a policy in words', () => {
    expect(describePolicy(and(allOf('files:write'), or(allOf('admin'), ownsPath)))).toBe(
      'files:write and (admin or owner-of-path)',
    );
    expect(describePolicy(publicAccess())).toBe('public');
    expect(describePolicy(authenticated())).toBe('any valid token');
    expect(describePolicy(allOf('a', 'b'))).toBe('a and b');
    expect(describePolicy(anyOf('a', 'b'))).toBe('a or b');
    expect(describePolicy(ownsPath)).toBe('owner-of-path');
  });

  it('parenthesises where and meets or, and only there', () => {
    expect(describePolicy(or(allOf('a', 'b'), allOf('c')))).toBe('(a and b) or c');
    expect(describePolicy(and(anyOf('a', 'b'), allOf('c', 'd')))).toBe('(a or b) and c and d');
    expect(describePolicy(and(and(allOf('a'), allOf('b')), allOf('c')))).toBe('a and b and c');
    expect(describePolicy(or(or(allOf('a'), anyOf('b', 'c')), allOf('d')))).toBe('a or b or c or d');
  });

  it('writes negation as not (...)', () => {
    expect(describePolicy(not(allOf('guest')))).toBe('not (guest)');
    expect(describePolicy(and(allOf('a'), not(anyOf('b', 'c'))))).toBe('a and not (b or c)');
  });

  it('words empty combinations', () => {
    expect(describePolicy(and())).toBe('any valid token');
    expect(describePolicy(or())).toBe('nothing');
  });
});

describe('policyScopes', () => {
  it('lists every scope named, sorted and unique', () => {
    expect(policyScopes(or(allOf('b', 'a'), anyOf('a', 'c'), not(allOf('d')), ownsPath))).toEqual([
      'a',
      'b',
      'c',
      'd',
    ]);
    expect(policyScopes(publicAccess())).toEqual([]);
  });
});
