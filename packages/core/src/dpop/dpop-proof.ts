import { createHash } from 'node:crypto';
import {
  EmbeddedJWK,
  decodeProtectedHeader,
  errors,
  jwtVerify,
  type JWK,
  type JWTPayload,
  type ProtectedHeaderParameters,
} from 'jose';
import { InvalidDpopProofError, type DpopProofReason } from '../errors.js';
import { DPOP_CLOCK_TOLERANCE_SECONDS } from './dpop-options.js';
import { normalizeHtu } from './htu.js';

/** Longest accepted proof, checked before any decoding: a proof is a key and a few claims. */
export const MAX_DPOP_PROOF_BYTES = 8192;

/** Longest accepted `jti`. */
const MAX_JTI_LENGTH = 256;

/** JWK members that only a private (or symmetric) key has (RFC 7518 section 6). */
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'] as const;

/** A compact JWS: three base64url segments (an empty signature passes, to be refused as `alg: none`). */
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

/** What the request a proof is checked against looks like. */
export interface ProofExpectations {
  /** The request's method (`htm`), compared exactly. */
  readonly method: string;
  /** The normalised URL the proof must name (`htu`), from {@link expectedHtu}. */
  readonly htu: string;
  /** The access token sent with the proof: `ath` must be its SHA-256 hash. */
  readonly accessToken: string;
  /** Accepted `alg` values. */
  readonly algorithms: readonly string[];
  /** Oldest accepted `iat`, in seconds before now. */
  readonly maxAgeSeconds: number;
  /** Now, in seconds since the epoch. */
  readonly nowSeconds: number;
}

/** A proof that passed every stateless check. */
export interface VerifiedProof {
  /** The RFC 7638 SHA-256 thumbprint of the proof's key: what `cnf.jkt` must equal. */
  readonly jkt: string;
  readonly jti: string;
  /** The `nonce` claim, unchecked. */
  readonly nonce: unknown;
}

/**
 * Checks a DPoP proof (RFC 9449 section 4.3) for one request, in this order: size, compact JWS
 * syntax, `typ` exactly `dpop+jwt`, `alg` in the allow-list, a public `jwk` (no private member,
 * no `x5c`/`x5u`/`jku`), the signature with that key (jose), `jti`, `htm`, `htu`, `iat` within
 * `maxAgeSeconds` back and 5 s ahead, and `ath`. Replay (`jti` used once) and nonces are the
 * caller's, since they need state. Rejects with {@link InvalidDpopProofError}; messages never
 * contain the proof or the token.
 */
export async function verifyDpopProof(proof: string, expected: ProofExpectations): Promise<VerifiedProof> {
  if (proof.length > MAX_DPOP_PROOF_BYTES) {
    throw refuse(
      'too_large',
      `The DPoP proof is longer than the ${MAX_DPOP_PROOF_BYTES} bytes this server accepts.`,
    );
  }
  if (!COMPACT_JWS.test(proof))
    throw refuse('malformed', 'The DPoP proof is not a signed JWT (compact JWS).');
  let header: ProtectedHeaderParameters;
  try {
    header = decodeProtectedHeader(proof);
  } catch (cause) {
    throw refuse('malformed', 'The DPoP proof header is not valid base64url JSON.', { cause });
  }
  if (header.typ !== 'dpop+jwt') {
    throw refuse(
      'wrong_type',
      'The DPoP proof must have the header typ "dpop+jwt" (RFC 9449 section 4.2).',
      'typ',
    );
  }
  if (typeof header.alg !== 'string' || !expected.algorithms.includes(header.alg)) {
    throw refuse(
      'alg_not_allowed',
      `The DPoP proof is signed with an algorithm this server does not accept; use one of ${expected.algorithms.join(', ')}.`,
      'alg',
    );
  }
  const jwk = publicJwk(header);
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(proof, EmbeddedJWK, { algorithms: [...expected.algorithms] }));
  } catch (cause) {
    throw joseRefusal(cause);
  }
  return { jkt: checkClaims(payload, jwk, expected), jti: payload.jti!, nonce: payload['nonce'] };
}

