import { describe, expect, it } from '@jest/globals';
import { OptionsError } from '../../src/errors.js';
import {
  booleanOption,
  nonEmptyString,
  numberInRange,
  optionalFunction,
  positiveNumber,
  requiredOption,
  stringList,
} from '../../src/lib/option-checks.js';

/** The field and message of the OptionsError `check` throws. */
function refusal(check: () => unknown): { field: string; message: string } {
  try {
    check();
  } catch (error) {
    expect(error).toBeInstanceOf(OptionsError);
    const { field, message } = error as OptionsError;
    return { field, message };
  }
  throw new Error('the value was accepted');
}

describe('requiredOption', () => {
  it('returns a value that is set, even a falsy one, and says why an unset one is needed', () => {
    expect(requiredOption('audience', false, 'x')).toBe(false);
    expect(requiredOption('audience', '', 'x')).toBe('');
    expect(refusal(() => requiredOption('issuer', undefined, 'the "iss" to accept'))).toEqual({
      field: 'issuer',
      message: 'issuer is required: the "iss" to accept.',
    });
  });
});

describe('numberInRange', () => {
  const range = { min: 1, max: 10, integer: true };

  it('returns the value, or the fallback when the option is not set', () => {
    expect(numberInRange('n', 10, 5, range)).toBe(10);
    expect(numberInRange('n', undefined, 5, range)).toBe(5);
    expect(numberInRange('n', undefined, undefined, range)).toBeUndefined();
    expect(numberInRange('n', 0.5, 1, { min: 0, max: 1 })).toBe(0.5);
  });

  it.each([0, 11, Number.NaN, Number.POSITIVE_INFINITY, '5', null])(
    'refuses %p, naming the bounds',
    (value) => {
      expect(refusal(() => numberInRange('jwks.timeoutMs', value, 5, range))).toEqual({
        field: 'jwks.timeoutMs',
        message: 'jwks.timeoutMs must be a number from 1 to 10.',
      });
    },
  );

  it('refuses a fraction where only whole numbers make sense', () => {
    expect(refusal(() => numberInRange('n', 2.5, 5, range)).message).toBe('n must be a whole number.');
  });
});

describe('positiveNumber', () => {
  it('accepts a finite number above zero', () => {
    expect(positiveNumber('timeoutMs', 0.1)).toBe(0.1);
  });

  it.each([0, -1, Number.POSITIVE_INFINITY, undefined, '5'])('refuses %p', (value) => {
    expect(refusal(() => positiveNumber('timeoutMs', value))).toEqual({
      field: 'timeoutMs',
      message: 'timeoutMs must be a positive number.',
    });
  });
});

describe('booleanOption', () => {
  it('returns the value, or the fallback when the option is not set', () => {
    expect(booleanOption('strict', false, true)).toBe(false);
    expect(booleanOption('strict', undefined, true)).toBe(true);
  });

  it.each(['true', 1, null])('refuses %p', (value) => {
    expect(refusal(() => booleanOption('strict', value, false))).toEqual({
      field: 'strict',
      message: 'strict must be true or false.',
    });
  });
});

describe('nonEmptyString', () => {
  it.each(['', undefined, 42])('refuses %p', (value) => {
    expect(refusal(() => nonEmptyString('clientAuth.clientId', value))).toEqual({
      field: 'clientAuth.clientId',
      message: 'clientAuth.clientId must be a non-empty string.',
    });
  });
});

describe('stringList', () => {
  it('turns one string or a list into a frozen list without repeats', () => {
    const list = stringList('issuer', ['a', 'b', 'a']);
    expect(list).toEqual(['a', 'b']);
    expect(Object.isFrozen(list)).toBe(true);
    expect(stringList('issuer', 'a')).toEqual(['a']);
  });

  it.each([[[]], [['a', '']], [[1]], [''], [undefined], [{}]])('refuses %p', (value) => {
    expect(refusal(() => stringList('issuer', value))).toEqual({
      field: 'issuer',
      message: 'issuer must be a non-empty string or array of non-empty strings.',
    });
  });

  it('accepts an empty list when allowed, and says what is expected in the caller’s words', () => {
    expect(stringList('requiredScopes', [], { allowEmpty: true })).toEqual([]);
    expect(
      refusal(() => stringList('requiredClaims', [], { expected: 'a list of claim names' })).message,
    ).toBe('requiredClaims must be a list of claim names.');
  });
});

describe('optionalFunction', () => {
  it('accepts a function or nothing, and refuses anything else', () => {
    const fn = (): void => {};
    expect(optionalFunction('validate', fn)).toBe(fn);
    expect(optionalFunction('validate', undefined)).toBeUndefined();
    expect(refusal(() => optionalFunction('validate', 'yes'))).toEqual({
      field: 'validate',
      message: 'validate must be a function.',
    });
  });
});
