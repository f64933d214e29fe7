import type { Policy } from '../policy.js';
import { checkEvaluator, combine, negate, type Evaluator } from './evaluate.js';

/** A scope-only test against the granted scopes; allocates nothing. */
export type ScopeTest = (granted: ReadonlySet<string>) => boolean;

/**
 * The policy with scopes resolved to indices into {@link CompiledPolicy.names}, for the search
 * behind `missing`: checks become their observed outcome, everything else is evaluated exactly.
 */
export type AbstractNode =
  | { readonly kind: 'const'; readonly value: boolean }
  | { readonly kind: 'all' | 'any'; readonly requirements: readonly number[] }
  | { readonly kind: 'and' | 'or'; readonly children: readonly AbstractNode[] }
  | { readonly kind: 'not'; readonly child: AbstractNode }
  | { readonly kind: 'check'; readonly index: number };

/** A policy compiled once at freeze time. */
export interface CompiledPolicy {
  /** No check anywhere: {@link CompiledPolicy.test} decides alone, synchronously. */
  readonly scopeOnly: boolean;
  /** Exact for scope-only policies. */
  readonly test: ScopeTest;
  /** The full evaluation, checks included (only ever run with a principal). */
  readonly evaluate: Evaluator;
  /** How many check nodes there are (the size of the outcome array). */
  readonly checks: number;
  /** The decision for a caller without a token. */
  readonly anonymous: boolean;
  /** The scopes the policy names, in order of first appearance. */
  readonly names: readonly string[];
  /** For each name: the satisfiers of a requirement for it (itself + the scopes implying it). */
  readonly satisfiers: readonly (readonly string[])[];
  /** For each name `u`: the indices of the names that granting `u` satisfies. */
  readonly grants: readonly (readonly number[])[];
  readonly abstract: AbstractNode;
}

/**
 * Compiles `policy`. `satisfiersOf(scope)` lists the scopes that satisfy a requirement for
 * `scope` (from the catalog; `[scope]` without one).
 */
export function compilePolicy(
  policy: Policy,
  satisfiersOf: (scope: string) => readonly string[],
): CompiledPolicy {
  const names: string[] = [];
  const indexOf = (scope: string): number => {
    const at = names.indexOf(scope);
    return at >= 0 ? at : names.push(scope) - 1;
  };
  let checks = 0;

  /** A requirement for `scope`: any of its satisfiers is granted. */
  const requirement = (scope: string): ScopeTest => combineTests(satisfiersOf(scope).map(hasScope), false);

  interface Parts {
    test: ScopeTest;
    evaluate: Evaluator;
    anonymous: boolean;
    abstract: AbstractNode;
  }

  const build = (node: Policy): Parts => {
    switch (node.kind) {
      case 'public':
      case 'authenticated': {
        const anonymous = node.kind === 'public';
        return {
          test: () => true,
          evaluate: () => true,
          anonymous,
          abstract: { kind: 'const', value: true },
        };
      }
      case 'allOf':
      case 'anyOf': {
        const all = node.kind === 'allOf';
        const test = combineTests(node.scopes.map(requirement), all);
        return {
          test,
          evaluate: (state) => test(state.principal.scopes),
          anonymous: false,
          abstract: { kind: all ? 'all' : 'any', requirements: node.scopes.map(indexOf) },
        };
      }
      case 'check': {
        const index = checks++;
        return {
          test: () => true,
          evaluate: checkEvaluator(node.name, node.fn, index),
          anonymous: false,
          abstract: { kind: 'check', index },
        };
      }
      case 'rateLimit':
        // A limit does not change who may call; the request flow counts the calls.
        return build(node.policy);
      case 'not': {
        const inner = build(node.policy);
        return {
          test: (granted) => !inner.test(granted),
          evaluate: negate(inner.evaluate),
          anonymous: false,
          abstract: { kind: 'not', child: inner.abstract },
        };
      }
      case 'and':
      case 'or': {
        const all = node.kind === 'and';
        const parts = node.policies.map(build);
        const test = combineTests(
          parts.map((part) => part.test),
          all,
        );
        return {
          test,
          evaluate: combine(
            parts.map((part) => part.evaluate),
            all,
          ),
          anonymous: all ? parts.every((part) => part.anonymous) : parts.some((part) => part.anonymous),
          abstract: { kind: node.kind, children: parts.map((part) => part.abstract) },
        };
      }
    }
  };

  const root = build(policy);
  const satisfiers = names.map((scope) => satisfiersOf(scope));
  const grants = names.map((granted) =>
    names.flatMap((scope, index) => (satisfiersOf(scope).includes(granted) ? [index] : [])),
  );
  return Object.freeze({
    scopeOnly: checks === 0,
    test: root.test,
    evaluate: root.evaluate,
    checks,
    anonymous: root.anonymous,
    names: Object.freeze(names),
    satisfiers: Object.freeze(satisfiers),
    grants: Object.freeze(grants),
    abstract: root.abstract,
  });
}

function hasScope(scope: string): ScopeTest {
  return (granted) => granted.has(scope);
}

/**
 * `tests` joined by `&&` (all = true) or `||`, in order, stopping at the first that settles it.
 * Built once at compile time; a call allocates nothing.
 */
function combineTests(tests: readonly ScopeTest[], all: boolean): ScopeTest {
  if (tests.length === 1) return tests[0]!;
  return (granted) => {
    for (const test of tests) if (test(granted) !== all) return !all;
    return all;
  };
}
