import { OptionsError } from '../errors.js';
import { audienceMatcher, type AudienceMatcher } from '../verify/audience.js';
import type { IntrospectionClientAuth } from '../verify/introspection-verifier.js';

/** RFC 6749 appendix B: application/x-www-form-urlencoded, as client_secret_basic requires. */
export function formEncode(value: string): string {
  return new URLSearchParams([['', value]]).toString().slice(1);
}

/** `clientAuth`, checked: a known method with its credentials. */
export function checkClientAuth(auth: IntrospectionClientAuth): IntrospectionClientAuth {
  if (auth === null || typeof auth !== 'object') {
    throw new OptionsError(
      'clientAuth',
      'clientAuth is required: { clientId, clientSecret } or { method: "bearer", token }.',
    );
  }
  if (auth.method === 'bearer') {
    if (!(typeof auth.token === 'function' || (typeof auth.token === 'string' && auth.token.length > 0))) {
      throw new OptionsError(
        'clientAuth.token',
        'clientAuth.token must be a non-empty string or a function returning one.',
      );
    }
    return auth;
  }
  if (
    auth.method !== undefined &&
    auth.method !== 'client_secret_basic' &&
    auth.method !== 'client_secret_post'
  ) {
    throw new OptionsError(
      'clientAuth.method',
      'clientAuth.method must be "client_secret_basic", "client_secret_post" or "bearer".',
    );
  }
  for (const field of ['clientId', 'clientSecret'] as const) {
    if (typeof auth[field] !== 'string' || auth[field].length === 0) {
      throw new OptionsError(`clientAuth.${field}`, `clientAuth.${field} must be a non-empty string.`);
    }
  }
  return auth;
}

/** `audience`, required: compiled to a matcher, or `false` (explicit opt-out). */
export function checkAudience(audience: string | readonly string[] | false): AudienceMatcher | false {
  if (audience === false) return false;
  if (audience === undefined) {
    throw new OptionsError(
      'audience',
      "audience is required: this resource's URL, so tokens for other resources are refused (or false to opt out).",
    );
  }
  return audienceMatcher(stringList(audience, 'audience'));
}

/** `requiredScopes`: single scope tokens. */
export function checkScopes(scopes: readonly string[]): readonly string[] {
  const list = stringList(scopes, 'requiredScopes', true);
  if (list.some((scope) => /\s/.test(scope))) {
    throw new OptionsError('requiredScopes', 'requiredScopes must list single scopes, without spaces.');
  }
  return list;
}

/** One non-empty string or a list of them (empty list only with `allowEmpty`), frozen. */
export function stringList(
  value: string | readonly string[],
  field: string,
  allowEmpty = false,
): readonly string[] {
  const list =
    typeof value === 'string' ? [value] : Array.isArray(value) ? [...(value as string[])] : undefined;
  if (
    list === undefined ||
    (!allowEmpty && list.length === 0) ||
    list.some((v) => typeof v !== 'string' || v === '')
  ) {
    throw new OptionsError(field, `${field} must be a non-empty string or array of non-empty strings.`);
  }
  return Object.freeze(list);
}

/** A positive finite number option. */
export function positive(value: number, field: string): number {
  if (!(Number.isFinite(value) && value > 0))
    throw new OptionsError(field, `${field} must be a positive number.`);
  return value;
}
