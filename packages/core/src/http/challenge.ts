import { OptionsError, type ChallengeParams, type ValetError } from '../errors.js';
import { isRealm, quotedString, toChallengeText } from './syntax/http-auth-param.js';
import { isScopeToken } from './syntax/scope-token.js';
import { secureUrl } from '../lib/secure-url.js';

/** Server-wide parts of every `WWW-Authenticate: Bearer` challenge. */
export interface ChallengeOptions {
  /** RFC 6750 `realm`; printable ASCII. Omitted when not set. */
  readonly realm?: string;
  /**
   * RFC 9728 section 5.1 `resource_metadata`: the URL of the protected resource metadata
   * (see {@link protectedResourceMetadataUrl}). MCP clients start discovery from it.
   */
  readonly resourceMetadata?: string | URL;
  /**
   * Scopes named in a challenge whose error carries none (a missing or invalid token), so a
   * client knows what to ask for; typically `catalog.basicScopes()`.
   */
  readonly defaultScope?: readonly string[];
}

/** Used only when a challenge would otherwise carry no auth-param, which RFC 6750 section 3 forbids. */
const FALLBACK_REALM = 'api';

/** Options objects returned by {@link validateChallengeOptions}, so a render does not check them again. */
const validated = new WeakSet<ChallengeOptions>();
const NO_OPTIONS: ChallengeOptions = Object.freeze({});
validated.add(NO_OPTIONS);

/**
 * Checks challenge options once, at start-up: throws {@link OptionsError} naming `realm`
 * (not printable ASCII), `resourceMetadata` (not an absolute https URL, or http on loopback) or
 * `defaultScope` (not RFC 6749 scope tokens). Returns them normalised and frozen; adapters call
 * it in their constructor so that a bad option never surfaces as a failed 401.
 *
 * @example
 * ```ts
 * const challenge = validateChallengeOptions({
 *   resourceMetadata: protectedResourceMetadataUrl('https://api.example.com/mcp'),
 * });
 * ```
 */
export function validateChallengeOptions(options: ChallengeOptions = NO_OPTIONS): ChallengeOptions {
  if (validated.has(options)) return options;
  const { realm, resourceMetadata, defaultScope } = options;
  if (realm !== undefined && (typeof realm !== 'string' || !isRealm(realm))) {
    throw new OptionsError('realm', 'realm must be a string of printable ASCII characters (no line breaks).');
  }
  if (defaultScope !== undefined && (!Array.isArray(defaultScope) || !defaultScope.every(isScopeToken))) {
    throw new OptionsError(
      'defaultScope',
      'defaultScope must be an array of scope tokens: printable ASCII without spaces, `"` or `\\` (RFC 6749 section 3.3).',
    );
  }
  const checked: ChallengeOptions = Object.freeze({
    ...(realm === undefined ? {} : { realm }),
    ...(resourceMetadata === undefined
      ? {}
      : { resourceMetadata: secureUrl('resourceMetadata', resourceMetadata).href }),
    ...(defaultScope === undefined ? {} : { defaultScope: Object.freeze([...defaultScope]) }),
  });
  validated.add(checked);
  return checked;
}

/**
 * Renders a `WWW-Authenticate` value (RFC 6750 section 3, RFC 9728 section 5.1):
 * `Bearer realm="..", error="..", error_description="..", scope="a b", resource_metadata=".."`,
 * in that order, each auth-param present only when it has a value.
 *
 * Header injection is impossible: `error` and `error_description` are reduced to the
 * characters RFC 6750 allows (control characters and line breaks become spaces, `"` becomes
 * `'`, `\` becomes `/`, accents are dropped, other non-ASCII becomes `?`; descriptions are cut
 * at 512 characters); scopes that are not RFC 6749 scope tokens are left out; every value is a
 * quoted-string. A challenge with nothing else to say gets `realm="api"`, because RFC 6750
 * requires at least one auth-param. Throws {@link OptionsError} for invalid options.
 *
 * @example
 * ```ts
 * renderChallenge({ error: 'insufficient_scope', scope: ['files:write'] }, { realm: 'files' });
 * // 'Bearer realm="files", error="insufficient_scope", scope="files:write"'
 * ```
 */
export function renderChallenge(params: ChallengeParams, options?: ChallengeOptions): string {
  const { realm, resourceMetadata, defaultScope } = validateChallengeOptions(options);
  const parts: string[] = [];
  if (realm !== undefined) parts.push(`realm=${quotedString(realm)}`);
  if (params.error !== undefined) parts.push(`error=${quotedString(toChallengeText(params.error))}`);
  if (params.errorDescription !== undefined) {
    const description = toChallengeText(params.errorDescription);
    if (description !== '') parts.push(`error_description=${quotedString(description)}`);
  }
  const scope = scopeValue(params.scope?.length ? params.scope : (defaultScope ?? []));
  if (scope !== '') parts.push(`scope=${quotedString(scope)}`);
  if (resourceMetadata !== undefined)
    parts.push(`resource_metadata=${quotedString(String(resourceMetadata))}`);
  if (parts.length === 0) parts.push(`realm=${quotedString(FALLBACK_REALM)}`);
  return `Bearer ${parts.join(', ')}`;
}

/**
 * The `WWW-Authenticate` value for an error, from its `challenge`; `undefined` for errors that
 * have none (`ForbiddenError`, `PolicyConfigError`, `OptionsError`): answer those without a
 * challenge. A {@link MissingTokenError} gets no `error` (RFC 6750 section 3.1).
 *
 * @example
 * ```ts
 * res.setHeader('www-authenticate', challengeFor(new InvalidTokenError('expired', 'Token expired'))!);
 * ```
 */
export function challengeFor(error: ValetError, options?: ChallengeOptions): string | undefined {
  const params = error.challenge;
  return params === undefined ? undefined : renderChallenge(params, options);
}

function scopeValue(scopes: readonly string[]): string {
  return [...new Set(scopes.filter(isScopeToken))].join(' ');
}