function checkClaims(payload: JWTPayload, jwk: JWK, expected: ProofExpectations): string {
  const { jti, iat } = payload;
  const { htm, htu, ath } = payload as { htm?: unknown; htu?: unknown; ath?: unknown };
  if (jti === undefined) throw missing('jti');
  if (typeof jti !== 'string' || jti === '' || jti.length > MAX_JTI_LENGTH) {
    throw refuse(
      'invalid_claim',
      `The DPoP proof's "jti" must be a string of 1 to ${MAX_JTI_LENGTH} characters.`,
      'jti',
    );
  }
  if (htm === undefined) throw missing('htm');
  if (htm !== expected.method) {
    throw refuse('wrong_method', 'The DPoP proof was made for another HTTP method (htm).', 'htm');
  }
  if (htu === undefined) throw missing('htu');
  if (typeof htu !== 'string' || normalizeHtu(htu) !== expected.htu) {
    throw refuse(
      'wrong_url',
      `The DPoP proof was made for another URL (htu); this request's is ${expected.htu}.`,
      'htu',
    );
  }
  if (iat === undefined) throw missing('iat');
  if (typeof iat !== 'number' || !Number.isFinite(iat)) {
    throw refuse('invalid_claim', 'The DPoP proof\'s "iat" is not a number.', 'iat');
  }
  if (iat < expected.nowSeconds - expected.maxAgeSeconds) {
    throw refuse(
      'stale',
      `The DPoP proof is older than ${expected.maxAgeSeconds} s (iat); make a new one for each request.`,
      'iat',
    );
  }
  if (iat > expected.nowSeconds + DPOP_CLOCK_TOLERANCE_SECONDS) {
    throw refuse(
      'issued_in_future',
      'The DPoP proof was issued in the future (iat); check the clocks.',
      'iat',
    );
  }
  if (ath === undefined) throw missing('ath');
  if (ath !== accessTokenHash(expected.accessToken)) {
    throw refuse('wrong_token_hash', 'The DPoP proof was made for another access token (ath).', 'ath');
  }
  return jwkThumbprint(jwk);
}

/**
 * The RFC 7638 SHA-256 thumbprint of a public JWK: its required members in lexicographic order,
 * no whitespace. Hashed with node:crypto at once: jose's WebCrypto digest cost ~30 µs a request
 * (bench/README.md, DPoP).
 */
function jwkThumbprint(jwk: JWK): string {
  const members =
    jwk.kty === 'RSA'
      ? { e: jwk.e, kty: jwk.kty, n: jwk.n }
      : jwk.kty === 'EC'
        ? { crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y }
        : { crv: jwk.crv, kty: jwk.kty, x: jwk.x };
  return createHash('sha256').update(JSON.stringify(members)).digest('base64url');
}

/** RFC 9449 section 4.2 `ath`: base64url of the SHA-256 of the access token's ASCII. */
export function accessTokenHash(token: string): string {
  return createHash('sha256').update(token, 'ascii').digest('base64url');
}

function publicJwk(header: ProtectedHeaderParameters): JWK {
  if (header.x5c !== undefined || header.x5u !== undefined || header.jku !== undefined) {
    throw refuse(
      'bad_key',
      'The DPoP proof must carry its public key in "jwk" only (no x5c, x5u or jku).',
      'jwk',
    );
  }
  const { jwk } = header;
  if (typeof jwk !== 'object' || jwk === null || Array.isArray(jwk) || typeof jwk.kty !== 'string') {
    throw refuse('bad_key', 'The DPoP proof header has no public key ("jwk").', 'jwk');
  }
  if (PRIVATE_MEMBERS.some((member) => Object.hasOwn(jwk, member))) {
    throw refuse(
      'private_key',
      'The DPoP proof\'s "jwk" contains private key material; send the public key only.',
      'jwk',
    );
  }
  return jwk;
}

function joseRefusal(cause: unknown): InvalidDpopProofError {
  if (cause instanceof errors.JWSSignatureVerificationFailed) {
    return refuse('bad_signature', 'The DPoP proof signature does not verify with its "jwk".', { cause });
  }
  if (cause instanceof errors.JWTClaimValidationFailed) {
    return refuse('invalid_claim', `The DPoP proof has an invalid "${cause.claim}" claim.`, {
      cause,
      claim: cause.claim,
    });
  }
  if (cause instanceof errors.JWTExpired) {
    return refuse('invalid_claim', 'The DPoP proof has expired (exp).', { cause, claim: 'exp' });
  }
  if (cause instanceof errors.JWSInvalid || cause instanceof errors.JWTInvalid) {
    return refuse('malformed', 'The DPoP proof is not a well-formed signed JWT.', { cause });
  }
  return refuse('bad_key', 'The DPoP proof\'s "jwk" is not a usable public key for its "alg".', {
    cause,
    claim: 'jwk',
  });
}

function missing(claim: string): InvalidDpopProofError {
  return refuse('missing_claim', `The DPoP proof lacks the required "${claim}" claim.`, claim);
}

function refuse(
  reason: DpopProofReason,
  message: string,
  options?: string | { cause?: unknown; claim?: string },
): InvalidDpopProofError {
  return new InvalidDpopProofError(
    reason,
    message,
    typeof options === 'string' ? { claim: options } : options,
  );
}
