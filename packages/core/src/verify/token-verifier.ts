import type { Principal } from '../principal.js';

/**
 * Checks a bearer token and says who it belongs to. Every failure is an
 * `InvalidTokenError` with a stable `reason`; nothing else is thrown.
 */
export interface TokenVerifier {
  /** Verifies `token` (without the `Bearer ` prefix) and returns its principal. */
  verify(token: string): Promise<Principal>;
}
