import type { CryptoKey, JSONWebKeySet, JWK, JWTPayload, KeyObject } from 'jose';
import type { JwksOptions } from './jwks.js';
import type { ScopeClaim } from './scope-claims.js';

/** One configured verification key: a public JWK, CryptoKey, Node KeyObject, or PEM (SPKI or X.509). */
export type StaticKey = CryptoKey | KeyObject | JWK | string;

/** Configured verification keys: a JSON Web Key Set, or a list of keys. */
export type StaticKeys = JSONWebKeySet | readonly StaticKey[];

/**
 * Options of {@link JwtVerifier}. Validated at construction: a missing, unsafe or contradictory
 * option throws `OptionsError` naming the field. Exactly one key source applies: `jwksUri`,
 * `keys`, `secret`, or discovery (the default when none of the others is set).
 */
export interface JwtVerifierOptions {
  /**
   * The `iss` every token must carry, compared exactly (a trailing slash matters). Several
   * issuers are allowed with `jwksUri`, `keys` or `secret`; discovery needs exactly one.
   * A URL issuer must be `https:` (`http:` only on localhost).
   */
  readonly issuer: string | readonly string[];
  /**
   * This resource, as the token's `aud` must name it: the MCP server URL (RFC 8707), compared
   * with {@link audienceMatches} (scheme and host case-insensitive, default port and one trailing
   * slash ignored). Required; `false` skips the check, for authorization servers that put no
   * `aud` in access tokens (Cognito) and only when another check (`validate`) pins the client.
   */
  readonly audience: string | readonly string[] | false;
  /** A JWKS URL (`https:`; `http:` only on localhost). */
  readonly jwksUri?: string | URL;
  /** Public keys: a JSON Web Key Set, or a list of JWKs, CryptoKeys, KeyObjects or PEM strings. */
  readonly keys?: StaticKeys;
  /** The shared secret for HS256/384/512, at least as many bytes as the hash (32, 48, 64). */
  readonly secret?: string | Uint8Array;
  /**
   * Find `jwks_uri` in the issuer's metadata (RFC 8414, then OpenID Discovery), lazily on the
   * first verification, cached; while it fails, tokens are answered 503 (`discovery_failed`)
   * and it is retried with a backoff up to `jwks.cooldownMs`. `true` (the default when no other key source is set) derives the URLs
   * from the issuer; a URL names the metadata document. The document's `issuer` must equal the
   * configured one.
   */
  readonly discovery?: boolean | string | URL;
  /**
   * Accepted `alg` values. Default without a secret: RS256/384/512, PS256/384/512,
   * ES256/384/512, EdDSA. Default with a secret: each of HS256/384/512 the secret is long enough
   * for. `none` is never accepted; HMAC and asymmetric algorithms never mix.
   */
  readonly algorithms?: readonly string[];
  /** Leeway in seconds for `exp`, `nbf` and `iat` against this server's clock. Default 5, at most 300. */
  readonly clockTolerance?: number;
  /**
   * Refuse tokens whose `iat` is more than this many seconds ago (`too_old`); requires `iat`.
   * From 1 to 31536000 (a year).
   */
  readonly maxTokenAge?: number;
  /** Claims every token must have (`missing_claim` otherwise). `exp` is always required. */
  readonly requiredClaims?: readonly string[];
  /**
   * Require the JWT `typ` header `at+jwt` (RFC 9068; `application/at+jwt` is the same). Default:
   * required in `strict` mode, not checked otherwise. `false` with `strict` is a contradiction.
   */
  readonly typ?: 'at+jwt' | false;
  /**
   * RFC 9068 profile: `typ` must be `at+jwt` and `iss`, `exp`, `aud`, `sub`, `client_id`, `iat`
   * and `jti` must all be present. Default `false`: many authorization servers (Auth0, Okta,
   * Entra ID, Cognito) issue access tokens that are not RFC 9068 shaped.
   */
  readonly strict?: boolean;
  /** Where the scopes are (see {@link ScopeClaim}). Default `'scope'`. */
  readonly scopeClaim?: ScopeClaim;
  /** Claims naming the client, first present wins. Default `['client_id', 'azp', 'appid', 'cid']`. */
  readonly clientIdClaim?: string | readonly string[];
  /** Accept tokens without `exp` (they never expire). Default `false`. */
  readonly allowMissingExp?: boolean;
  /** Longest accepted token, in characters, checked before any parsing: 64 to 1048576. Default 8192. */
  readonly maxTokenBytes?: number;
  /**
   * Timing of a remote JWKS (`jwksUri` or discovery), in whole milliseconds: `timeoutMs` and
   * `deadlineMs` 1 to 60000, `cooldownMs` 0 to 86400000, `cacheMaxAgeMs` 1 to 86400000. Refused
   * with `keys` or `secret`, where there is nothing to fetch.
   */
  readonly jwks?: JwksOptions;
  /**
   * Extra rules on the verified claims, run last (IdP presets check `token_use`, `tid` here).
   * Throw `InvalidTokenError` to refuse; any other error refuses with `invalid_claim`.
   */
  readonly validate?: (claims: JWTPayload) => void;
  /** The fetch implementation for discovery and JWKS. Default the global `fetch`. */
  readonly fetch?: typeof fetch;
}
