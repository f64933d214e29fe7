import type { AbstractNode, CompiledPolicy } from './compiled-policy.js';

/** Past this many candidate scopes the exhaustive search gives way to a greedy one. */
const EXHAUSTIVE_LIMIT = 12;

const NONE: readonly string[] = Object.freeze([]);

type Outcomes = readonly (boolean | undefined)[] | undefined;

/**
 * A smallest set of scopes (among those the policy names) that, added to `granted`, makes the
 * policy allow; checks count as their observed `outcomes` (a check that did not run counts as
 * passing). Empty when the policy already allows on scopes, or when no scope set would help.
 *
 * Up to {@link EXHAUSTIVE_LIMIT} candidates the search is exhaustive by size, so the result has
 * the fewest scopes possible (ties: the scopes named first). Beyond that it starts from every
 * candidate and drops what is not needed, which is still minimal (no scope can be removed) for
 * policies without `not`. Runs on the denial path only; one scratch array per call.
 */
export function missingScopes(
  compiled: CompiledPolicy,
  granted: ReadonlySet<string>,
  outcomes: Outcomes,
): readonly string[] {
  const { names, satisfiers, grants, abstract } = compiled;
  const n = names.length;
  const satisfied = new Array<boolean>(n);
  for (let j = 0; j < n; j++) satisfied[j] = anyGranted(satisfiers[j]!, granted);
  if (holds(abstract, satisfied, outcomes)) return NONE;
  if (abstract.kind === 'all') return missingForAllOf(abstract.requirements, satisfied, grants, names);

  const candidates: number[] = [];
  for (let j = 0; j < n; j++) if (!satisfied[j]) candidates.push(j);
  const trial = new Array<boolean>(n);
  const allows = (chosen: readonly number[], size: number): boolean => {
    for (let j = 0; j < n; j++) trial[j] = satisfied[j]!;
    for (let i = 0; i < size; i++) for (const j of grants[chosen[i]!]!) trial[j] = true;
    return holds(abstract, trial, outcomes);
  };
  const found =
    candidates.length <= EXHAUSTIVE_LIMIT ? smallest(candidates, allows) : greedy(candidates, allows);
  return found === undefined ? NONE : Object.freeze(found.map((j) => names[j]!));
}

function anyGranted(satisfiers: readonly string[], granted: ReadonlySet<string>): boolean {
  for (let i = 0; i < satisfiers.length; i++) if (granted.has(satisfiers[i]!)) return true;
  return false;
}

/** For a plain `allOf`: the unsatisfied scopes that no other unsatisfied one implies. */
function missingForAllOf(
  requirements: readonly number[],
  satisfied: readonly boolean[],
  grants: readonly (readonly number[])[],
  names: readonly string[],
): readonly string[] {
  const missing: string[] = [];
  for (const j of requirements) {
    if (satisfied[j]) continue;
    let covered = false;
    for (const other of requirements) {
      if (other !== j && !satisfied[other] && grants[other]!.includes(j)) covered = true;
    }
    if (!covered) missing.push(names[j]!);
  }
  return Object.freeze(missing);
}

/** Subsets of `candidates` by increasing size, in lexicographic order; the first that allows. */
function smallest(
  candidates: readonly number[],
  allows: (chosen: readonly number[], size: number) => boolean,
): readonly number[] | undefined {
  const n = candidates.length;
  const pick = new Array<number>(n);
  const chosen = new Array<number>(n);
  for (let size = 1; size <= n; size++) {
    for (let i = 0; i < size; i++) pick[i] = i;
    for (;;) {
      for (let i = 0; i < size; i++) chosen[i] = candidates[pick[i]!]!;
      if (allows(chosen, size)) return chosen.slice(0, size);
      let i = size - 1;
      while (i >= 0 && pick[i] === n - size + i) i--;
      if (i < 0) break;
      pick[i]!++;
      for (let j = i + 1; j < size; j++) pick[j] = pick[j - 1]! + 1;
    }
  }
  return undefined;
}

/** All candidates, then drop each one that is not needed (last named first). */
function greedy(
  candidates: readonly number[],
  allows: (chosen: readonly number[], size: number) => boolean,
): readonly number[] | undefined {
  if (!allows(candidates, candidates.length)) return undefined;
  let chosen = [...candidates];
  for (let i = chosen.length - 1; i >= 0; i--) {
    const without = chosen.filter((_, j) => j !== i);
    if (allows(without, without.length)) chosen = without;
  }
  return chosen;
}

function holds(node: AbstractNode, satisfied: readonly boolean[], outcomes: Outcomes): boolean {
  switch (node.kind) {
    case 'const':
      return node.value;
    case 'all':
      for (const j of node.requirements) if (!satisfied[j]) return false;
      return true;
    case 'any':
      for (const j of node.requirements) if (satisfied[j]) return true;
      return false;
    case 'and':
      for (const child of node.children) if (!holds(child, satisfied, outcomes)) return false;
      return true;
    case 'or':
      for (const child of node.children) if (holds(child, satisfied, outcomes)) return true;
      return false;
    case 'not':
      return !holds(node.child, satisfied, outcomes);
    case 'check':
      return outcomes?.[node.index] !== false;
  }
}
