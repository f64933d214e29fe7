import type { Principal } from '../principal.js';

/**
 * Checks a bearer token and says who it belongs to. Every failure is an
 * `InvalidTokenError` with a stable `reason`; nothing else is thrown.
 */
export interface TokenVerifier {
  /** Verifies `token` (without the `Bearer ` prefix) and returns its principal. */
  verify(token: string): Promise<Principal>;
  /**
   * The principal of `token` when this verifier accepted exactly this token before and still
   * holds its unexpired principal; `undefined` otherwise. Optional, for caching verifiers: it
   * never verifies, fetches or throws, and lets a caller skip the request checks such a token
   * has already passed (`createValet` skips the b64token syntax scan).
   */
  cached?(token: string): Principal | undefined;
}
