import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { createPrincipal } from '../../src/principal.js';
import { Authorizer } from '../../src/policy/authorizer.js';
import type { Decision } from '../../src/policy/decision.js';
import { policyScopes } from '../../src/policy/describe.js';
import {
  allOf,
  and,
  anyOf,
  authenticated,
  check,
  not,
  or,
  publicAccess,
  type Policy,
} from '../../src/policy/policy.js';
import { PolicyRegistry } from '../../src/policy/registry.js';
import { defineScopes, type ScopeCatalog } from '../../src/policy/scope-catalog.js';

// Property tests of the policy algebra, over a small universe so that every subset can be tried.
const UNIVERSE = ['a', 'b', 'c', 'd', 'e'] as const;
const catalog = defineScopes({ a: {}, b: {}, c: {}, d: { implies: ['a'] }, e: { implies: ['d', 'b'] } });
const CATALOGS: readonly [string, ScopeCatalog | undefined][] = [
  ['without a catalog', undefined],
  ['with implications', catalog],
];

const scope = fc.constantFrom(...UNIVERSE);
const scopeList = fc.uniqueArray(scope, { minLength: 1, maxLength: 3 });
const granted = fc.subarray([...UNIVERSE, 'x']);

function policies(withNot: boolean): fc.Memo<Policy> {
  const leaf = fc.oneof(
    scopeList.map((s) => allOf(...s)),
    scopeList.map((s) => anyOf(...s)),
    fc.constant<Policy>(authenticated()),
  );
  const policy: fc.Memo<Policy> = fc.memo((depth) => {
    if (depth <= 1) return leaf;
    const children = fc.array(policy(depth - 1), { minLength: 1, maxLength: 3 });
    const composites = [
      leaf,
      children.map((ps) => and(...ps)),
      children.map((ps) => or(...ps)),
      ...(withNot ? [policy(depth - 1).map((p) => not(p))] : []),
    ];
    return fc.oneof(...composites);
  });
  return policy;
}
const anyPolicy = policies(true)(4);
const monotonePolicy = policies(false)(4);

function subsets<T>(items: readonly T[]): T[][] {
  return items.reduce<T[][]>((all, item) => [...all, ...all.map((subset) => [...subset, item])], [[]]);
}

/** One authorizer per policy, so the same compiled policy sees many principals. */
function decider(policy: Policy, cat: ScopeCatalog | undefined) {
  const registry = new PolicyRegistry(cat ? { catalog: cat } : {}).register({
    id: 'op',
    kind: 'tool',
    policy,
  });
  const authorizer = new Authorizer(registry);
  return (scopes: readonly string[]): Decision =>
    authorizer.authorizeSync(createPrincipal({ scopes, token: 't' }), 'op');
}
const allows = (policy: Policy, scopes: readonly string[], cat: ScopeCatalog | undefined): boolean =>
  decider(policy, cat)(scopes).allowed;

/** The reference semantics, written as plainly as possible. */
function oracle(policy: Policy, effective: ReadonlySet<string>): boolean {
  switch (policy.kind) {
    case 'allOf':
      return policy.scopes.every((s) => effective.has(s));
    case 'anyOf':
      return policy.scopes.some((s) => effective.has(s));
    case 'and':
      return policy.policies.every((p) => oracle(p, effective));
    case 'or':
      return policy.policies.some((p) => oracle(p, effective));
    case 'not':
      return !oracle(policy.policy, effective);
    default:
      return true;
  }
}

