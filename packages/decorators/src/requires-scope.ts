import { allOf, anyOf } from '@valet/core';
import { quotedArguments, requirementDecorator } from './internal/requirement-decorator.js';
import type { PolicyDecorator } from './policy-decorator.js';

/**
 * Requires every one of `scopes`. On a class it applies to each of its operations, AND-ed with
 * the operation's own requirements; stacked decorators are AND-ed too. Scopes are plain strings
 * here; {@link createDecorators} gives a version typed to a scope catalog.
 *
 * @example
 * ```ts
 * @Toolset()
 * @RequiresScope('files:read')
 * export class FileTools {
 *   @Tool({ description: 'Write a file' })
 *   @RequiresScope('files:write') // needs files:read and files:write
 *   write(input: WriteFileInput) { ... }
 * }
 * ```
 */
export function RequiresScope(...scopes: [string, ...string[]]): PolicyDecorator {
  return requirementDecorator({
    kind: 'policy',
    policy: allOf(...scopes),
    written: `@RequiresScope(${quotedArguments(scopes)})`,
    scopes: Object.freeze([...scopes]),
  });
}

/**
 * Requires at least one of `scopes`; AND-ed with every other requirement of the operation.
 *
 * @example
 * ```ts
 * @Tool({ description: 'Search' })
 * @RequiresAnyScope('search:read', 'admin')
 * search(input: SearchInput) { ... }
 * ```
 */
export function RequiresAnyScope(...scopes: [string, ...string[]]): PolicyDecorator {
  return requirementDecorator({
    kind: 'policy',
    policy: anyOf(...scopes),
    written: `@RequiresAnyScope(${quotedArguments(scopes)})`,
    scopes: Object.freeze([...scopes]),
  });
}
