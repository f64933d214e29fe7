import { OptionsError, ScopeCatalog } from '@valet/core';
import type { PolicyDecorator } from './policy-decorator.js';
import { RequiresAnyScope, RequiresScope } from './requires-scope.js';

/** {@link RequiresScope} and {@link RequiresAnyScope} typed to the scopes of one catalog. */
export interface TypedScopeDecorators<S extends string> {
  /** {@link RequiresScope}, accepting only the catalog's scope names. */
  readonly RequiresScope: (...scopes: [S, ...S[]]) => PolicyDecorator;
  /** {@link RequiresAnyScope}, accepting only the catalog's scope names. */
  readonly RequiresAnyScope: (...scopes: [S, ...S[]]) => PolicyDecorator;
}

/**
 * The scope decorators typed to a catalog's scope names, so that a misspelt scope is a compile
 * error where it is written. At run time they are the plain decorators: an untyped caller's typo
 * is still refused at start-up, with a did-you-mean, when the toolsets are registered against
 * the catalog. Throws {@link OptionsError} when `catalog` is not a {@link ScopeCatalog}.
 *
 * @example
 * ```ts
 * export const scopes = defineScopes({ 'files:read': {}, 'files:write': { implies: ['files:read'] } });
 * export const { RequiresScope, RequiresAnyScope } = createDecorators(scopes);
 *
 * @RequiresScope('files:raed') // compile error: not a scope of the catalog
 * ```
 */
export function createDecorators<S extends string>(catalog: ScopeCatalog<S>): TypedScopeDecorators<S> {
  if (!(catalog instanceof ScopeCatalog)) {
    throw new OptionsError('catalog', 'createDecorators() needs a ScopeCatalog made by defineScopes().');
  }
  return Object.freeze({ RequiresScope, RequiresAnyScope });
}
