import { requirementDecorator } from './internal/requirement-decorator.js';
import type { PolicyDecorator } from './policy-decorator.js';

/**
 * Opens an operation to everyone, token or not: the explicit way out of default deny.
 *
 * On a class, members that add their own requirement get exactly that requirement (public AND
 * x is x). On a member of a class (or base class) that requires scopes, `@Public()` is refused
 * at start-up as a contradiction: a member cannot loosen its class's requirement, so move it to
 * a toolset without class-level requirements instead. `@Public()` together with a requirement on
 * the same class or member is refused for the same reason.
 *
 * @example
 * ```ts
 * @Tool({ description: 'Server health' })
 * @Public()
 * health() { return 'ok'; }
 * ```
 */
export function Public(): PolicyDecorator {
  return requirementDecorator({ kind: 'public', written: '@Public()' });
}
