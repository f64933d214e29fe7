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
        readonly authkitDomain: string;
        /**
         * The environment's client id (`client_...`), for an environment with no MCP resource
         * indicator configured: AuthKit then puts this id in `aud` and ignores the `resource`
         * parameter. Prefer configuring a resource indicator and passing `audience`.
         */
        readonly clientId: string;
        readonly audience?: undefined;
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

const CLIENT_ID = /^[A-Za-z0-9_]+$/;

/**
 * WorkOS AuthKit, in one of two shapes:
 *
 * - `{ authkitDomain, audience }`: AuthKit as the OAuth authorization server of an MCP server
 *   (WorkOS Connect). Issuer `https://{authkitDomain}`, keys from the `jwks_uri` its RFC 8414
 *   metadata names, scopes from `scope`. Audience checked: AuthKit puts the requested MCP
 *   resource indicator in `aud`. In an environment with no resource indicator configured,
 *   AuthKit puts the environment's client id in `aud` instead: pass `{ authkitDomain, clientId }`
 *   and that id is the audience checked (weaker: every token of the environment carries it).
 * - `{ clientId }`: access tokens of AuthKit user sessions. Issuer
 *   `https://api.workos.com/user_management/{clientId}`, keys from
 *   `https://api.workos.com/sso/jwks/{clientId}`, and the user's RBAC `permissions` as scopes
 *   (sessions have no OAuth scopes). WorkOS puts no `aud` in session tokens, so the audience
 *   check is off unless `audience` is set (a JWT template that adds `aud`); what pins the
 *   application instead is `iss`, which embeds `clientId`.
 *
 * `typ` is not checked in either shape: WorkOS does not document an `at+jwt` header on its
 * access tokens; pass `typ: 'at+jwt'` if yours carry it. RS256 in both.
 *
 * @example
 * ```ts
 * const idp = workos({ authkitDomain: 'acme.authkit.app', audience: 'https://mcp.example.com/mcp' });
 * ```
 */
export function workos(options: WorkosOptions): IdpPreset {
  const o = presetOptions('workos', options);
  if (o.authkitDomain !== undefined) {
    const issuer = httpsOrigin('workos', 'authkitDomain', o.authkitDomain, 'acme.authkit.app');
    if (o.clientId !== undefined && o.audience !== undefined) {
      throw new OptionsError(
        'clientId',
        'workos: with authkitDomain set audience (the MCP resource indicator) or clientId (the aud ' +
          'AuthKit uses when no resource indicator is configured), not both: ' +
          'once a resource indicator is configured, tokens no longer carry the client id in aud.',
      );
    }
    const audience =
      o.clientId === undefined
        ? requiredAudience(
            'workos',
            o.audience,
            'the MCP resource indicator configured in WorkOS (or clientId when none is configured)',
          )
        : requiredText(
            'workos',
            'clientId',
            o.clientId,
            'a WorkOS client id like "client_01H..."',
            CLIENT_ID,
          );
    const verifier = presetJwtVerifier(
      {
        issuer,
        audience,
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
    CLIENT_ID,
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
