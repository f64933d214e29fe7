import { OptionsError } from '../errors.js';
import {
  httpsOrigin,
  presetJwtVerifier,
  presetOptions,
  requiredAudience,
  requiredText,
} from './options/preset-options.js';
import type { IdpPreset, PresetOverrides } from './preset.js';

/** Options of {@link workos}: an AuthKit domain for MCP, or a client id for AuthKit sessions. */
export type WorkosOptions = PresetOverrides &
  (
    | {
        /**
         * The AuthKit domain acting as the MCP authorization server, `acme.authkit.app` (or your
         * custom auth domain): the issuer, found by discovery.
         */
        readonly authkitDomain: string;
        /** The MCP resource indicator configured in WorkOS (this server's URL); AuthKit puts it in `aud`. */
        readonly audience: string | readonly string[];
        readonly clientId?: undefined;
      }
    | {
        /** The WorkOS client id (`client_...`) of AuthKit user-management sessions. */
        readonly clientId: string;
        /**
         * AuthKit session access tokens carry no `aud`; the issuer already names the client. Set
         * this only if a JWT template adds one.
         */
        readonly audience?: string | readonly string[];
        readonly authkitDomain?: undefined;
      }
  );

/**
 * WorkOS AuthKit, in one of two shapes:
 *
 * - `{ authkitDomain, audience }`: AuthKit as the OAuth authorization server of an MCP server
 *   (WorkOS Connect). Issuer `https://{authkitDomain}`, keys from the `jwks_uri` its RFC 8414
 *   metadata names, `aud` = the resource indicator, scopes from `scope`.
 * - `{ clientId }`: access tokens of AuthKit user sessions. Issuer
 *   `https://api.workos.com/user_management/{clientId}`, keys from
 *   `https://api.workos.com/sso/jwks/{clientId}`, no `aud` (unless `audience` is set), and the
 *   user's RBAC `permissions` as scopes (sessions have no OAuth scopes).
 *
 * RS256 in both.
 *
 * @example
 * ```ts
 * const idp = workos({ authkitDomain: 'acme.authkit.app', audience: 'https://mcp.example.com/mcp' });
 * ```
 */
export function workos(options: WorkosOptions): IdpPreset {
  const o = presetOptions('workos', options);
  if (o.authkitDomain !== undefined && o.clientId !== undefined) {
    throw new OptionsError(
      'authkitDomain',
      'workos: set either authkitDomain (MCP) or clientId (sessions), not both.',
    );
  }
  if (o.authkitDomain !== undefined) {
    const issuer = httpsOrigin('workos', 'authkitDomain', o.authkitDomain, 'acme.authkit.app');
    const verifier = presetJwtVerifier(
      {
        issuer,
        audience: requiredAudience('workos', o.audience, 'the MCP resource indicator configured in WorkOS'),
        discovery: true,
        algorithms: ['RS256'],
        scopeClaim: 'scope',
        clientIdClaim: ['client_id', 'azp'],
      },
      o,
    );
    return Object.freeze({ name: 'workos', issuer, authorizationServer: issuer, verifier });
  }
  const clientId = requiredText(
    'workos',
    'clientId',
    o.clientId,
    'a WorkOS client id like "client_01H..." (or set authkitDomain for MCP)',
    /^[A-Za-z0-9_]+$/,
  );
  const issuer = `https://api.workos.com/user_management/${clientId}`;
  const verifier = presetJwtVerifier(
    {
      issuer,
      audience:
        o.audience === undefined
          ? false
          : requiredAudience('workos', o.audience, 'the aud your JWT template adds'),
      jwksUri: `https://api.workos.com/sso/jwks/${clientId}`,
      algorithms: ['RS256'],
      scopeClaim: 'permissions',
      clientIdClaim: ['client_id', 'azp'],
    },
    o,
  );
  return Object.freeze({ name: 'workos', issuer, authorizationServer: issuer, verifier });
}
