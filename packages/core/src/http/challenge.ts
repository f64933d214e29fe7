import { OptionsError, type ChallengeParams, type ChallengeScheme, type ValetError } from '../errors.js';
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
  /**
   * DPoP (RFC 9449) as the resource accepts it. Absent: `Bearer` challenges only. Given: a 401
   * carries a `Bearer` and a `DPoP algs="..."` challenge (section 7.1), or, with `required`, only
   * the `DPoP` one; an error answering a DPoP request is written in the `DPoP` scheme.
   */
  readonly dpop?: {
    /** The JWS algorithms accepted for DPoP proofs: the `algs` auth-param. */
    readonly algorithms: readonly string[];
    /** True when Bearer tokens are refused: every challenge is in the `DPoP` scheme. */
    readonly required?: boolean;
  };
}

/** An RFC 7518 `alg` name as `algs` may list it (RFC 9449 section 7.1: space-delimited). */
const ALG_NAME = /^[A-Za-z0-9+.\-_]+$/;

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
  const { realm, resourceMetadata, defaultScope, dpop } = options;
  if (
    dpop !== undefined &&
    (typeof dpop !== 'object' ||
      dpop === null ||
      !Array.isArray(dpop.algorithms) ||
      dpop.algorithms.length === 0 ||
      !dpop.algorithms.every((alg) => typeof alg === 'string' && ALG_NAME.test(alg)))
  ) {
    throw new OptionsError(
      'dpop.algorithms',
      'dpop.algorithms must be a non-empty array of JWS algorithm names.',
    );
  }
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
    ...(dpop === undefined
      ? {}
      : {
          dpop: Object.freeze({
            algorithms: Object.freeze([...dpop.algorithms]),
            required: dpop.required === true,
          }),
        }),
  });
  validated.add(checked);
  return checked;
}

/**
 * Renders a `WWW-Authenticate` challenge (RFC 6750 section 3, RFC 9728 section 5.1):
 * `Bearer realm="..", error="..", error_description="..", scope="a b", resource_metadata=".."`,
 * in that order, each auth-param present only when it has a value. With `params.scheme` `DPoP`,
 * the challenge is in the `DPoP` scheme (RFC 9449 section 7.1) and carries `algs` when
 * `options.dpop` gives them.
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
  return render(params.scheme ?? 'Bearer', params, validateChallengeOptions(options));
}

/**
 * The `WWW-Authenticate` value for an error, from its `challenge`; `undefined` for errors that
 * have none (`ForbiddenError`, `PolicyConfigError`, `OptionsError`): answer those without a
 * challenge. A {@link MissingTokenError} gets no `error` (RFC 6750 section 3.1).
 *
 * With `options.dpop`, a 401 carries two challenges in one value, `Bearer` first (MCP clients
 * read the first one): `Bearer ..., DPoP algs="..." ...`, the error on the scheme the request
 * used (RFC 9449 section 7.1, RFC 9110 section 11.6.1); with `dpop.required`, only the `DPoP` one.
 * Other statuses carry one challenge, in the scheme the request used.
 *
 * @example
 * ```ts
 * res.setHeader('www-authenticate', challengeFor(new InvalidTokenError('expired', 'Token expired'))!);
 * ```
 */
export function challengeFor(error: ValetError, options?: ChallengeOptions): string | undefined {
  const params = error.challenge;
  if (params === undefined) return undefined;
  const checked = validateChallengeOptions(options);
  const { dpop } = checked;
  if (dpop?.required === true) return render('DPoP', params, checked);
  const scheme = params.scheme ?? 'Bearer';
  if (dpop === undefined || error.status !== 401) return render(scheme, params, checked);
  const quiet: ChallengeParams = params.scope === undefined ? {} : { scope: params.scope };
  return `${render('Bearer', scheme === 'Bearer' ? params : quiet, checked)}, ${render(
    'DPoP',
    scheme === 'DPoP' ? params : quiet,
    checked,
  )}`;
}

function render(scheme: ChallengeScheme, params: ChallengeParams, options: ChallengeOptions): string {
  const { realm, resourceMetadata, defaultScope, dpop } = options;
  const parts: string[] = [];
  if (realm !== undefined) parts.push(`realm=${quotedString(realm)}`);
  if (params.error !== undefined) parts.push(`error=${quotedString(toChallengeText(params.error))}`);
  if (params.errorDescription !== undefined) {
    const description = toChallengeText(params.errorDescription);
    if (description !== '') parts.push(`error_description=${quotedString(description)}`);
  }
  const scope = scopeValue(params.scope?.length ? params.scope : (defaultScope ?? []));
  if (scope !== '') parts.push(`scope=${quotedString(scope)}`);
  if (scheme === 'DPoP' && dpop !== undefined) parts.push(`algs=${quotedString(dpop.algorithms.join(' '))}`);
  if (resourceMetadata !== undefined)
    parts.push(`resource_metadata=${quotedString(String(resourceMetadata))}`);
  if (parts.length === 0) parts.push(`realm=${quotedString(FALLBACK_REALM)}`);
  return `${scheme} ${parts.join(', ')}`;
}

function scopeValue(scopes: readonly string[]): string {
  return [...new Set(scopes.filter(isScopeToken))].join(' ');
}
