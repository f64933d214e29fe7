import type { CryptoKey, JWK, KeyObject } from 'jose';
import type { StateStore } from '../state/state-store.js';

/**
 * How this server authenticates to the token endpoint when it exchanges a token. Secrets:
 * `client_secret_basic` (the default; id and secret form-urlencoded before base64, as RFC 6749
 * section 2.3.1 requires) or `client_secret_post` (in the form). Keys: `private_key_jwt`, a client
 * assertion (RFC 7523 section 2.2; OpenID Connect Core section 9) signed with `privateKey`: `iss`
 * and `sub` the client id, `aud` the token endpoint, a fresh `jti`, valid for 60 seconds.
 */
export type ExchangeClientAuth =
  | { readonly method?: 'client_secret_basic'; readonly clientId: string; readonly clientSecret: string }
  | { readonly method: 'client_secret_post'; readonly clientId: string; readonly clientSecret: string }
  | {
      readonly method: 'private_key_jwt';
      readonly clientId: string;
      /** The private key: a `KeyObject`, a `CryptoKey` or a private JWK (with `d`). */
      readonly privateKey: CryptoKey | KeyObject | JWK;
      /** The signing algorithm: an asymmetric JWS `alg` (`RS256`, `PS256`, `ES256`, `EdDSA`, ...). */
      readonly alg: string;
      /** The `kid` header, when the authorization server picks the key by it. */
      readonly kid?: string;
      /**
       * The `x5t#S256` header: the base64url SHA-256 thumbprint of the DER certificate registered
       * for the key. Entra ID finds the certificate by it (or by `x5t`, the SHA-1 one).
       */
      readonly x5tS256?: string;
      /** The legacy `x5t` header: the base64url SHA-1 thumbprint of the DER certificate. */
      readonly x5t?: string;
    };

/**
 * Which RFC 8693 (section 2.1) parameter names the downstream API:
 * - `audience`: its logical name (a client id, an API identifier), any string;
 * - `resource`: its location, an absolute URI (RFC 8707); a need whose audience is not one is
 *   refused before any request;
 * - `both` (the default): `audience` always, and `resource` too when the audience is an absolute
 *   URI. RFC 8693 lets a client send both; a server that knows only one of them reads that one.
 */
export type AudienceParam = 'audience' | 'resource' | 'both';

/** Settings every exchanger takes, presets included. */
export interface ExchangeCommonOptions {
  /**
   * Where exchanged tokens are cached: `memoryStateStore()` (the default, this process) or
   * `redisStateStore(...)` from `@valet/redis`, shared by every instance. **The store holds
   * downstream access tokens**: protect a shared one as you would a secret store (authentication,
   * TLS, no other tenants). Entries are filed under a SHA-256 of the caller's token, the client,
   * the audience and the scopes (`valet:exchange:<hash>`), never under the token itself, and live
   * until the exchanged token's expiry minus a margin (10% of its lifetime, at most 30 s). A store
   * that fails is skipped: the exchange is made, as without a cache.
   */
  readonly store?: StateStore;
  /** Abort each request to the authorization server after this many milliseconds. Default 5000. */
  readonly timeoutMs?: number;
  /** The fetch implementation. Default the global `fetch`. */
  readonly fetch?: typeof fetch;
  /** Current time in milliseconds since the epoch. Default `Date.now`. */
  readonly clock?: () => number;
}

/** Options of {@link tokenExchanger}: where the token endpoint is, and how to authenticate there. */
export type TokenExchangerOptions = ExchangeCommonOptions & {
  /** Credentials of this server (a confidential client) at the authorization server. */
  readonly clientAuth: ExchangeClientAuth;
  /** How the downstream API is named in the request. Default `both`. */
  readonly audienceParam?: AudienceParam;
} & (
    | {
        /**
         * The authorization server's issuer: `token_endpoint` is read from its metadata (RFC 8414,
         * then OpenID Connect Discovery), once, and fetched again with a backoff after a failure.
         */
        readonly issuer: string;
        readonly tokenEndpoint?: undefined;
      }
    | {
        /** The token endpoint itself. `https:` required; `http:` only on a loopback host. */
        readonly tokenEndpoint: string | URL;
        readonly issuer?: undefined;
      }
  );
