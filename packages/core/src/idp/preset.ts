import type { JwksOptions } from '../verify/jwks.js';
import type { ScopeClaim } from '../verify/scope-claims.js';
import type { TokenVerifier } from '../verify/token-verifier.js';

/**
 * What an IdP preset returns: a verifier configured for that provider's access tokens, plus
 * the URLs a resource server publishes about it. Swapping IdP is swapping one function call.
 *
 * @example
 * ```ts
 * const idp = auth0({ domain: 'example.us.auth0.com', audience: 'https://mcp.example.com/mcp' });
 * protectedResourceMetadata({ resource, authorizationServers: [idp.authorizationServer] });
 * const principal = await idp.verifier.verify(token);
 * ```
 */
export interface IdpPreset {
  /** The provider, e.g. `'auth0'`, `'entra'`; for logs and diagnostics. */
  readonly name: string;
  /**
   * The issuer identifier its tokens carry in `iss`. For a multi-tenant preset this is a
   * template (Entra's `https://login.microsoftonline.com/{tenantid}/v2.0`); see `matchesIssuer`.
   */
  readonly issuer: string;
  /** The authorization server URL for RFC 9728 `authorization_servers`. */
  readonly authorizationServer: string;
  /** Verifies the provider's access tokens for the configured audience. */
  readonly verifier: TokenVerifier;
  /**
   * Whether a token with this unverified `iss` belongs to this preset, for presets whose
   * issuer is not one fixed string. {@link MultiIssuerVerifier} routes with it; the verifier
   * still verifies `iss` itself.
   */
  readonly matchesIssuer?: (iss: string) => boolean;
}

/**
 * Settings every preset takes besides its own. The defaults are each provider's documented
 * values; override them for a proxy, a sovereign cloud, a test JWKS server, or tuning. The
 * issuer check is never relaxed by these: a token must still carry the provider's issuer.
 */
export interface PresetOverrides {
  /**
   * Fetch signing keys from this URL instead of the provider's documented JWKS URL (a caching
   * proxy, or a local JWKS server in tests). `http:` only on localhost.
   */
  readonly jwksUri?: string | URL;
  /** The fetch implementation for keys and discovery. Default the global `fetch`. */
  readonly fetch?: typeof fetch;
  /** Where the scopes are. Default: the provider's scope claim, documented on each preset. */
  readonly scopeClaim?: ScopeClaim;
  /** Accepted algorithms. Default: what the provider signs access tokens with. */
  readonly algorithms?: readonly string[];
  /** Leeway in seconds for `exp`, `nbf`, `iat`. Default 5. */
  readonly clockTolerance?: number;
  /** Claims every token must have, on top of the preset's. */
  readonly requiredClaims?: readonly string[];
  /** Timing of the remote key set. */
  readonly jwks?: JwksOptions;
  /**
   * The RFC 9068 check of the JWT `typ` header. Default: `'at+jwt'` (strict) where the provider
   * marks its access tokens so, unchecked where it sends `JWT` or nothing; each preset says
   * which. `false` turns a strict default off (a server that does not send `at+jwt`);
   * `'at+jwt'` turns it on where the provider can be told to send it. Asking for `'at+jwt'`
   * from a provider that never sends it is refused at construction, since it would refuse
   * every token.
   */
  readonly typ?: 'at+jwt' | false;
}
