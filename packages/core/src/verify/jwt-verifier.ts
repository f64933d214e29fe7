import {
  errors,
  jwtVerify,
  type CryptoKey,
  type FlattenedJWSInput,
  type JWSHeaderParameters,
  type JWTPayload,
  type JWTVerifyOptions,
  type JWTVerifyResult,
  type ResolvedKey,
} from 'jose';
import { AuthorizationServerUnavailableError, InvalidTokenError } from '../errors.js';
import { hasCanonicalSignature, signatureBytes } from './jwt/canonical-signature.js';
import { joseFailure, tokenFailure } from './jwt/jose-failure.js';
import { resolveJwtOptions, type KeySource, type ResolvedJwtOptions } from './jwt/jwt-options.js';
import { frozenSet } from '../lib/frozen-set.js';
import { principalRecord } from '../principal.js';
import { staticKeySet, type StaticKeySet } from './jwt/static-keys.js';
import type { Principal } from '../principal.js';
import { discoverAuthorizationServer } from './discovery.js';
import { checkTimeClaims } from './time-claims.js';
import { createJwksResolver, jwksSettings, RemoteKeySet, retryAfterSeconds } from './jwks.js';
import { beforeDeadline, Refresher } from '../lib/refresher.js';
import type { JwtVerifierOptions } from './jwt-verifier-options.js';
import type { TokenVerifier } from './token-verifier.js';

type KeyInput = Uint8Array | ((header: JWSHeaderParameters, token?: FlattenedJWSInput) => Promise<CryptoKey>);
type Verified = JWTVerifyResult & Partial<ResolvedKey>;

/** Candidates tried for a token whose header matches several configured keys (no `kid`). */
const MAX_CANDIDATE_KEYS = 8;

/**
 * Verifies JWT access tokens with jose: signature against the configured keys only (a `jwk`,
 * `jku`, `x5u` or `x5c` in the token is never used), algorithm allow-list, `iss`, `aud` as an
 * MCP resource URL, `exp`/`nbf`/`iat` with clock tolerance (each a finite time, never
 * `Infinity`), optional RFC 9068 `typ` and profile, then reads scopes and client id into a
 * {@link Principal}. A `cnf` (a token bound to a key) is kept in the claims: the flow, which
 * knows whether the token came as Bearer or with a DPoP proof, decides (RFC 9449 section 7.2). The size limit is checked before
 * any parsing, and a signature segment must be spelled canonically (no whitespace, padding or set
 * pad bits), so one signed token has exactly one accepted spelling.
 *
 * A refused token is an `InvalidTokenError` with a stable `reason` (`expired`, `bad_signature`,
 * `wrong_audience`, ...) and the jose error as `cause`; keys or metadata that cannot be fetched
 * are an `AuthorizationServerUnavailableError` (503). Messages never contain the token or its
 * claims.
 *
 * @example
 * ```ts
 * const verifier = new JwtVerifier({
 *   issuer: 'https://auth.example.com',
 *   audience: 'https://mcp.example.com/mcp',
 *   scopeClaim: 'scope',
 * });
 * const principal = await verifier.verify(bearerToken); // keys found by discovery
 * principal.scopes.has('files:read');
 * ```
 */
export class JwtVerifier implements TokenVerifier {
  readonly #options: ResolvedJwtOptions;
  readonly #jose: JWTVerifyOptions;
  readonly #key: KeyInput;
  readonly #staticKeys: StaticKeySet | undefined;

