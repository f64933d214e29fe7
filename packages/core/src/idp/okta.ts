import { oktaIssuer, type OktaAuthorizationServer } from './options/okta-issuer.js';
import {
  presetJwtVerifier,
  presetOptions,
  refuseStrictTyp,
  requiredAudience,
} from './options/preset-options.js';
import type { IdpPreset, PresetOverrides } from './preset.js';

/** Options of {@link okta}: the issuer, or the domain and the authorization server id. */
export type OktaOptions = PresetOverrides & {
  /** The audience configured on the authorization server (`api://default` by default in Okta). */
  readonly audience: string | readonly string[];
} & OktaAuthorizationServer;

/**
 * Okta, with a custom authorization server (the `default` one, or one you created). Issuer
 * `https://{domain}/oauth2/{authorizationServerId}`, keys from `{issuer}/v1/keys`, RS256.
 * Scopes are the `scp` array; the client is `cid` (`uid` is the user id, `sub` the login).
 *
 * Audience: always checked. `aud` is the authorization server's Audience setting
 * (`audience`); Okta sets it per authorization server, not from an RFC 8707 `resource`.
 *
 * `typ`: not checked. Okta's custom authorization servers put no `typ` in the header of their
 * access tokens (Okta support, "The typ field is missing from the access token header"), so
 * `typ: 'at+jwt'` is refused at construction.
 *
 * Okta's org authorization server (issuer `https://{domain}`) is refused: its access tokens are
 * meant for Okta's own APIs, and Okta documents that resource servers cannot validate them.
 *
 * @example
 * ```ts
 * const idp = okta({ domain: 'dev-123456.okta.com', authorizationServerId: 'default', audience: 'api://default' });
 * ```
 */
export function okta(options: OktaOptions): IdpPreset {
  const o = presetOptions('okta', options);
  refuseStrictTyp('okta', o, 'custom authorization servers send no typ header');
  const issuer = oktaIssuer('okta', o);
  const verifier = presetJwtVerifier(
    {
      issuer,
      audience: requiredAudience(
        'okta',
        o.audience,
        "the authorization server's audience, e.g. api://default",
      ),
      jwksUri: `${issuer}/v1/keys`,
      algorithms: ['RS256'],
      scopeClaim: 'scp',
      clientIdClaim: ['cid', 'client_id'],
    },
    o,
  );
  return Object.freeze({ name: 'okta', issuer, authorizationServer: issuer, verifier });
}
