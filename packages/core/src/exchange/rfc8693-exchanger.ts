import { OptionsError } from '../errors.js';
import type { AudienceParam, TokenExchangerOptions } from './exchange-options.js';
import { commonSettings, createExchanger, type Grant } from './internal/exchanger.js';
import { discoveredTokenEndpoint, fixedTokenEndpoint } from './internal/token-endpoint.js';
import { ACCESS_TOKEN_TYPE } from './internal/token-request.js';
import type { ExchangeRequest, TokenExchanger } from './token-exchanger.js';

/** RFC 8693 section 2.1: the grant type of a token exchange. */
const TOKEN_EXCHANGE_GRANT = 'urn:ietf:params:oauth:grant-type:token-exchange';

/**
 * An OAuth 2.0 Token Exchange (RFC 8693) client: trades the caller's access token for one for a
 * downstream API at the authorization server's token endpoint, on the caller's behalf. Each request
 * is `grant_type=urn:ietf:params:oauth:grant-type:token-exchange`, `subject_token` (the caller's
 * token), `subject_token_type` and `requested_token_type` both
 * `urn:ietf:params:oauth:token-type:access_token`, the downstream API as `audience` and/or
 * `resource` (`audienceParam`), and `scope` (space-separated, when any), with this server's client
 * authentication. The answer must be RFC 8693 section 2.2.1's: `access_token`, `issued_token_type`
 * the access token type, `token_type` `Bearer`; without `expires_in` a token is taken to live 60 s.
 *
 * Tokens are cached per caller token, audience and scopes in `store` (see
 * `ExchangeCommonOptions.store`), never past their expiry; concurrent exchanges of one key
 * share a request. Refusals are `TokenExchangeError` (`reason` `consent_or_scope`, 403, or
 * `refused`, 502); an unreachable or broken endpoint is `AuthorizationServerUnavailableError`
 * (503). Options are checked here, at construction (`OptionsError` naming the field).
 *
 * @example
 * ```ts
 * const exchanger = tokenExchanger({
 *   issuer: 'https://auth.example.com',
 *   clientAuth: { clientId: 'files-mcp', clientSecret: process.env.EXCHANGE_SECRET! },
 * });
 * const { accessToken } = await exchanger.exchange({
 *   subjectToken: principal.token,
 *   audience: 'https://backup.example.com/api',
 *   scopes: ['backup:write'],
 * });
 * ```
 */
export function tokenExchanger(options: TokenExchangerOptions): TokenExchanger {
  if (options === null || typeof options !== 'object') {
    throw new OptionsError('options', 'tokenExchanger needs an options object.');
  }
  const { issuer, tokenEndpoint } = options;
  if ((issuer === undefined) === (tokenEndpoint === undefined)) {
    throw new OptionsError(
      'tokenEndpoint',
      'tokenExchanger: set either issuer (the token endpoint is discovered) or tokenEndpoint, not both and not neither.',
    );
  }
  const audienceParam = options.audienceParam ?? 'both';
  if (audienceParam !== 'audience' && audienceParam !== 'resource' && audienceParam !== 'both') {
    throw new OptionsError('audienceParam', 'audienceParam must be "audience", "resource" or "both".');
  }
  const endpoint =
    issuer !== undefined
      ? discoveredTokenEndpoint(issuer, commonSettings(options))
      : fixedTokenEndpoint(tokenEndpoint);
  return createExchanger(options, {
    grant: rfc8693Grant(audienceParam),
    endpoint,
    server: String(issuer ?? tokenEndpoint),
    clientAuth: options.clientAuth,
  });
}

/** The RFC 8693 request form, the downstream API named as `audienceParam` says. */
function rfc8693Grant(audienceParam: AudienceParam): Grant {
  return {
    name: 'rfc8693',
    requireIssuedTokenType: true,
    form: (request: ExchangeRequest) => {
      const form = new URLSearchParams({
        grant_type: TOKEN_EXCHANGE_GRANT,
        subject_token: request.subjectToken,
        subject_token_type: ACCESS_TOKEN_TYPE,
        requested_token_type: ACCESS_TOKEN_TYPE,
      });
      const uri = isAbsoluteUri(request.audience);
      if (audienceParam === 'resource' && !uri) {
        throw new OptionsError(
          'audience',
          `audience "${request.audience}" is not an absolute URI, which RFC 8707 requires of a resource; ` +
            'use audienceParam "audience" to send it as a logical name.',
        );
      }
      if (audienceParam !== 'resource') form.set('audience', request.audience);
      if (audienceParam !== 'audience' && uri) form.set('resource', request.audience);
      if (request.scopes.length > 0) form.set('scope', [...new Set(request.scopes)].join(' '));
      return form;
    },
  };
}

/** RFC 8707 section 2: a resource is an absolute URI without a fragment. */
function isAbsoluteUri(value: string): boolean {
  if (!/^[A-Za-z][A-Za-z0-9+.-]*:/.test(value) || value.includes('#')) return false;
  try {
    new URL(value);
    return true;
  } catch {
    return false;
  }
}
