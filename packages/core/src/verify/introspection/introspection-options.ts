import { OptionsError } from '../../errors.js';
import { audienceMatcher, type AudienceMatcher } from '../audience.js';
import {
  nonEmptyString,
  positiveNumber,
  requiredOption,
  stringList as checkedStrings,
} from '../../lib/option-checks.js';

/**
 * The `clientAuth` option as given, before it is known to be an `IntrospectionClientAuth`: typed
 * here rather than imported, so that this file and introspection-verifier.ts import in one
 * direction only.
 */
interface GivenClientAuth {
  readonly method?: unknown;
  readonly token?: unknown;
  readonly clientId?: unknown;
  readonly clientSecret?: unknown;
}

/** `clientAuth`, checked: a known method with its credentials. Returns it as given. */
export function checkClientAuth<A>(auth: A): A {
  if (auth === null || typeof auth !== 'object') {
    throw new OptionsError(
      'clientAuth',
      'clientAuth is required: { clientId, clientSecret } or { method: "bearer", token }.',
    );
  }
  const { method, token, clientId, clientSecret } = auth as GivenClientAuth;
  if (method === 'bearer') {
    if (!(typeof token === 'function' || (typeof token === 'string' && token.length > 0))) {
      throw new OptionsError(
        'clientAuth.token',
        'clientAuth.token must be a non-empty string or a function returning one.',
      );
    }
    return auth;
  }
  if (method !== undefined && method !== 'client_secret_basic' && method !== 'client_secret_post') {
    throw new OptionsError(
      'clientAuth.method',
      'clientAuth.method must be "client_secret_basic", "client_secret_post" or "bearer".',
    );
  }
  nonEmptyString('clientAuth.clientId', clientId);
  nonEmptyString('clientAuth.clientSecret', clientSecret);
  return auth;
}

/** `audience`, required: compiled to a matcher, or `false` (explicit opt-out). */
export function checkAudience(audience: string | readonly string[] | false): AudienceMatcher | false {
  if (audience === false) return false;
  const given = requiredOption(
    'audience',
    audience,
    "this resource's URL, so tokens for other resources are refused (or false to opt out)",
  );
  return audienceMatcher(checkedStrings('audience', given));
}

/** `requiredScopes`: single scope tokens. */
export function checkScopes(scopes: readonly string[]): readonly string[] {
  const list = checkedStrings('requiredScopes', scopes, { allowEmpty: true });
  if (list.some((scope) => /\s/.test(scope))) {
    throw new OptionsError('requiredScopes', 'requiredScopes must list single scopes, without spaces.');
  }
  return list;
}

// `stringList` and `positive` remain only because introspection-verifier.ts imports them in this
// argument order; once it calls option-checks.ts directly, they can go.

/** One non-empty string or a list of them (empty list only with `allowEmpty`), frozen, without repeats. */
export function stringList(
  value: string | readonly string[],
  field: string,
  allowEmpty = false,
): readonly string[] {
  return checkedStrings(field, value, { allowEmpty });
}

/** A positive finite number option. */
export function positive(value: number, field: string): number {
  return positiveNumber(field, value);
}
