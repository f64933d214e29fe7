import type { CryptoKey, JWK, KeyObject } from 'jose';
import { OptionsError } from '../errors.js';
import { requiredText } from '../idp/options/preset-options.js';
import type { ExchangeClientAuth, ExchangeCommonOptions } from './exchange-options.js';
import { createExchanger, type Grant } from './internal/exchanger.js';
import { fixedTokenEndpoint } from './internal/token-endpoint.js';
import type { ExchangeRequest, TokenExchanger } from './token-exchanger.js';

/** Options of {@link entraOnBehalfOf}: the tenant, this API's app registration and one credential. */
export type EntraOnBehalfOfOptions = ExchangeCommonOptions & {
  /** The directory (tenant) id, a GUID, or a verified domain (`contoso.onmicrosoft.com`). */
  readonly tenantId: string;
  /** This MCP server's application (client) id: the app registration the caller's token is for. */
  readonly clientId: string;
  /**
   * The token endpoint, for a sovereign cloud or a test server. Default
   * `https://login.microsoftonline.com/{tenantId}/oauth2/v2.0/token`.
   */
  readonly tokenEndpoint?: string | URL;
} & (
    | {
        /** A client secret of the app registration (sent in the form, as Entra ID's samples do). */
        readonly clientSecret: string;
        readonly privateKey?: undefined;
      }
    | {
        readonly clientSecret?: undefined;
        /** The private key of a certificate uploaded to the app registration. */
        readonly privateKey: CryptoKey | KeyObject | JWK;
        /** The base64url SHA-256 thumbprint of that certificate (`x5t#S256`), by which Entra ID finds it. */
        readonly x5tS256: string;
        /** The signing algorithm. Default `PS256`, which Entra ID's certificate credential docs name. */
        readonly alg?: string;
      }
  );

/** RFC 7523 section 2.1, which Entra ID's on-behalf-of flow uses: the JWT bearer grant. */
const JWT_BEARER_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

/** A scope that is already a full Entra ID scope, `api://backup/backup.write` or `https://graph.microsoft.com/.default`. */
const FULL_SCOPE = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//;

/**
 * Microsoft Entra ID's on-behalf-of flow (Microsoft identity platform, "OAuth 2.0 On-Behalf-Of
 * flow"), Entra ID's own form of token exchange: `grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer`,
 * `assertion` = the caller's token, `requested_token_use=on_behalf_of`, and `scope` naming the
 * downstream API's delegated permissions. Entra ID takes no `audience` or `resource`: a
 * {@link DownstreamNeed} maps to scopes, each prefixed with the audience (the downstream API's
 * Application ID URI): `{ audience: 'api://backup', scopes: ['backup.write'] }` asks for
 * `api://backup/backup.write`; no scopes asks for `api://backup/.default` (every permission
 * consented to); a scope that is already a URI is sent as is.
 *
 * The caller's token must be a v2 token for this app (its `aud` the client id). The user (or an
 * administrator) must have consented to the downstream permissions for this app; without that
 * Entra ID answers `invalid_grant` with AADSTS65001, which is a `TokenExchangeError` with
 * reason `consent_or_scope`. Caching, errors and options otherwise as {@link tokenExchanger}.
 *
 * @example
 * ```ts
 * const exchanger = entraOnBehalfOf({
 *   tenantId: '72f988bf-86f1-41af-91ab-2d7cd011db47',
 *   clientId: 'c0ffee00-0000-4000-8000-000000000001',
 *   clientSecret: process.env.ENTRA_SECRET!,
 * });
 * await exchanger.exchange({ subjectToken, audience: 'api://backup', scopes: ['backup.write'] });
 * ```
 */
export function entraOnBehalfOf(options: EntraOnBehalfOfOptions): TokenExchanger {
  if (options === null || typeof options !== 'object') {
    throw new OptionsError('options', 'entraOnBehalfOf needs an options object.');
  }
  const tenantId = requiredText(
    'entraOnBehalfOf',
    'tenantId',
    options.tenantId,
    'the tenant GUID or a verified domain',
    /^[A-Za-z0-9.-]+$/,
  );
  if (tenantId === 'common' || tenantId === 'organizations' || tenantId === 'consumers') {
    throw new OptionsError(
      'tenantId',
      `entraOnBehalfOf: tenantId must name one tenant, not "${tenantId}": the on-behalf-of flow runs in the user's tenant.`,
    );
  }
  const clientId = requiredText('entraOnBehalfOf', 'clientId', options.clientId, "this app's client id");
  let clientAuth: ExchangeClientAuth;
  if (options.privateKey !== undefined) {
    if (options.clientSecret !== undefined) {
      throw new OptionsError(
        'clientSecret',
        'entraOnBehalfOf: set either clientSecret or privateKey, not both.',
      );
    }
    clientAuth = {
      method: 'private_key_jwt',
      clientId,
      privateKey: options.privateKey,
      alg: options.alg ?? 'PS256',
      x5tS256: requiredText(
        'entraOnBehalfOf',
        'x5tS256',
        options.x5tS256,
        "the certificate's base64url SHA-256 thumbprint",
      ),
    };
  } else {
    const clientSecret = requiredText(
      'entraOnBehalfOf',
      'clientSecret',
      options.clientSecret,
      'a client secret of the app registration (or give privateKey and x5tS256)',
    );
    clientAuth = { method: 'client_secret_post', clientId, clientSecret };
  }
  const url =
    options.tokenEndpoint ??
    `https://login.microsoftonline.com/${encodeURIComponent(tenantId)}/oauth2/v2.0/token`;
  return createExchanger(options, {
    grant: onBehalfOfGrant,
    endpoint: fixedTokenEndpoint(url),
    server: String(url),
    clientAuth,
  });
}

const onBehalfOfGrant: Grant = {
  name: 'entra-obo',
  requireIssuedTokenType: false,
  form: (request: ExchangeRequest) =>
    new URLSearchParams({
      grant_type: JWT_BEARER_GRANT,
      assertion: request.subjectToken,
      requested_token_use: 'on_behalf_of',
      scope: entraScopes(request).join(' '),
    }),
};

/** The scopes of a need as Entra ID names them: prefixed with the audience, or `.default`. */
function entraScopes(need: { readonly audience: string; readonly scopes: readonly string[] }): string[] {
  const base = need.audience.replace(/\/+$/, '');
  const scopes = need.scopes.length === 0 ? ['.default'] : [...new Set(need.scopes)];
  return scopes.map((scope) => (FULL_SCOPE.test(scope) ? scope : `${base}/${scope}`));
}
