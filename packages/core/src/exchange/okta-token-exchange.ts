import { OptionsError } from '../errors.js';
import { oktaIssuer, type OktaAuthorizationServer } from '../idp/options/okta-issuer.js';
import type { ExchangeClientAuth, ExchangeCommonOptions } from './exchange-options.js';
import { tokenExchanger } from './rfc8693-exchanger.js';
import type { TokenExchanger } from './token-exchanger.js';

/** Options of {@link oktaTokenExchange}: the custom authorization server, and this server's service app. */
export type OktaTokenExchangeOptions = ExchangeCommonOptions & {
  /**
   * This MCP server's API Services app in Okta, with the Token Exchange grant allowed:
   * `client_secret_basic`, `client_secret_post` or `private_key_jwt`.
   */
  readonly clientAuth: ExchangeClientAuth;
  /** The token endpoint, for a test server. Default `{issuer}/v1/token`. */
  readonly tokenEndpoint?: string | URL;
} & OktaAuthorizationServer;

/**
 * Okta's On-Behalf-Of Token Exchange: standard RFC 8693 at a custom authorization server's
 * `{issuer}/v1/token`, the downstream API named by `audience` (the Audience of the authorization
 * server that issues its tokens, e.g. `api://backup`), the scopes its access policy grants. The
 * caller's token must come from a custom authorization server of the same org (the org server's
 * tokens cannot be exchanged). What Okta's side needs is in docs/idp.md, "Token exchange".
 *
 * @example
 * ```ts
 * const exchanger = oktaTokenExchange({
 *   domain: 'dev-123456.okta.com',
 *   authorizationServerId: 'aus_backup',
 *   clientAuth: { clientId: '0oa...', clientSecret: process.env.OKTA_SECRET! },
 * });
 * await exchanger.exchange({ subjectToken, audience: 'api://backup', scopes: ['backup:write'] });
 * ```
 */
export function oktaTokenExchange(options: OktaTokenExchangeOptions): TokenExchanger {
  if (options === null || typeof options !== 'object') {
    throw new OptionsError('options', 'oktaTokenExchange needs an options object.');
  }
  const issuer = oktaIssuer('oktaTokenExchange', options);
  const { issuer: _issuer, domain: _domain, authorizationServerId: _id, ...rest } = options;
  return tokenExchanger({
    ...rest,
    tokenEndpoint: options.tokenEndpoint ?? `${issuer}/v1/token`,
    audienceParam: 'audience',
  });
}