describe.each(CATALOGS)('Policy algebra (%s)', (_name, cat) => {
  const effective = (scopes: readonly string[]) => (cat ? cat.expand(scopes) : new Set(scopes));

  it('decides like the reference semantics', () => {
    fc.assert(
      fc.property(anyPolicy, granted, (p, s) => {
        expect(allows(p, s, cat)).toBe(oracle(p, effective(s)));
      }),
    );
  });

  it('and(allOf(A), allOf(B)) decides like allOf(A, B)', () => {
    fc.assert(
      fc.property(scopeList, scopeList, granted, (a, b, s) => {
        expect(allows(and(allOf(...a), allOf(...b)), s, cat)).toBe(allows(allOf(...a, ...b), s, cat));
      }),
    );
  });

  it('or(anyOf(A), anyOf(B)) and or over single-scope allOfs decide like one anyOf', () => {
    fc.assert(
      fc.property(scopeList, scopeList, granted, (a, b, s) => {
        expect(allows(or(anyOf(...a), anyOf(...b)), s, cat)).toBe(allows(anyOf(...a, ...b), s, cat));
        expect(allows(or(...a.map((x) => allOf(x))), s, cat)).toBe(allows(anyOf(...a), s, cat));
      }),
    );
  });

  it('not(not(p)) decides like p for authenticated principals', () => {
    fc.assert(
      fc.property(anyPolicy, granted, (p, s) => {
        expect(allows(not(not(p)), s, cat)).toBe(allows(p, s, cat));
      }),
    );
  });

  it('De Morgan: not(and(p, q)) = or(not p, not q) and not(or(p, q)) = and(not p, not q)', () => {
    fc.assert(
      fc.property(anyPolicy, anyPolicy, granted, (p, q, s) => {
        expect(allows(not(and(p, q)), s, cat)).toBe(allows(or(not(p), not(q)), s, cat));
        expect(allows(not(or(p, q)), s, cat)).toBe(allows(and(not(p), not(q)), s, cat));
      }),
    );
    fc.assert(
      fc.property(scopeList, granted, (a, s) => {
        expect(allows(not(anyOf(...a)), s, cat)).toBe(allows(and(...a.map((x) => not(allOf(x)))), s, cat));
        expect(allows(not(allOf(...a)), s, cat)).toBe(allows(or(...a.map((x) => not(allOf(x)))), s, cat));
      }),
    );
  });

  it('and/or are commutative, absorptive and distribute over each other', () => {
    fc.assert(
      fc.property(anyPolicy, anyPolicy, anyPolicy, granted, (p, q, r, s) => {
        const decide = (x: Policy) => allows(x, s, cat);
        expect(decide(and(p, q))).toBe(decide(and(q, p)));
        expect(decide(or(p, q))).toBe(decide(or(q, p)));
        expect(decide(and(p, or(p, q)))).toBe(decide(p));
        expect(decide(and(p, or(q, r)))).toBe(decide(or(and(p, q), and(p, r))));
      }),
    );
  });

  it('missing is a smallest fix: granting it allows and no strict subset does', () => {
    fc.assert(
      fc.property(anyPolicy, granted, (p, s) => {
        const decide = decider(p, cat);
        const decision = decide(s);
        if (decision.allowed) return expect(decision.missing).toEqual([]);
        const helps = (extra: readonly string[]) => decide([...s, ...extra]).allowed;
        if (decision.missing.length === 0) {
          for (const extra of subsets(UNIVERSE)) expect(helps(extra)).toBe(false);
          return;
        }
        expect(helps(decision.missing)).toBe(true);
        for (const subset of subsets(decision.missing)) {
          if (subset.length < decision.missing.length) expect(helps(subset)).toBe(false);
        }
        for (const other of subsets(policyScopes(p))) {
          if (helps(other)) expect(decision.missing.length).toBeLessThanOrEqual(other.length);
        }
      }),
    );
  });

  it('granting required satisfies every not-free scope-only policy', () => {
    fc.assert(
      fc.property(monotonePolicy, granted, (p, s) => {
        const decide = decider(p, cat);
        const { required } = decide(s);
        expect(decide(required).allowed).toBe(true);
        expect(decide([...s, ...required]).allowed).toBe(true);
      }),
    );
  });

  it('is monotone without not: more granted scopes never turn allow into deny', () => {
    fc.assert(
      fc.property(monotonePolicy, granted, granted, (p, s, extra) => {
        const decide = decider(p, cat);
        if (decide(s).allowed) expect(decide([...s, ...extra]).allowed).toBe(true);
      }),
    );
  });

  it('async and sync checks that pass leave the decision unchanged', async () => {
    await fc.assert(
      fc.asyncProperty(anyPolicy, granted, async (p, s) => {
        const principal = createPrincipal({ scopes: s, token: 't' });
        const registry = new PolicyRegistry(cat ? { catalog: cat } : {})
          .register({ id: 'plain', kind: 'tool', policy: p })
          .register({
            id: 'async',
            kind: 'tool',
            policy: and(
              p,
              check('yes', async () => true),
            ),
          })
          .register({
            id: 'sync',
            kind: 'tool',
            policy: or(
              p,
              check('no', () => false),
            ),
          });
        const authorizer = new Authorizer(registry);
        const expected = authorizer.authorizeSync(principal, 'plain');
        const viaAsync = await authorizer.authorize(principal, 'async');
        const viaSync = authorizer.authorizeSync(principal, 'sync');
        expect([viaAsync.allowed, viaSync.allowed]).toEqual([expected.allowed, expected.allowed]);
        expect(viaAsync.missing).toEqual(expected.missing);
      }),
    );
  });

  it('with implications, a principal decides like one holding the expanded scopes', () => {
    fc.assert(
      fc.property(anyPolicy, granted, (p, s) => {
        expect(allows(p, s, cat)).toBe(allows(p, [...effective(s)], undefined));
      }),
    );
  });
});

describe('Policy algebra: where the laws stop', () => {
  it('not(not(p)) differs from p for an anonymous caller of a public policy', () => {
    const anonymous = (p: Policy) =>
      new Authorizer(new PolicyRegistry().register({ id: 'op', kind: 'tool', policy: p })).authorizeSync(
        null,
        'op',
      );
    expect(anonymous(publicAccess()).allowed).toBe(true);
    expect(anonymous(not(not(publicAccess()))).allowed).toBe(false);
  });
});
