/** A protected resource (an MCP server, an API) the dev authorization server issues tokens for. */
export interface DevResource {
  /** The resource indicator (RFC 8707): the URL clients send as `resource`; becomes `aud`. */
  readonly url: string;
  /** The scopes that exist for it; requests for others are trimmed to these. */
  readonly scopes: readonly string[];
  /** `'jwt'` (default): RFC 9068 JWT access tokens. `'opaque'`: tokens only introspection can read. */
  readonly accessTokenFormat?: 'jwt' | 'opaque';
}

/** A client registered at start-up. Without `clientSecret` it is a public client (PKCE, no secret). */
export interface DevClient {
  readonly clientId: string;
  readonly clientSecret?: string;
  /** Default `['http://127.0.0.1/callback']`. */
  readonly redirectUris?: readonly string[];
  /** Default `['authorization_code', 'refresh_token']`, plus `client_credentials` for confidential clients. */
  readonly grantTypes?: readonly string[];
}
