import type { PolicyDecorator } from '../policy-decorator.js';
import { memberRecordOf, recordOf, type Requirement } from './metadata.js';

/** A decorator that records `requirement` on the class or member it is applied to. */
export function requirementDecorator(requirement: Requirement): PolicyDecorator {
  const decorate = (target: object, propertyKey?: string | symbol): void => {
    // Decorators run bottom-up; prepending keeps the requirements in the order they are written.
    if (propertyKey === undefined) recordOf(target).requirements.unshift(requirement);
    else memberRecordOf(target, propertyKey).requirements.unshift(requirement);
  };
  return decorate as PolicyDecorator;
}

/** `"a", "b"`: scopes as a decorator call shows them. */
export function quotedArguments(scopes: readonly unknown[]): string {
  return scopes.map((scope) => (typeof scope === 'string' ? `"${scope}"` : String(scope))).join(', ');
}

/** `@RequiresScope("a")` -> `@RequiresScope`. */
export function decoratorName(written: string): string {
  const paren = written.indexOf('(');
  return paren < 0 ? written : written.slice(0, paren);
}
