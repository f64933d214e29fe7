import { expect } from '@jest/globals';
import { InvalidTokenError, type InvalidTokenReason } from '../../src/errors.js';
import type { TokenVerifier } from '../../src/verify/token-verifier.js';

/**
 * Getting at an error in a test. Check an error's fields with Jest's own matchers:
 * `await expect(p).rejects.toMatchObject({ code: 'ERR_INVALID_TOKEN', reason: 'expired' })`,
 * `expect(f).toThrow(expect.objectContaining({ code: 'ERR_INVALID_OPTIONS', field: 'issuer' }))`.
 * The helpers here are for what a matcher cannot say.
 *
 * @module
 */

type ErrorClass<E> = abstract new (...args: never[]) => E;

/** What `run` throws, checked to be an `E`, for a test that needs the error object itself (its identity, its rendering). */
export function thrownBy<E>(run: () => unknown, type: ErrorClass<E>): E {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(type);
    return error as E;
  }
  throw new Error(`expected a ${type.name}, but the function returned`);
}

/** What `promise` rejects with, checked to be an `E`, for a test that polls on a field of it. */
export async function rejectionOf<E>(promise: Promise<unknown>, type: ErrorClass<E>): Promise<E> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(type);
    return error as E;
  }
  throw new Error(`expected a ${type.name}, but the promise resolved`);
}

/**
 * Expects `verifier` to refuse `token` with an InvalidTokenError (for `reason`, when given) whose
 * message repeats no segment of the token long enough to recognise.
 */
export async function expectRefusedWithoutEcho(
  verifier: TokenVerifier,
  token: string,
  reason?: InvalidTokenReason,
): Promise<void> {
  const refusal = verifier.verify(token);
  await expect(refusal).rejects.toBeInstanceOf(InvalidTokenError);
  if (reason !== undefined) await expect(refusal).rejects.toMatchObject({ reason });
  // String(): the bad-token corpus also hands a verifier values that are not strings at all.
  for (const segment of String(token).split('.')) {
    if (segment.length >= 8) {
      await expect(refusal).rejects.toMatchObject({ message: expect.not.stringContaining(segment) });
    }
  }
}
