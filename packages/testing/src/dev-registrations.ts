/** A protected resource (an MCP server, an API) the dev authorization server issues tokens for. */
export interface DevResource {
  /** The resource indicator (RFC 8707): the URL clients send as `resource`; becomes `aud`. */
  readonly url: string;
  /** The scopes that exist for it; requests for others are trimmed to these. */
  readonly scopes: readonly string[];
  /** `'jwt'` (default): RFC 9068 JWT access tokens. `'opaque'`: tokens only introspection can read. */
  readonly accessTokenFormat?: 'jwt' | 'opaque';
  /**
   * Scopes of this resource that token exchange (RFC 8693) refuses with `invalid_scope`, as an
   * authorization server does when the user never consented to a client acting for them with
   * these: to test a tool's "for want of consent" path. Each must be one of `scopes`. Default none.
   */
  readonly exchangeRequiresConsent?: readonly string[];
}

/** A client registered at start-up. Without `clientSecret` it is a public client (PKCE, no secret). */
export interface DevClient {
  readonly clientId: string;
  readonly clientSecret?: string;
  /** Default `['http://127.0.0.1/callback']`. */
  readonly redirectUris?: readonly string[];
  /** Default `['authorization_code', 'refresh_token']`, plus `client_credentials` for confidential clients. */
  readonly grantTypes?: readonly string[];
  /**
   * Whether the client may exchange tokens (RFC 8693, the token exchange grant), acting for the
   * subject token's user: a confidential client only. Default `false`; `dev-client` always may.
   * Any other client is refused with `unauthorized_client`.
   */
  readonly tokenExchange?: boolean;
}
