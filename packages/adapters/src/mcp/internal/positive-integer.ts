import { OptionsError } from '@valet/core';

/** `value`, or `fallback` when it is not set; an option that is set but not a positive integer fails at set-up. */
export function positiveInteger(value: number | undefined, fallback: number, field: string): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new OptionsError(field, `${field} must be a positive integer.`);
  }
  return value;
}
