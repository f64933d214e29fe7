import { InvalidTokenError } from '../errors.js';

/** 9999-12-31T23:59:59Z in seconds: no real token names a later time. */
const LATEST_SECONDS = 253_402_300_799;

const TIME_CLAIMS = ['exp', 'nbf', 'iat'] as const;

/**
 * Refuses `exp`, `nbf` or `iat` that is present but not a finite number of seconds between 1970
 * and 9999: JSON reads `1e400` as `Infinity`, which would make a token that never expires (or is
 * valid from the beginning of time) pass every comparison. `invalid_claim` names the claim.
 */
export function checkTimeClaims(claims: Readonly<Record<string, unknown>>): void {
  for (const claim of TIME_CLAIMS) {
    const value = claims[claim];
    if (value === undefined) continue;
    if (typeof value !== 'number' || !(value >= 0 && value <= LATEST_SECONDS)) {
      throw new InvalidTokenError(
        'invalid_claim',
        `The token's "${claim}" is not a time between 1970 and 9999 in seconds.`,
        { claim },
      );
    }
  }
}
