import { OptionsError } from '../errors.js';

// Checks of one option value, shared by the options objects Valet validates at construction, so
// that one kind of mistake reads the same everywhere. Each takes the option's name as `field` (a
// dotted path such as `jwks.timeoutMs`) and throws an `OptionsError` naming it; what an option
// means, and which options contradict each other, stays with the caller.

/** Bounds of {@link numberInRange}, inclusive. */
export interface NumberRange {
  readonly min: number;
  readonly max: number;
  /** Only whole numbers. Default `false`. */
  readonly integer?: boolean;
}

/** The option's value; when it is not set, an error saying it is required and `why`. */
export function requiredOption<T>(field: string, value: T | undefined, why: string): T {
  if (value === undefined) throw new OptionsError(field, `${field} is required: ${why}.`);
  return value;
}

/** A finite number from `range.min` to `range.max`; `fallback` when the option is not set. */
export function numberInRange<F extends number | undefined>(
  field: string,
  value: unknown,
  fallback: F,
  range: NumberRange,
): number | F {
  if (value === undefined) return fallback;
  const { min, max } = range;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    throw new OptionsError(field, `${field} must be a number from ${min} to ${max}.`);
  }
  if (range.integer === true && !Number.isInteger(value)) {
    throw new OptionsError(field, `${field} must be a whole number.`);
  }
  return value;
}

/** A finite number above zero. */
export function positiveNumber(field: string, value: unknown): number {
  if (typeof value !== 'number' || !(Number.isFinite(value) && value > 0)) {
    throw new OptionsError(field, `${field} must be a positive number.`);
  }
  return value;
}

/** `true` or `false`; `fallback` when the option is not set. */
export function booleanOption(field: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw new OptionsError(field, `${field} must be true or false.`);
  return value;
}

/** A string with at least one character. */
export function nonEmptyString(field: string, value: unknown): string {
  if (typeof value !== 'string' || value === '') {
    throw new OptionsError(field, `${field} must be a non-empty string.`);
  }
  return value;
}

/** What {@link stringList} accepts besides its default. */
export interface StringListRules {
  /** How the message ends after "must be": default `a non-empty string or array of non-empty strings`. */
  readonly expected?: string;
  /** Accept `[]`. Default `false`. */
  readonly allowEmpty?: boolean;
}

/** One non-empty string or a list of them, as a frozen list without repeats. */
export function stringList(field: string, value: unknown, rules: StringListRules = {}): readonly string[] {
  const list: unknown[] | undefined =
    typeof value === 'string' ? [value] : Array.isArray(value) ? value : undefined;
  if (
    list === undefined ||
    (list.length === 0 && rules.allowEmpty !== true) ||
    list.some((item) => typeof item !== 'string' || item === '')
  ) {
    const expected = rules.expected ?? 'a non-empty string or array of non-empty strings';
    throw new OptionsError(field, `${field} must be ${expected}.`);
  }
  return Object.freeze([...new Set(list as string[])]);
}

/** A function, or `undefined` when the option is not set. */
export function optionalFunction<T>(field: string, value: unknown): T | undefined {
  if (value !== undefined && typeof value !== 'function') {
    throw new OptionsError(field, `${field} must be a function.`);
  }
  return value as T | undefined;
}
