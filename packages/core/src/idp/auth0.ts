import { httpsOrigin, presetJwtVerifier, presetOptions, requiredAudience } from './options/preset-options.js';
import type { IdpPreset, PresetOverrides } from './preset.js';

/** Options of {@link auth0}. */
export interface Auth0Options extends PresetOverrides {
  /** The tenant domain (`example.us.auth0.com`) or your custom domain, as tokens name it in `iss`. */
  readonly domain: string;
  /** The API identifier set in the Auth0 dashboard (APIs > Identifier); put your MCP server URL there. */
  readonly audience: string | readonly string[];
}

/**
 * Auth0. Issuer `https://{domain}/` (with the trailing slash Auth0 puts in `iss`), keys from
 * `https://{domain}/.well-known/jwks.json`, RS256/PS256. Scopes come from `scope`; the client is
 * `azp` (or `client_id` in RFC 9068-profile tokens). `aud` may be an array that also names
 * `https://{domain}/userinfo`; the token is accepted when one entry is the API identifier.
 *
 * With RBAC, Auth0 also adds `permissions` (every permission of the user, whatever the client
 * asked for), while `scope` holds only what was requested and granted. Valet reads `scope` so a
 * client gets no more than it was given; pass `scopeClaim: ['scope', 'permissions']` if your API
 * authorizes by the user's permissions instead.
 *
 * @example
 * ```ts
 * const idp = auth0({ domain: 'example.us.auth0.com', audience: 'https://mcp.example.com/mcp' });
 * ```
 */
export function auth0(options: Auth0Options): IdpPreset {
  const o = presetOptions('auth0', options);
  const origin = httpsOrigin('auth0', 'domain', o.domain, 'example.us.auth0.com');
  const issuer = `${origin}/`;
  const verifier = presetJwtVerifier(
    {
      issuer,
      audience: requiredAudience('auth0', o.audience, 'the API identifier of your Auth0 API'),
      jwksUri: `${origin}/.well-known/jwks.json`,
      algorithms: ['RS256', 'PS256'],
      scopeClaim: 'scope',
      clientIdClaim: ['azp', 'client_id'],
    },
    o,
  );
  return Object.freeze({ name: 'auth0', issuer, authorizationServer: issuer, verifier });
}