  /** @throws OptionsError naming the field, for a missing, unsafe or contradictory option. */
  constructor(options: JwtVerifierOptions) {
    this.#options = resolveJwtOptions(options);
    const { issuers, algorithms, clockTolerance, maxTokenAge, requiredClaims, typ, keySource } =
      this.#options;
    this.#jose = Object.freeze({
      issuer: issuers.length === 1 ? issuers[0] : [...issuers],
      algorithms: [...algorithms],
      clockTolerance,
      requiredClaims: [...requiredClaims],
      ...(maxTokenAge === undefined ? {} : { maxTokenAge }),
      ...(typ === undefined ? {} : { typ }),
    });
    if (keySource.kind === 'keys') {
      this.#staticKeys = staticKeySet(keySource.keys, algorithms);
      this.#key = this.#staticKeys.resolve;
    } else {
      this.#staticKeys = undefined;
      this.#key = this.#keyInput(keySource);
    }
  }

  /**
   * Verifies `token` (without `Bearer `) and returns its principal; rejects with `InvalidTokenError`
   * or `AuthorizationServerUnavailableError`.
   * Not an async function: the promise jose returns is chained directly, one layer fewer per call.
   */
  verify(token: string): Promise<Principal> {
    if (typeof token !== 'string' || token === '') return Promise.reject(tokenFailure('malformed'));
    if (token.length > this.#options.maxTokenBytes) return Promise.reject(tokenFailure('too_large'));
    const key = this.#staticKeys?.keyFor(token) ?? this.#key;
    return jwtVerify(token, key, this.#jose).then(
      (result) => this.#principal(result, token, key),
      (err: unknown) => this.#recover(token, err),
    );
  }

  /** A token matching several kid-less keys gets another chance; any other failure is mapped. */
  async #recover(token: string, err: unknown): Promise<Principal> {
    if (!(err instanceof errors.JWKSMultipleMatchingKeys)) throw joseFailure(err);
    let verified: { readonly result: Verified; readonly key: CryptoKey };
    try {
      verified = await this.#tryCandidates(token, err);
    } catch (cause) {
      throw joseFailure(cause);
    }
    return this.#principal(verified.result, token, verified.key);
  }

  /** jose's documented handling of several matching keys: try each (bounded). */
  async #tryCandidates(
    token: string,
    several: errors.JWKSMultipleMatchingKeys,
  ): Promise<{ readonly result: Verified; readonly key: CryptoKey }> {
    let failure: unknown = several;
    let tried = 0;
    for await (const key of several) {
      if (++tried > MAX_CANDIDATE_KEYS) break;
      try {
        return { result: await jwtVerify(token, key, this.#jose), key };
      } catch (err) {
        if (!(err instanceof errors.JWSSignatureVerificationFailed)) throw err;
        failure = err;
      }
    }
    throw failure;
  }

  /**
   * Valet's checks after jose's, then the principal. `claims` is the object jose parsed for this
   * call alone, so it is frozen in place rather than copied, and so is an `aud` array. The
   * signature's spelling is checked here, once its length is known from the key that verified it.
   */
  #principal(result: Verified, token: string, given: KeyInput | CryptoKey): Principal {
    // jose reports the key it resolved when given a function; otherwise the key is the one given.
    const key = result.key ?? given;
    const bytes = typeof key === 'function' ? undefined : signatureBytes(key, result.protectedHeader.alg!);
    if (bytes === undefined || !hasCanonicalSignature(token, bytes)) throw tokenFailure('malformed');
    if (result.key !== undefined) this.#staticKeys?.remember(token, result.key);
    const claims = result.payload;
    const { audience, clockTolerance, scopes, clientIdClaims, validate } = this.#options;
    checkTimeClaims(claims);
    if (typeof claims.iat === 'number' && claims.iat > Date.now() / 1000 + clockTolerance) {
      throw tokenFailure('issued_in_future', { claim: 'iat' });
    }
    const aud: unknown = claims.aud;
    if (audience !== undefined) {
      if (typeof aud !== 'string' && !(Array.isArray(aud) && aud.every((item) => typeof item === 'string'))) {
        throw tokenFailure('invalid_claim', { claim: 'aud' });
      }
      if (!audience.matches(aud)) throw tokenFailure('wrong_audience', { claim: 'aud' });
    }
    if (claims.sub !== undefined && typeof claims.sub !== 'string') {
      throw tokenFailure('invalid_claim', { claim: 'sub' });
    }
    const granted = frozenSet(scopes(claims));
    if (validate !== undefined) runValidate(validate, claims);
    return principalRecord(token, {
      subject: claims.sub,
      clientId: firstString(claims, clientIdClaims),
      issuer: claims.iss,
      audience: Object.freeze(typeof aud === 'string' ? [aud] : Array.isArray(aud) ? (aud as string[]) : []),
      scopes: granted,
      expiresAt: claims.exp,
      claims: Object.freeze(claims),
    });
  }

  #keyInput(source: Exclude<KeySource, { kind: 'keys' }>): KeyInput {
    const { jwks, fetch } = this.#options;
    switch (source.kind) {
      case 'secret':
        return source.secret;
      case 'jwks':
        return createJwksResolver(source.url, { ...jwks, fetch });
      case 'discovery':
        return discoveredKeys(this.#options.issuers[0]!, source.url, this.#options);
    }
  }
}

function firstString(claims: JWTPayload, names: readonly string[]): string | undefined {
  for (const name of names) {
    const value = claims[name];
    if (typeof value === 'string') return value;
  }
  return undefined;
}

function runValidate(validate: (claims: JWTPayload) => void, claims: JWTPayload): void {
  try {
    validate(claims);
  } catch (err) {
    if (err instanceof InvalidTokenError) throw err;
    throw new InvalidTokenError('invalid_claim', 'The token was refused by the validate option.', {
      cause: err,
    });
  }
}

/**
 * Keys found through the issuer's metadata: discovered on first use, shared by concurrent
 * verifications, retried with a backoff while it fails (each such request answered 503). One
 * deadline covers discovery and the key fetch of a request.
 */
function discoveredKeys(issuer: string, url: URL | undefined, options: ResolvedJwtOptions): KeyInput {
  const settings = jwksSettings({ ...options.jwks, fetch: options.fetch });
  const { timeoutMs, deadlineMs, cooldownMs } = settings;
  const discovery = new Refresher(async () => {
    const metadata = await discoverAuthorizationServer(issuer, { url, fetch: options.fetch, timeoutMs });
    const keys = new RemoteKeySet(metadata.jwks_uri, settings);
    // The keys are what discovery is for: fetched now, even when the request that asked has gone.
    keys.prefetch();
    return keys;
  }, cooldownMs);
  const unavailable = (late: boolean): AuthorizationServerUnavailableError =>
    new AuthorizationServerUnavailableError(
      'discovery_failed',
      late
        ? `The metadata of "${issuer}" was not fetched before the deadline.`
        : `The metadata of "${issuer}" could not be fetched.`,
      {
        cause: late ? undefined : discovery.lastError,
        retryAfter: retryAfterSeconds(discovery.waitMs(Date.now())),
      },
    );
  return async (header, token) => {
    const deadline = Date.now() + deadlineMs;
    if (discovery.value === undefined) {
      const running = discovery.refresh(Date.now());
      if (running === undefined) throw unavailable(false);
      const found = await beforeDeadline(running, deadline);
      if (found !== true) throw unavailable(found === undefined);
    }
    return discovery.value!.key(header, token, deadline);
  };
}
