import { OptionsError } from '../../errors.js';

/**
 * The default allow-list: every asymmetric algorithm an authorization server commonly signs with,
 * ES256 first, as DPoP metadata lists them (the DPoP proof algorithms are this list).
 */
export const DEFAULT_ALGORITHMS: readonly string[] = Object.freeze([
  'ES256',
  'ES384',
  'ES512',
  'PS256',
  'PS384',
  'PS512',
  'RS256',
  'RS384',
  'RS512',
  'EdDSA',
]);

/** Asymmetric JWS algorithms Valet accepts when asked (jose supports each on Node): the defaults and `Ed25519`. */
const ASYMMETRIC = new Set([...DEFAULT_ALGORITHMS, 'Ed25519']);

/** True for an asymmetric JWS algorithm Valet accepts (never `none`, never HMAC). */
export function isAsymmetricAlgorithm(alg: unknown): alg is string {
  return typeof alg === 'string' && ASYMMETRIC.has(alg);
}

/** HMAC algorithms and the shortest secret each allows (RFC 7518 section 3.2: the hash size). */
const HMAC_MIN_BYTES: Readonly<Record<string, number>> = { HS256: 32, HS384: 48, HS512: 64 };

/**
 * Validates the `algorithms` option against the key source and returns the allow-list: HMAC only
 * with a secret, asymmetric only without one, `none` never, unknown names refused.
 */
export function checkAlgorithms(value: unknown, secret: Uint8Array | undefined): readonly string[] {
  if (value === undefined) return secret === undefined ? DEFAULT_ALGORITHMS : defaultHmac(secret);
  if (!Array.isArray(value) || value.length === 0) {
    throw new OptionsError('algorithms', 'algorithms must be a non-empty list of JWS algorithm names.');
  }
  for (const alg of value as unknown[]) {
    if (typeof alg === 'string' && alg.toLowerCase() === 'none') {
      throw new OptionsError(
        'algorithms',
        'algorithms must not contain "none": unsigned tokens are never accepted.',
      );
    }
    if (typeof alg !== 'string' || (!ASYMMETRIC.has(alg) && HMAC_MIN_BYTES[alg] === undefined)) {
      throw new OptionsError(
        'algorithms',
        `algorithms: "${String(alg)}" is not a supported JWS algorithm; use ${[...ASYMMETRIC].join(', ')} or HS256/384/512 with a secret.`,
      );
    }
    if (secret === undefined && HMAC_MIN_BYTES[alg] !== undefined) {
      throw new OptionsError(
        'algorithms',
        `algorithms: ${alg} needs a shared secret; set the secret option, or list asymmetric algorithms only.`,
      );
    }
    if (secret !== undefined && ASYMMETRIC.has(alg)) {
      throw new OptionsError(
        'algorithms',
        `algorithms: ${alg} is asymmetric but a secret is configured; with a secret list HS256, HS384 or HS512 only.`,
      );
    }
  }
  const algorithms = Object.freeze([...new Set(value as string[])]);
  return secret === undefined ? algorithms : hmacFor(algorithms, secret);
}

/** With a secret and no list: every HMAC algorithm the secret is long enough for. */
function defaultHmac(secret: Uint8Array): readonly string[] {
  const fitting = Object.keys(HMAC_MIN_BYTES).filter((alg) => secret.byteLength >= HMAC_MIN_BYTES[alg]!);
  return hmacFor(fitting.length > 0 ? fitting : ['HS256'], secret);
}

function hmacFor(algorithms: readonly string[], secret: Uint8Array): readonly string[] {
  const needed = Math.max(...algorithms.map((alg) => HMAC_MIN_BYTES[alg] ?? 0));
  if (secret.byteLength < needed) {
    throw new OptionsError(
      'secret',
      `secret is ${secret.byteLength} bytes; ${algorithms.join('/')} needs at least ${needed} (RFC 7518 section 3.2).`,
    );
  }
  return algorithms;
}
