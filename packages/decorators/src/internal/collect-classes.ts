import { OptionsError, ScopeCatalog } from '@valet/core';
import type { CollectOptions } from '../collect-toolsets.js';
import { className } from './metadata.js';
import { throwProblems } from './problems.js';

/** What {@link collectClasses} needs to know of one kind of decorated class (toolsets, controllers). */
export interface ClassKind<C, D> {
  /** Plural, as messages name them: `toolsets`, `controllers`. */
  readonly what: string;
  /** The class decorator: `@Toolset()`, `@Controller()`. */
  readonly marker: string;
  /** Reads one class; a misuse goes into `problems` (then `undefined`). */
  collectOne(target: C, catalog: ScopeCatalog | undefined, problems: Set<string>): D | undefined;
  /** Adds a problem for every id two definitions declare. */
  findDuplicates(definitions: readonly D[], problems: Set<string>): void;
}

/**
 * The collection both `collectToolsets` and `collectControllers` run: checks the arguments,
 * reads each class once (a class listed twice is a problem), finds duplicate ids, and throws
 * every problem at once in one `PolicyConfigError`.
 */
export function collectClasses<C extends abstract new (...args: never[]) => unknown, D>(
  classes: readonly C[],
  options: CollectOptions,
  kind: ClassKind<C, D>,
): readonly D[] {
  const { what, marker } = kind;
  if (!Array.isArray(classes) || classes.some((c) => typeof c !== 'function')) {
    throw new OptionsError(what, `${what} must be an array of classes marked ${marker}.`);
  }
  const catalog = options.catalog;
  if (catalog !== undefined && !(catalog instanceof ScopeCatalog)) {
    throw new OptionsError('catalog', 'catalog must be a ScopeCatalog made by defineScopes().');
  }
  const problems = new Set<string>();
  const definitions: D[] = [];
  const seen = new Set<C>();
  for (const target of classes) {
    if (seen.has(target)) {
      problems.add(`${className(target)} is listed twice among the ${what}; list it once.`);
      continue;
    }
    seen.add(target);
    const definition = kind.collectOne(target, catalog, problems);
    if (definition !== undefined) definitions.push(definition);
  }
  kind.findDuplicates(definitions, problems);
  throwProblems(problems, what);
  return Object.freeze(definitions);
}
