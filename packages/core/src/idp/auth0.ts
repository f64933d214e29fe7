import { OptionsError } from '../errors.js';
import { httpsOrigin, presetJwtVerifier, presetOptions, requiredAudience } from './options/preset-options.js';
import type { IdpPreset, PresetOverrides } from './preset.js';

/** Options of {@link auth0}. */
export interface Auth0Options extends PresetOverrides {
  /** The tenant domain (`example.us.auth0.com`) or your custom domain, as tokens name it in `iss`. */
  readonly domain: string;
  /** The API identifier set in the Auth0 dashboard (APIs > Identifier); put your MCP server URL there. */
  readonly audience: string | readonly string[];
  /**
   * The API's access token profile (APIs > Settings > JSON Web Token (JWT) Profile): `'auth0'`
   * (Auth0's default; header `typ: JWT`, client in `azp`) or `'rfc9068'` (header
   * `typ: at+jwt`, client in `client_id`, `jti` present). Default `'auth0'`. With `'rfc9068'`
   * the `typ` check is strict.
   */
  readonly tokenProfile?: 'auth0' | 'rfc9068';
}

/**
 * Auth0. Issuer `https://{domain}/` (with the trailing slash Auth0 puts in `iss`), keys from
 * `https://{domain}/.well-known/jwks.json`, RS256/PS256. Scopes come from `scope`; the client is
 * `azp` (or `client_id` in RFC 9068-profile tokens).
 *
 * Audience: always checked. `aud` is the API identifier (`audience`), possibly in an array that
 * also names `https://{domain}/userinfo`; the token is accepted when one entry is the identifier.
 *
 * `typ`: Auth0's default token profile sends `typ: JWT`, so the header is not checked; with
 * `tokenProfile: 'rfc9068'` Auth0 sends `at+jwt` and the preset requires it (RFC 9068 section 4).
 * `typ: 'at+jwt'` with the Auth0 profile is refused at construction: it would refuse every token.
 *
 * With RBAC, Auth0 also adds `permissions` (every permission of the user, whatever the client
 * asked for), while `scope` holds only what was requested and granted. Valet reads `scope` so a
 * client gets no more than it was given; pass `scopeClaim: ['scope', 'permissions']` if your API
 * authorizes by the user's permissions instead.
 *
 * @example
 * ```ts
 * const idp = auth0({
 *   domain: 'example.us.auth0.com',
 *   audience: 'https://mcp.example.com/mcp',
 *   tokenProfile: 'rfc9068',
 * });
 * ```
 */
export function auth0(options: Auth0Options): IdpPreset {
  const o = presetOptions('auth0', options);
  const origin = httpsOrigin('auth0', 'domain', o.domain, 'example.us.auth0.com');
  const profile = o.tokenProfile ?? 'auth0';
  if (profile !== 'auth0' && profile !== 'rfc9068') {
    throw new OptionsError('tokenProfile', 'auth0: tokenProfile must be "auth0" or "rfc9068".');
  }
  if (profile === 'auth0' && o.typ === 'at+jwt') {
    throw new OptionsError(
      'typ',
      'auth0: typ "at+jwt" contradicts tokenProfile "auth0" (Auth0-profile tokens carry typ JWT); ' +
        'set tokenProfile: "rfc9068" if the API uses the RFC 9068 profile.',
    );
  }
  const rfc9068 = profile === 'rfc9068';
  const issuer = `${origin}/`;
  const verifier = presetJwtVerifier(
    {
      issuer,
      audience: requiredAudience('auth0', o.audience, 'the API identifier of your Auth0 API'),
      jwksUri: `${origin}/.well-known/jwks.json`,
      algorithms: ['RS256', 'PS256'],
      scopeClaim: 'scope',
      clientIdClaim: rfc9068 ? ['client_id', 'azp'] : ['azp', 'client_id'],
      ...(rfc9068 ? { typ: 'at+jwt' as const } : {}),
    },
    o,
  );
  return Object.freeze({ name: 'auth0', issuer, authorizationServer: issuer, verifier });
}
