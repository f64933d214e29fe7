import { OptionsError } from '../errors.js';
import { DEFAULT_ALGORITHMS } from '../verify/jwt/jwt-algorithms.js';

/**
 * How a resource treats DPoP (RFC 9449): `off` accepts Bearer tokens only (the `DPoP` scheme is
 * refused like any unknown scheme); `allowed` accepts unbound tokens as Bearer and DPoP-bound ones
 * with a proof; `required` accepts DPoP-bound tokens with a proof only.
 */
export type DpopMode = 'off' | 'allowed' | 'required';

/** Server-provided nonces (RFC 9449 section 9): stateless, so every instance sharing `secret` accepts them. */
export interface DpopNonceOptions {
  /** The HMAC key nonces are made with: at least 32 bytes (a string of at least 32 characters). */
  readonly secret: string | Uint8Array;
  /**
   * Seconds a nonce window lasts; a nonce is accepted in its window and the next, so for between
   * one and two lifetimes. Default 300, between 10 and 86 400.
   */
  readonly lifetimeSeconds?: number;
}

/** `ValetOptions.dpop`: DPoP proof checking. */
export interface DpopOptions {
  /** Default `'allowed'`. */
  readonly mode?: DpopMode;
  /**
   * JWS algorithms accepted for proofs, asymmetric only (RFC 9449 section 4.2): default every one
   * of {@link DPOP_ALGORITHMS}. `none` and HMAC algorithms are refused here.
   */
  readonly algorithms?: readonly string[];
  /** Oldest accepted proof (`iat`), in seconds. Default 60, at most 600. Proofs may be up to 5 s ahead of this server's clock. */
  readonly maxAgeSeconds?: number;
  /** Require server-provided nonces in proofs. Default `false`. */
  readonly nonce?: false | DpopNonceOptions;
}

/** Every algorithm a DPoP proof may be signed with: the asymmetric JWS algorithms tokens are verified with by default. */
export const DPOP_ALGORITHMS: readonly string[] = DEFAULT_ALGORITHMS;

/** Seconds a proof's `iat` may be ahead of this server's clock. */
export const DPOP_CLOCK_TOLERANCE_SECONDS = 5;

/** {@link DpopOptions} checked, with defaults applied. */
export interface ResolvedDpopOptions {
  readonly mode: DpopMode;
  readonly algorithms: readonly string[];
  readonly maxAgeSeconds: number;
  readonly nonce: { readonly secret: Uint8Array; readonly lifetimeSeconds: number } | undefined;
}

const MODES: readonly string[] = ['off', 'allowed', 'required'];
const MIN_SECRET_BYTES = 32;

/** Checks `ValetOptions.dpop` once, at start-up; throws {@link OptionsError} naming the field. */
export function resolveDpopOptions(options: DpopOptions | undefined): ResolvedDpopOptions {
  if (options !== undefined && (typeof options !== 'object' || options === null)) {
    throw new OptionsError(
      'dpop',
      'dpop must be an options object ({ mode, algorithms, maxAgeSeconds, nonce }).',
    );
  }
  const mode = options?.mode ?? 'allowed';
  if (!MODES.includes(mode)) {
    throw new OptionsError('dpop.mode', `dpop.mode must be 'off', 'allowed' or 'required'.`);
  }
  const algorithms = options?.algorithms ?? DPOP_ALGORITHMS;
  if (!Array.isArray(algorithms) || algorithms.length === 0) {
    throw new OptionsError(
      'dpop.algorithms',
      'dpop.algorithms must be a non-empty array of JWS algorithm names.',
    );
  }
  for (const alg of algorithms as unknown[]) {
    if (typeof alg === 'string' && DPOP_ALGORITHMS.includes(alg)) continue;
    const symmetric = typeof alg === 'string' && (/^hs/i.test(alg) || alg.toLowerCase() === 'none');
    throw new OptionsError(
      'dpop.algorithms',
      symmetric
        ? `dpop.algorithms may not contain "${alg}": DPoP proofs are signed with asymmetric keys (RFC 9449 section 4.2).`
        : `dpop.algorithms: unsupported algorithm; use some of ${DPOP_ALGORITHMS.join(', ')}.`,
    );
  }
  const maxAgeSeconds = options?.maxAgeSeconds ?? 60;
  if (
    typeof maxAgeSeconds !== 'number' ||
    !Number.isFinite(maxAgeSeconds) ||
    maxAgeSeconds <= 0 ||
    maxAgeSeconds > 600
  ) {
    throw new OptionsError(
      'dpop.maxAgeSeconds',
      'dpop.maxAgeSeconds must be a number of seconds above 0 and at most 600.',
    );
  }
  const nonce = options?.nonce;
  if (nonce !== undefined && nonce !== false && mode === 'off') {
    throw new OptionsError(
      'dpop.nonce',
      "dpop.nonce has no effect with dpop.mode 'off'; remove one of them.",
    );
  }
  return Object.freeze({
    mode,
    algorithms: Object.freeze([...new Set(algorithms)]),
    maxAgeSeconds,
    nonce: nonce === undefined || nonce === false ? undefined : nonceOptions(nonce),
  });
}

function nonceOptions(nonce: DpopNonceOptions): ResolvedDpopOptions['nonce'] {
  if (typeof nonce !== 'object' || nonce === null) {
    throw new OptionsError('dpop.nonce', 'dpop.nonce must be false or { secret, lifetimeSeconds }.');
  }
  const { secret } = nonce;
  const bytes =
    typeof secret === 'string'
      ? new TextEncoder().encode(secret)
      : secret instanceof Uint8Array
        ? secret
        : undefined;
  if (bytes === undefined || bytes.length < MIN_SECRET_BYTES) {
    throw new OptionsError(
      'dpop.nonce.secret',
      `dpop.nonce.secret must be a string or Uint8Array of at least ${MIN_SECRET_BYTES} bytes, shared by every instance (e.g. 32 random bytes).`,
    );
  }
  const lifetimeSeconds = nonce.lifetimeSeconds ?? 300;
  if (!Number.isSafeInteger(lifetimeSeconds) || lifetimeSeconds < 10 || lifetimeSeconds > 86_400) {
    throw new OptionsError(
      'dpop.nonce.lifetimeSeconds',
      'dpop.nonce.lifetimeSeconds must be a whole number of seconds from 10 to 86400.',
    );
  }
  return Object.freeze({ secret: Uint8Array.from(bytes), lifetimeSeconds });
}
