import { OptionsError } from '../../errors.js';
import type { PresetOverrides } from '../preset.js';
import { JwtVerifier } from '../../verify/jwt-verifier.js';
import type { JwtVerifierOptions } from '../../verify/jwt-verifier-options.js';

const OVERRIDABLE = ['fetch', 'scopeClaim', 'algorithms', 'clockTolerance', 'jwks'] as const;

/**
 * A preset's `JwtVerifier`: the preset's settings with the user's overrides on top. A `jwksUri`
 * override replaces the documented JWKS URL or discovery; `requiredClaims` add to the preset's.
 */
export function presetJwtVerifier(base: JwtVerifierOptions, overrides: PresetOverrides): JwtVerifier {
  const options: { -readonly [K in keyof JwtVerifierOptions]?: JwtVerifierOptions[K] } = { ...base };
  for (const key of OVERRIDABLE) {
    if (overrides[key] !== undefined) Object.assign(options, { [key]: overrides[key] });
  }
  if (overrides.jwksUri !== undefined) {
    options.jwksUri = overrides.jwksUri;
    delete options.discovery;
  }
  if (overrides.requiredClaims !== undefined) {
    options.requiredClaims = [...(base.requiredClaims ?? []), ...overrides.requiredClaims];
  }
  if (overrides.typ !== undefined) options.typ = overrides.typ;
  return new JwtVerifier(options as JwtVerifierOptions);
}

/**
 * Refuses `typ: 'at+jwt'` for a provider whose access tokens never carry it (every token would
 * be refused); `why` says what the provider sends instead.
 */
export function refuseStrictTyp(name: string, overrides: PresetOverrides, why: string): void {
  if (overrides.typ === 'at+jwt') {
    throw new OptionsError('typ', `${name}: typ "at+jwt" would refuse every token: ${why}. Leave typ unset.`);
  }
}

/** The options object of preset `name`, or an `OptionsError` saying it is missing. */
export function presetOptions<T extends object>(name: string, options: T | undefined): T {
  if (options === null || typeof options !== 'object') {
    throw new OptionsError('options', `${name}() needs an options object.`);
  }
  return options;
}

/** A required non-empty string option matching `pattern`; `what` describes the expected form. */
export function requiredText(
  name: string,
  field: string,
  value: unknown,
  what: string,
  pattern?: RegExp,
): string {
  if (typeof value !== 'string' || value === '' || (pattern !== undefined && !pattern.test(value))) {
    throw new OptionsError(field, `${name}: ${field} must be ${what}.`);
  }
  return value;
}

/** A required audience: one non-empty string or a non-empty list of them. */
export function requiredAudience(name: string, value: unknown, what: string): string | readonly string[] {
  const list = typeof value === 'string' ? [value] : Array.isArray(value) ? (value as unknown[]) : [];
  if (list.length === 0 || list.some((item) => typeof item !== 'string' || item === '')) {
    throw new OptionsError('audience', `${name}: audience is required: ${what}.`);
  }
  return value as string | readonly string[];
}

/** `https://host` from a host name or URL, without a trailing slash; refuses paths, queries and http. */
export function httpsOrigin(name: string, field: string, value: unknown, example: string): string {
  const raw = requiredText(name, field, value, `a host name like "${example}"`);
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(raw) ? raw : `https://${raw}`;
  const url = URL.canParse(withScheme) ? new URL(withScheme) : undefined;
  if (
    url === undefined ||
    url.protocol !== 'https:' ||
    (url.pathname !== '/' && url.pathname !== '') ||
    url.search
  ) {
    throw new OptionsError(
      field,
      `${name}: ${field} must be a host name like "${example}" (https, no path).`,
    );
  }
  if (url.username !== '' || url.password !== '' || url.hash !== '') {
    throw new OptionsError(field, `${name}: ${field} must not contain credentials or a fragment.`);
  }
  return url.origin;
}
