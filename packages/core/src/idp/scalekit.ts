import {
  httpsOrigin,
  presetJwtVerifier,
  presetOptions,
  requiredAudience,
  requiredText,
} from './options/preset-options.js';
import type { IdpPreset, PresetOverrides } from './preset.js';

/** Options of {@link scalekit}. */
export interface ScalekitOptions extends PresetOverrides {
  /** The environment URL from Settings > API credentials, `https://acme.scalekit.dev` (or your custom domain). */
  readonly environmentUrl: string;
  /**
   * What the tokens name in `aud`: for an MCP server registered in Scalekit, its resource id
   * (`res_...`); for M2M API clients, what your API expects. Default: `resourceId`.
   */
  readonly audience?: string | readonly string[];
  /**
   * The MCP server's resource id (`res_...`). When set, `authorizationServer` is
   * `{environmentUrl}/resources/{resourceId}`, the authorization server Scalekit runs for that
   * MCP server (what MCP clients discover); otherwise the environment URL.
   */
  readonly resourceId?: string;
}

/**
 * Scalekit. Issuer: the environment URL (no trailing slash); keys from `{environmentUrl}/keys`,
 * RS256. Scopes are the `scope` string (MCP servers) and the `scopes` array (M2M clients); the
 * client is `client_id`.
 *
 * Audience: always checked. Scalekit puts the registered MCP server's resource id in `aud`, so
 * `audience` defaults to `resourceId`; one of the two is required.
 *
 * `typ`: not checked. Scalekit does not document an `at+jwt` header on its access tokens; pass
 * `typ: 'at+jwt'` if yours carry it.
 *
 * @example
 * ```ts
 * const idp = scalekit({
 *   environmentUrl: 'https://acme.scalekit.dev',
 *   resourceId: 'res_1234567890', // also the audience checked
 * });
 * ```
 */
export function scalekit(options: ScalekitOptions): IdpPreset {
  const o = presetOptions('scalekit', options);
  const issuer = httpsOrigin('scalekit', 'environmentUrl', o.environmentUrl, 'acme.scalekit.dev');
  const resourceId =
    o.resourceId === undefined
      ? undefined
      : requiredText(
          'scalekit',
          'resourceId',
          o.resourceId,
          'a resource id like "res_1234567890"',
          /^[A-Za-z0-9_-]+$/,
        );
  const verifier = presetJwtVerifier(
    {
      issuer,
      audience: requiredAudience(
        'scalekit',
        o.audience ?? resourceId,
        'the resource id (res_...) or API audience tokens carry; set resourceId or audience',
      ),
      jwksUri: `${issuer}/keys`,
      algorithms: ['RS256'],
      scopeClaim: ['scope', 'scopes'],
      clientIdClaim: ['client_id', 'azp'],
    },
    o,
  );
  const authorizationServer = resourceId === undefined ? issuer : `${issuer}/resources/${resourceId}`;
  return Object.freeze({ name: 'scalekit', issuer, authorizationServer, verifier });
}
