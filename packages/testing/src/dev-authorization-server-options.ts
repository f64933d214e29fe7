import type { DpopKey } from './dpop-key.js';
import type { DevClient, DevResource } from './dev-registrations.js';

/** Options of {@link startDevAuthorizationServer}. */
export interface DevAuthorizationServerOptions {
  /** The resources tokens can be issued for. An unknown `resource` is refused with `invalid_target`. */
  readonly resources: readonly DevResource[];
  /** Port on the loopback interface. Default 0 (any free port). */
  readonly port?: number;
  /** Loopback host to bind and name in the issuer: `'127.0.0.1'` (default) or `'localhost'`. */
  readonly host?: '127.0.0.1' | 'localhost';
  /** Extra clients; `dev-client` / `dev-secret` (confidential) always exists. */
  readonly clients?: readonly DevClient[];
  /** Access token lifetime in seconds. Default 3600. */
  readonly accessTokenTtl?: number;
  /** The account every headless login signs in as (the token's `sub`). Default `'dev-user'`. */
  readonly accountId?: string;
  /** Where server errors go. Default `console`. */
  readonly logger?: { readonly error: (message: string, error?: unknown) => void };
  /**
   * DPoP (RFC 9449) at the token endpoint, always on: a token request with a `DPoP` proof gets a
   * token bound to the proof's key (`token_type: DPoP`, `cnf.jkt`). `requireNonce: true` makes
   * every such request carry a server nonce, answering the first with `use_dpop_nonce` and a
   * `DPoP-Nonce` header (section 8), to test a client's retry. Default `{ requireNonce: false }`.
   */
  readonly dpop?: { readonly requireNonce?: boolean };
}

/** Options of {@link DevAuthorizationServer.clientCredentialsToken}. */
export interface ClientCredentialsTokenOptions {
  /** The resource indicator (RFC 8707): the token's `aud`. */
  readonly resource: string;
  readonly scope: string | readonly string[];
  /** Default the confidential `dev-client`. */
  readonly clientId?: string;
  /** Default the secret the client was registered with (`dev-secret` for `dev-client`). */
  readonly clientSecret?: string;
  /**
   * A DPoP key (`createDpopKey()`): the request carries a proof made with it and the token
   * comes back bound to it (`cnf.jkt`). Without it the token is a Bearer token.
   */
  readonly dpop?: DpopKey;
}

/** Options of {@link DevAuthorizationServer.authorizationCodeToken}. */
export interface AuthorizationCodeTokenOptions {
  readonly resource: string;
  readonly scope: string | readonly string[];
  /** Default the confidential `dev-client`. */
  readonly clientId?: string;
  /** Secret of a confidential client; omit for a public client. Default `dev-secret` with `dev-client`. */
  readonly clientSecret?: string;
  /** Default the client's first redirect URI, `http://127.0.0.1/callback` for `dev-client`. */
  readonly redirectUri?: string;
  /**
   * A DPoP key (`createDpopKey()`): the authorization request names it (`dpop_jkt`, so the
   * code is bound to it), the code exchange carries a proof made with it, and the token comes back
   * bound to it (`cnf.jkt`). Without it the token is a Bearer token.
   */
  readonly dpop?: DpopKey;
}

/**
 * Options of {@link DevAuthorizationServer.exchangeToken}: the target resource as `resource`
 * (RFC 8707), as `audience` (RFC 8693), or both, naming the same resource.
 */
export type ExchangeTokenOptions = ExchangeTokenRequest &
  (
    | { readonly resource: string; readonly audience?: string }
    | { readonly audience: string; readonly resource?: string }
  );

/** What every {@link ExchangeTokenOptions} has, besides the target resource. */
export interface ExchangeTokenRequest {
  /** An access token this server issued (any client, any resource): its `sub` becomes the new token's. */
  readonly subjectToken: string;
  /** Scopes of the target resource; every one must exist there, or the answer is `invalid_scope`. */
  readonly scope: string | readonly string[];
  /** The acting client (the new token's `client_id` and `act.sub`). Default the confidential `dev-client`. */
  readonly clientId?: string;
  /** Default the secret the client was registered with (`dev-secret` for `dev-client`). */
  readonly clientSecret?: string;
}
