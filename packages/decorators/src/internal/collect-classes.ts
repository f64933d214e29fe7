import { OptionsError, ScopeCatalog } from '@valet/core';
import type { CollectOptions } from '../collect-options.js';
import { findDuplicates, type Identity } from './find-duplicates.js';
import { className } from './metadata.js';
import { throwProblems } from './problems.js';

/** What {@link collectClasses} needs to know of one kind of decorated class (toolsets, controllers). */
export interface ClassKind<C, D, T extends { readonly source: string }> {
  /** Plural, as messages name them: `toolsets`, `controllers`. */
  readonly what: string;
  /** The class decorator: `@Toolset()`, `@Controller()`. */
  readonly marker: string;
  /** Reads one class; a misuse goes into `problems` (then `undefined`). */
  collectOne(target: C, catalog: ScopeCatalog | undefined, problems: Set<string>): D | undefined;
  /** What one definition declares (operations, routes): their ids must be unique across all. */
  declarationsOf(definition: D): readonly T[];
  /** A declaration's id, and how a clash with another is told. */
  identify(declaration: T): Identity;
}

/**
 * The collection both `collectToolsets` and `collectControllers` run: checks the arguments,
 * reads each class once (a class listed twice is a problem), finds duplicate ids, and throws
 * every problem at once in one `PolicyConfigError`.
 */
export function collectClasses<
  C extends abstract new (...args: never[]) => unknown,
  D,
  T extends { readonly source: string },
>(classes: readonly C[], options: CollectOptions, kind: ClassKind<C, D, T>): readonly D[] {
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
  const declarations = definitions.flatMap((definition) => kind.declarationsOf(definition));
  findDuplicates(declarations, (declaration) => kind.identify(declaration), problems);
  throwProblems(problems, what);
  return Object.freeze(definitions);
}
