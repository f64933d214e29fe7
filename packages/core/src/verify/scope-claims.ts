import type { JWTPayload } from 'jose';
import { InvalidTokenError, OptionsError } from '../errors.js';

/**
 * Where a token carries its scopes:
 *
 * - `'scope'`: a space-separated string (RFC 9068, RFC 8693; Keycloak, Auth0, oidc-provider);
 * - `'scp'`: an array of strings (Okta) or a space-separated string (Entra ID delegated tokens);
 * - `'permissions'`: an array of strings (Auth0 RBAC);
 * - `'roles'`: an array of strings (Entra ID application permissions);
 * - any other claim name: a space-separated string or an array of strings;
 * - a list of those: the scopes of every listed claim, merged;
 * - a function from the verified claims to the scopes, for anything else.
 *
 * A claim that is absent grants nothing; a claim of the wrong type refuses the token with
 * `invalid_claim`, since a token that does not say clearly what it grants grants nothing safely.
 */
export type ScopeClaim =
  | 'scope'
  | 'scp'
  | 'permissions'
  | 'roles'
  | (string & {})
  | readonly string[]
  | ((claims: JWTPayload) => Iterable<string>);

/** Reads the granted scopes from verified claims; throws `InvalidTokenError('invalid_claim')`. */
export type ScopeReader = (claims: JWTPayload) => readonly string[];

type ClaimShape = 'string' | 'array' | 'either';

const SHAPES: Readonly<Record<string, ClaimShape>> = {
  scope: 'string',
  scp: 'either',
  permissions: 'array',
  roles: 'array',
};

const SHAPE_TEXT: Readonly<Record<ClaimShape, string>> = {
  string: 'a space-separated string',
  array: 'an array of strings',
  either: 'a space-separated string or an array of strings',
};

function invalid(claim: string, shape: ClaimShape, cause?: unknown): InvalidTokenError {
  return new InvalidTokenError('invalid_claim', `The "${claim}" claim must be ${SHAPE_TEXT[shape]}.`, {
    claim,
    cause,
  });
}

function claimReader(claim: string): (claims: JWTPayload, into: Set<string>) => void {
  const shape = SHAPES[claim] ?? 'either';
  return (claims, into) => {
    const value = claims[claim];
    if (value === undefined) return;
    if (typeof value === 'string' && shape !== 'array') {
      // A plain-string split, cheaper than a regular expression; empty pieces (runs of spaces) are skipped.
      for (const scope of value.split(' ')) if (scope !== '') into.add(scope);
      return;
    }
    if (Array.isArray(value) && shape !== 'string') {
      for (const scope of value) {
        if (typeof scope !== 'string') throw invalid(claim, shape);
        if (scope !== '') into.add(scope);
      }
      return;
    }
    throw invalid(claim, shape);
  };
}

function functionReader(read: (claims: JWTPayload) => Iterable<string>): ScopeReader {
  return (claims) => {
    let scopes: string[];
    try {
      scopes = [...read(claims)];
    } catch (cause) {
      if (cause instanceof InvalidTokenError) throw cause;
      throw new InvalidTokenError('invalid_claim', 'The scopeClaim function could not read the scopes.', {
        cause,
      });
    }
    if (scopes.some((scope) => typeof scope !== 'string')) {
      throw new InvalidTokenError(
        'invalid_claim',
        'The scopeClaim function returned a scope that is not a string.',
      );
    }
    return scopes;
  };
}

/**
 * Builds the reader for a {@link ScopeClaim} setting, validated once. `field` names the option
 * in the `OptionsError` thrown for a bad setting.
 *
 * @example
 * ```ts
 * const read = scopeClaimReader(['scp', 'roles']);
 * read({ scp: 'files:read', roles: ['admin'] }); // ['files:read', 'admin']
 * ```
 */
export function scopeClaimReader(setting: ScopeClaim = 'scope', field = 'scopeClaim'): ScopeReader {
  if (typeof setting === 'function') return functionReader(setting);
  const names: readonly unknown[] = typeof setting === 'string' ? [setting] : setting;
  if (!Array.isArray(names) || names.length === 0) {
    throw new OptionsError(
      field,
      `${field} must be a claim name, a non-empty list of claim names or a function.`,
    );
  }
  for (const name of names) {
    if (typeof name !== 'string' || name === '') {
      throw new OptionsError(field, `${field} must list claim names as non-empty strings.`);
    }
  }
  const readers = [...new Set(names as string[])].map(claimReader);
  return (claims) => {
    const into = new Set<string>();
    for (const read of readers) read(claims, into);
    return [...into];
  };
}
