import {
  presetJwtVerifier,
  presetOptions,
  requiredAudience,
  requiredText,
} from './options/preset-options.js';
import type { IdpPreset, PresetOverrides } from './preset.js';

/** Options of {@link oidc}. */
export interface OidcOptions extends PresetOverrides {
  /** The issuer identifier, exactly as tokens carry it in `iss` (a trailing slash matters). */
  readonly issuer: string;
  /** This resource, as tokens name it in `aud` (the MCP server URL, RFC 8707). */
  readonly audience: string | readonly string[];
  /** The metadata document URL, when it is not at the well-known locations derived from the issuer. */
  readonly discovery?: string | URL;
  /** Claims naming the client. Default `['client_id', 'azp']`. */
  readonly clientIdClaim?: string | readonly string[];
}

/**
 * Any OAuth 2.0 / OpenID Connect authorization server, by discovery: the JWKS URL comes from
 * its RFC 8414 metadata (`/.well-known/oauth-authorization-server`) or its OpenID Provider
 * metadata (`/.well-known/openid-configuration`), fetched on first use, and the document's
 * `issuer` must equal the configured one. Scopes come from `scope` unless `scopeClaim` says
 * otherwise. Use it for oidc-provider, Ory Hydra, Authentik, ZITADEL, Logto, Descope and others
 * that issue JWT access tokens.
 *
 * Audience: always checked; `aud` must name `audience` (RFC 9068 section 4, RFC 8707).
 *
 * `typ`: strict by default. RFC 9068 section 4 says a resource server MUST refuse a JWT access
 * token whose `typ` header is not `at+jwt`, and servers that implement the profile send it
 * (oidc-provider does). For a server that sends `typ: JWT` or none, pass `typ: false`: the
 * audience, issuer and signature checks stay on, but an ID token of the same issuer whose `aud`
 * happens to be this resource is then no longer told apart by its header.
 *
 * @example
 * ```ts
 * const idp = oidc({ issuer: 'https://auth.example.com', audience: 'https://mcp.example.com/mcp' });
 * ```
 */
export function oidc(options: OidcOptions): IdpPreset {
  const o = presetOptions('oidc', options);
  const issuer = requiredText('oidc', 'issuer', o.issuer, 'the issuer URL of the authorization server');
  const verifier = presetJwtVerifier(
    {
      issuer,
      audience: requiredAudience('oidc', o.audience, "this server's URL, as tokens name it in aud"),
      discovery: o.discovery ?? true,
      typ: 'at+jwt',
      scopeClaim: 'scope',
      clientIdClaim: o.clientIdClaim ?? ['client_id', 'azp'],
    },
    o,
  );
  return Object.freeze({ name: 'oidc', issuer, authorizationServer: issuer, verifier });
}
