import { describe, expect, it } from '@jest/globals';
import { PolicyConfigError } from '../../src/errors.js';
import { describePolicy, policyScopes } from '../../src/policy/describe.js';
import { allOf, and, anyOf, check, not, or, publicAccess, rateLimited } from '../../src/policy/policy.js';
import { describeRateLimit, parseRateLimit } from '../../src/policy/rate-limit.js';
import { PolicyRegistry } from '../../src/policy/registry.js';
import { Authorizer } from '../../src/policy/authorizer.js';
import { createPrincipal } from '../../src/principal.js';

describe('parseRateLimit: the spec corpus', () => {
  it.each([
    ['60/m', 60, 60],
    ['1/s', 1, 1],
    ['1000/1h', 1000, 3600],
    ['5000/d', 5000, 86_400],
    ['100/30s', 100, 30],
    ['10/60', 10, 60],
    ['3/2m', 3, 120],
    ['7/1', 7, 1],
    ['1/366d', 1, 366 * 86_400],
    ['999999999/m', 999_999_999, 60],
  ])('%s is %i per %i s', (spec, limit, windowSeconds) => {
    expect(parseRateLimit(spec)).toEqual({ spec, limit, windowSeconds });
    expect(Object.isFrozen(parseRateLimit(spec))).toBe(true);
  });

  it.each([
    '',
    '60',
    '60/',
    '/m',
    '0/m',
    '60/0',
    '60/0s',
    '-1/m',
    '1.5/m',
    '60/1.5',
    '60/min',
    '60/ms',
    '60/M',
    '60 /m',
    '60/ m',
    ' 60/m',
    '60/m ',
    '060/m',
    '60/m/m',
    '60/w',
    '1e3/m',
    '0x10/m',
    '1000000000/m',
    '1/367d',
    '60/m\n',
  ])('refuses %j, naming it', (spec) => {
    expect(() => parseRateLimit(spec)).toThrow(PolicyConfigError);
    expect(() => parseRateLimit(spec)).toThrow(JSON.stringify(spec));
  });

  it('refuses a value that is not a string', () => {
    expect(() => parseRateLimit(60 as unknown as string)).toThrow(/Rate limit 60 is not valid/);
  });

  it('tells how to write one', () => {
    expect(() => parseRateLimit('60/min')).toThrow(
      'Rate limit "60/min" is not valid: write "<count>/<window>": a count from 1, then a window of s, m, h or d, or a number of seconds with an optional unit ("60/m", "100/30s", "10/60", "1000/1h").',
    );
  });
});

describe('describeRateLimit', () => {
  it.each([
    ['60/m', 'at most 60 per minute per caller'],
    ['1/s', 'at most 1 per second per caller'],
    ['100/30s', 'at most 100 per 30 seconds per caller'],
    ['10/60', 'at most 10 per minute per caller'],
    ['10/120', 'at most 10 per 2 minutes per caller'],
    ['1000/1h', 'at most 1000 per hour per caller'],
    ['5/2d', 'at most 5 per 2 days per caller'],
    ['5/90', 'at most 5 per 90 seconds per caller'],
  ])('%s: %s', (spec, words) => {
    expect(describeRateLimit(parseRateLimit(spec))).toBe(words);
  });
});

describe('rateLimited: a policy node that allows as its policy does and carries the limit', () => {
  it('is data, frozen, and refuses a bad spec when built', () => {
    const policy = rateLimited(allOf('a'), '60/m');
    expect(policy).toEqual({ kind: 'rateLimit', policy: allOf('a'), rateLimit: parseRateLimit('60/m') });
    expect(Object.isFrozen(policy)).toBe(true);
    expect(() => rateLimited(allOf('a'), '60/x')).toThrow(PolicyConfigError);
  });

  it('is described in words and names the scopes of its policy', () => {
    expect(describePolicy(rateLimited(allOf('search:read'), '60/m'))).toBe(
      'search:read, at most 60 per minute per caller',
    );
    expect(describePolicy(and(allOf('a'), rateLimited(anyOf('b', 'c'), '5/s')))).toBe(
      'a and (b or c, at most 5 per second per caller)',
    );
    expect(policyScopes(rateLimited(and(allOf('b'), allOf('a')), '1/s'))).toEqual(['a', 'b']);
  });

  it('allows exactly when its policy allows; reasons do not mention the limit', async () => {
    const registry = new PolicyRegistry()
      .register({ id: 'search', kind: 'tool', policy: rateLimited(allOf('search:read'), '60/m') })
      .register({ id: 'open', kind: 'tool', policy: rateLimited(publicAccess(), '60/m') })
      .register({
        id: 'mine',
        kind: 'tool',
        policy: rateLimited(
          check('mine', (p) => p.subject === 'alice'),
          '1/s',
        ),
      });
    const authorizer = new Authorizer(registry);
    const alice = createPrincipal({ subject: 'alice', scopes: ['search:read'], token: 't' });
    const bob = createPrincipal({ subject: 'bob', scopes: [], token: 't' });
    expect(authorizer.authorizeSync(alice, 'search').allowed).toBe(true);
    const refused = authorizer.authorizeSync(bob, 'search');
    expect(refused).toMatchObject({ allowed: false, missing: ['search:read'], required: ['search:read'] });
    expect(refused.reason).toBe('Tool "search" requires scope "search:read"; the token grants no scopes.');
    expect(authorizer.authorizeSync(null, 'search').reason).toBe(
      'Tool "search" requires a bearer token with scope "search:read".',
    );
    expect(authorizer.authorizeSync(null, 'open').allowed).toBe(true);
    expect((await authorizer.authorize(alice, 'mine')).allowed).toBe(true);
    expect((await authorizer.authorize(bob, 'mine')).allowed).toBe(false);
  });
});

describe('Registry: one limit per operation, over the whole policy', () => {
  const freeze = (policy: Parameters<PolicyRegistry['register']>[0]['policy']) => () =>
    new PolicyRegistry().register({ id: 'search', kind: 'tool', policy }).freeze();

  it.each([
    ['on top', rateLimited(allOf('a'), '1/s')],
    ['under and', and(allOf('a'), rateLimited(allOf('b'), '1/s'))],
    ['under nested ands', and(and(rateLimited(allOf('b'), '1/s')), allOf('a'))],
    ['around or', rateLimited(or(allOf('a'), allOf('b')), '1/s')],
  ])('accepts a limit %s', (_where, policy) => {
    expect(freeze(policy)).not.toThrow();
  });

  it.each([
    ['under or', or(allOf('a'), rateLimited(allOf('b'), '1/s')), /under or\(\) or not\(\)/],
    ['under not', not(rateLimited(allOf('b'), '1/s')), /under or\(\) or not\(\)/],
    [
      'twice, nested',
      rateLimited(rateLimited(allOf('a'), '1/s'), '60/m'),
      /2 rate limits \("60\/m", "1\/s"\)/,
    ],
    [
      'twice, under and',
      and(rateLimited(allOf('a'), '1/s'), rateLimited(allOf('b'), '2/s')),
      /2 rate limits \("1\/s", "2\/s"\); an operation has at most one/,
    ],
  ])('refuses a limit %s at freeze', (_where, policy, message) => {
    expect(freeze(policy)).toThrow(PolicyConfigError);
    expect(freeze(policy)).toThrow(message);
  });

  it('refuses a hand-built node without a limit', () => {
    const policy = {
      kind: 'rateLimit',
      policy: allOf('a'),
      rateLimit: { spec: 'x', limit: 0, windowSeconds: 1 },
    };
    expect(freeze(policy as never)).toThrow(/a rate limit needs a limit and a window/);
  });
});
