/**
 * A decorator that states who may call: on a class it applies to every operation of the class
 * (AND-ed with the members' own requirements); on a method it applies to that operation.
 * Returned by {@link RequiresScope}, {@link RequiresAnyScope}, {@link Public} and {@link Requires}.
 */
export interface PolicyDecorator {
  /** On a class: every `@Tool`, `@Resource` and `@Prompt` of the class (and of its subclasses). */
  (target: abstract new (...args: never[]) => unknown): void;
  /** On a method: that operation only. */
  (target: object, propertyKey: string | symbol, descriptor: PropertyDescriptor): void;
}
