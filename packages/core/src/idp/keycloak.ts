import { InvalidTokenError, OptionsError } from '../errors.js';
import {
  presetJwtVerifier,
  presetOptions,
  requiredAudience,
  requiredText,
} from './options/preset-options.js';
import { secureUrl } from '../lib/secure-url.js';
import type { IdpPreset, PresetOverrides } from './preset.js';

/** Options of {@link keycloak}. */
export interface KeycloakOptions extends PresetOverrides {
  /** The server URL, `https://sso.example.com` (with `/auth` for Keycloak before 17). `http:` only on localhost. */
  readonly url: string;
  /** The realm name. */
  readonly realm: string;
  /** The `aud` your audience mapper adds: this MCP server's URL. */
  readonly audience: string | readonly string[];
}

/**
 * Keycloak. Issuer `{url}/realms/{realm}`, keys from `{issuer}/protocol/openid-connect/certs`,
 * RS256/PS256/ES256. Scopes are the `scope` string; the client is `azp`. Keycloak marks its tokens
 * with a `typ` claim: only `Bearer` (access tokens) is accepted, so an ID or refresh token of the
 * same realm is refused as `wrong_type`.
 *
 * Keycloak's access tokens do not name your server in `aud` by default (they carry `account`):
 * add an Audience mapper (Client scopes > dedicated scope > Add mapper > Audience, "Included
 * Custom Audience" = this server's URL) to the client scope MCP clients receive. The audience
 * check is always on: `aud` must name `audience`.
 *
 * `typ` header: not checked by default. Keycloak sends `typ: JWT` on access tokens unless a
 * client's OpenID Connect compatibility setting switches it to `at+jwt` (off by default, added
 * in keycloak/keycloak#37573); once every MCP client has it on, pass `typ: 'at+jwt'`.
 *
 * @example
 * ```ts
 * const idp = keycloak({ url: 'https://sso.example.com', realm: 'acme', audience: 'https://mcp.example.com/mcp' });
 * ```
 */
export function keycloak(options: KeycloakOptions): IdpPreset {
  const o = presetOptions('keycloak', options);
  const base = secureUrl('url', requiredText('keycloak', 'url', o.url, 'the Keycloak server URL'));
  if (base.search !== '') throw new OptionsError('url', 'keycloak: url must not have a query.');
  const realm = requiredText('keycloak', 'realm', o.realm, 'the realm name', /^[^/?#\s]+$/);
  const issuer = `${base.origin}${base.pathname.replace(/\/$/, '')}/realms/${encodeURIComponent(realm)}`;
  const verifier = presetJwtVerifier(
    {
      issuer,
      audience: requiredAudience(
        'keycloak',
        o.audience,
        "this server's URL, added to tokens by an Audience mapper",
      ),
      jwksUri: `${issuer}/protocol/openid-connect/certs`,
      algorithms: ['RS256', 'PS256', 'ES256'],
      scopeClaim: 'scope',
      clientIdClaim: ['azp', 'client_id'],
      validate: (claims) => {
        if (claims['typ'] !== undefined && claims['typ'] !== 'Bearer') {
          throw new InvalidTokenError(
            'wrong_type',
            'The token is not a Keycloak access token (typ is not Bearer).',
            {
              claim: 'typ',
            },
          );
        }
      },
    },
    o,
  );
  return Object.freeze({ name: 'keycloak', issuer, authorizationServer: issuer, verifier });
}
