import type { Principal } from '../principal.js';

/**
 * A verified caller whose check in the state store (the revocation lookup of a token seen for the
 * first time, a DPoP proof's replay check) is still on its way: the flow sends the rate-limit
 * count beside it, so that a shared store answers both in one round trip.
 */
export interface PendingCheck {
  readonly principal: Principal;
  /** Rejects with the refusal when the check fails; `undefined` when there is nothing to wait for. */
  readonly checked: Promise<void> | undefined;
}

/**
 * `promise`, marked as handled: the flow reads its outcome later, once the work sent beside it
 * has left, and Node must not report its rejection as unhandled meanwhile.
 */
export function readLater<T>(promise: Promise<T>): Promise<T> {
  promise.catch(ignore);
  return promise;
}

function ignore(): void {}
