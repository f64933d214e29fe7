/**
 * What a tool needs downstream: a token for one API (`audience`, the API's URL or identifier),
 * with these scopes, obtained on the caller's behalf. Declared once per operation
 * (`@Downstream(audience, scopes)`), never widened at run time.
 */
export interface DownstreamNeed {
  /** The downstream API: its URL (RFC 8707 `resource` and RFC 8693 `audience`) or identifier. */
  readonly audience: string;
  /** The scopes to ask for at the downstream API. */
  readonly scopes: readonly string[];
}

/** One exchange: the caller's token traded for a token for {@link DownstreamNeed}. */
export interface ExchangeRequest extends DownstreamNeed {
  /** The caller's access token, as this server received it: sent to the IdP's token endpoint only. */
  readonly subjectToken: string;
}

/** A token obtained by exchange. */
export interface ExchangedToken {
  /** The access token for the downstream API. Never logged, never part of an error. */
  readonly accessToken: string;
  /** `Bearer` (or `DPoP`, as the IdP says). */
  readonly tokenType: string;
  /** When it expires, in milliseconds since the epoch. */
  readonly expiresAt: number;
  /** The scopes granted, when the IdP says (else the ones asked for). */
  readonly scopes: readonly string[];
}

/**
 * Trades a caller's token for one issued to this server for a downstream API, on the caller's
 * behalf (OAuth 2.0 Token Exchange, RFC 8693, or an IdP's own flavour of it): the standard answer
 * to "a tool must call another API" that does not pass the caller's token on, which MCP forbids.
 * Implementations: `tokenExchanger` (RFC 8693), `entraOnBehalfOf`, `oktaTokenExchange`,
 * `keycloakTokenExchange`; each caches per caller token, audience and scopes, never past `exp`.
 */
export interface TokenExchanger {
  /**
   * Resolves to the exchanged token; rejects with `TokenExchangeError` (the IdP refused: for want
   * of consent or scope, or otherwise) or `AuthorizationServerUnavailableError` (the IdP could not
   * be reached).
   */
  exchange(request: ExchangeRequest): Promise<ExchangedToken>;
}
