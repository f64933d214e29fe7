import { ValetError } from '@valet/core';

/** One way the input broke its DTO's rules. */
export interface InputViolation {
  /** Where: `path`, `items[2].name`; the empty string for the input as a whole. */
  readonly path: string;
  /** The class-validator constraint that failed (`maxLength`, `whitelistValidation`, `isObject`, ...). */
  readonly constraint: string;
  /** What is wrong, without the value: `must be shorter than or equal to 64 characters`. */
  readonly message: string;
}

/**
 * 400: a call's input broke its DTO's rules. Not an authorization error (no challenge); the
 * message lists every violation with its path, one a line, and never echoes the values:
 *
 * ```text
 * Invalid input (2 violations):
 * - items[2].name: must be shorter than or equal to 64 characters
 * - mode: should not exist
 * ```
 */
export class InputValidationError extends ValetError {
  /** Every violation, in the order of the DTO's properties. */
  readonly violations: readonly InputViolation[];

  constructor(violations: readonly InputViolation[]) {
    const lines = violations.map((v) => `- ${v.path === '' ? 'input' : v.path}: ${v.message}`);
    const count = violations.length === 1 ? '1 violation' : `${violations.length} violations`;
    super('ERR_INVALID_INPUT', 400, `Invalid input (${count}):\n${lines.join('\n')}`);
    this.violations = Object.freeze(violations.map((v) => Object.freeze({ ...v })));
  }
}
