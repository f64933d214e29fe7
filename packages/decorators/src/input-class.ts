/**
 * A DTO class: properties decorated with class-validator (and class-transformer's `@Type` for
 * nested objects and arrays of them), constructible without arguments.
 */
export type InputClass<T extends object = object> = new () => T;
