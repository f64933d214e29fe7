import { OptionsError } from '../errors.js';
import { requiredText } from '../idp/options/preset-options.js';
import { secureUrl } from '../lib/secure-url.js';
import type { ExchangeClientAuth, ExchangeCommonOptions } from './exchange-options.js';
import { tokenExchanger } from './rfc8693-exchanger.js';
import type { TokenExchanger } from './token-exchanger.js';

/** Options of {@link keycloakTokenExchange}. */
export interface KeycloakTokenExchangeOptions extends ExchangeCommonOptions {
  /** The server URL, `https://sso.example.com` (with `/auth` before Keycloak 17). `http:` only on localhost. */
  readonly url: string;
  /** The realm name. */
  readonly realm: string;
  /**
   * This MCP server's confidential client, with Standard Token Exchange on: `client_secret_basic`,
   * `client_secret_post` or `private_key_jwt` ("Signed JWT").
   */
  readonly clientAuth: ExchangeClientAuth;
}

/**
 * Keycloak's standard token exchange (Keycloak 26.2 and later, "token exchange V2"): RFC 8693 at
 * `{url}/realms/{realm}/protocol/openid-connect/token`, the downstream API named by `audience`,
 * which Keycloak reads as the **client id** of the downstream API's client in the same realm
 * (`{ audience: 'backup-api', scopes: ['backup:write'] }`). The caller's token must have this
 * server's client in its `aud`. What Keycloak's side needs is in docs/idp.md, "Token exchange".
 *
 * @example
 * ```ts
 * const exchanger = keycloakTokenExchange({
 *   url: 'https://sso.example.com',
 *   realm: 'acme',
 *   clientAuth: { clientId: 'files-mcp', clientSecret: process.env.KEYCLOAK_SECRET! },
 * });
 * await exchanger.exchange({ subjectToken, audience: 'backup-api', scopes: ['backup:write'] });
 * ```
 */
export function keycloakTokenExchange(options: KeycloakTokenExchangeOptions): TokenExchanger {
  if (options === null || typeof options !== 'object') {
    throw new OptionsError('options', 'keycloakTokenExchange needs an options object.');
  }
  const base = secureUrl(
    'url',
    requiredText('keycloakTokenExchange', 'url', options.url, 'the Keycloak server URL'),
  );
  if (base.search !== '') throw new OptionsError('url', 'keycloakTokenExchange: url must not have a query.');
  const realm = requiredText(
    'keycloakTokenExchange',
    'realm',
    options.realm,
    'the realm name',
    /^[^/?#\s]+$/,
  );
  const issuer = `${base.origin}${base.pathname.replace(/\/$/, '')}/realms/${encodeURIComponent(realm)}`;
  const { url: _url, realm: _realm, ...rest } = options;
  return tokenExchanger({
    ...rest,
    tokenEndpoint: `${issuer}/protocol/openid-connect/token`,
    audienceParam: 'audience',
  });
}
