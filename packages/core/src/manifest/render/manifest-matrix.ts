import type { Manifest, ManifestOperation } from '../manifest.js';
import type { OperationKind } from '../../policy/registry.js';

/** The order operations are listed in, and their section headings. */
export const KIND_ORDER: readonly OperationKind[] = ['tool', 'resource', 'prompt', 'route'];
export const KIND_HEADINGS: Readonly<Record<OperationKind, string>> = {
  tool: 'Tools',
  resource: 'Resources',
  prompt: 'Prompts',
  route: 'HTTP routes',
};

/** How a scope relates to an operation in the operations x scopes matrix. */
export type MatrixCell = 'required' | 'alternative' | 'implied' | 'excluded';

/** Symbol and meaning of each cell, in legend order. */
export const CELL_LEGEND: readonly (readonly [MatrixCell, string, string])[] = [
  ['required', '●', 'required'],
  ['alternative', '◐', 'one of several alternatives (any of)'],
  ['implied', '○', 'not named, but implies a scope the operation names, so it satisfies it'],
  ['excluded', '✕', 'must not be granted (under not)'],
];
export const CELL_SYMBOL = Object.fromEntries(
  CELL_LEGEND.map(([cell, symbol]) => [cell, symbol]),
) as Readonly<Record<MatrixCell, string>>;
export const CELL_MEANING = Object.fromEntries(
  CELL_LEGEND.map(([cell, , meaning]) => [cell, meaning]),
) as Readonly<Record<MatrixCell, string>>;

/** Sorting that does not depend on the machine's locale, so output is byte-identical everywhere. */
export function compareCodePoints(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The operations of one kind, in manifest order. */
export function operationsOf(manifest: Manifest, kind: OperationKind): readonly ManifestOperation[] {
  return manifest.operations.filter((op) => op.kind === kind);
}

/**
 * The matrix cell function of a manifest. `implied` follows `implies` transitively: a scope
 * that implies (through any chain) a scope the operation names satisfies that requirement.
 */
export function matrixCells(
  manifest: Manifest,
): (op: ManifestOperation, scope: string) => MatrixCell | undefined {
  const direct = new Map(manifest.scopes.map((s) => [s.name, s.implies]));
  const closures = new Map<string, ReadonlySet<string>>();
  const closure = (scope: string): ReadonlySet<string> => {
    let found = closures.get(scope);
    if (found === undefined) {
      const seen = new Set<string>();
      const stack = [...(direct.get(scope) ?? [])];
      for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
        if (seen.has(next)) continue;
        seen.add(next);
        stack.push(...(direct.get(next) ?? []));
      }
      found = seen;
      closures.set(scope, found);
    }
    return found;
  };
  return (op, scope) => {
    if (op.requiredScopes.includes(scope)) return 'required';
    if (op.alternativeScopes.includes(scope)) return 'alternative';
    if (op.excludedScopes.includes(scope)) return 'excluded';
    const implied = closure(scope);
    const satisfies = (named: string) => implied.has(named);
    return op.requiredScopes.some(satisfies) || op.alternativeScopes.some(satisfies) ? 'implied' : undefined;
  };
}
