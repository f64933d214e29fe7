import type { JWTPayload } from 'jose';
import { OptionsError } from '../../errors.js';
import { audienceMatcher, type AudienceMatcher } from '../audience.js';
import { discoveryUrls } from '../discovery.js';
import type { JwtVerifierOptions, StaticKeys } from '../jwt-verifier-options.js';
import { scopeClaimReader, type ScopeReader } from '../scope-claims.js';
import { checkAlgorithms } from './jwt-algorithms.js';
import { isLoopbackHost } from '../../http/loopback.js';
import {
  booleanOption,
  numberInRange,
  optionalFunction,
  requiredOption,
  stringList,
  type NumberRange,
} from '../../lib/option-checks.js';
import { secureUrl } from '../../lib/secure-url.js';
import { checkStaticKeys } from './static-keys.js';

/** Where the verification keys come from, after validation. */
export type KeySource =
  | { readonly kind: 'secret'; readonly secret: Uint8Array }
  | { readonly kind: 'keys'; readonly keys: StaticKeys }
  | { readonly kind: 'jwks'; readonly url: URL }
  | { readonly kind: 'discovery'; readonly url: URL | undefined };

/** {@link JwtVerifierOptions} validated, with every default applied. */
export interface ResolvedJwtOptions {
  readonly issuers: readonly string[];
  readonly audience: AudienceMatcher | undefined;
  readonly keySource: KeySource;
  readonly algorithms: readonly string[];
  readonly clockTolerance: number;
  readonly maxTokenAge: number | undefined;
  readonly requiredClaims: readonly string[];
  readonly typ: 'at+jwt' | undefined;
  readonly scopes: ScopeReader;
  readonly clientIdClaims: readonly string[];
  readonly maxTokenBytes: number;
  readonly jwks: {
    readonly timeoutMs: number;
    readonly deadlineMs: number;
    readonly cooldownMs: number;
    readonly cacheMaxAgeMs: number;
  };
  readonly validate: ((claims: JWTPayload) => void) | undefined;
  readonly fetch: typeof fetch | undefined;
}

const KNOWN_OPTIONS = new Set<string>([
  'issuer',
  'audience',
  'jwksUri',
  'keys',
  'secret',
  'discovery',
  'algorithms',
  'clockTolerance',
  'maxTokenAge',
  'requiredClaims',
  'typ',
  'strict',
  'scopeClaim',
  'clientIdClaim',
  'allowMissingExp',
  'maxTokenBytes',
  'jwks',
  'validate',
  'fetch',
]);

/** Claims RFC 9068 section 2.2 requires in a JWT access token (`aud` is checked separately). */
const RFC9068_CLAIMS = ['iss', 'exp', 'sub', 'client_id', 'iat', 'jti'];

/** Claims that name the client when `clientIdClaim` is not set, first present wins. */
const DEFAULT_CLIENT_ID_CLAIMS = ['client_id', 'azp', 'appid', 'cid'];

// Bounds of the numeric options, documented on JwtVerifierOptions.
const DAY_MS = 86_400_000;
const CLOCK_TOLERANCE: NumberRange = { min: 0, max: 300 };
const MAX_TOKEN_AGE: NumberRange = { min: 1, max: 31_536_000 };
const MAX_TOKEN_BYTES: NumberRange = { min: 64, max: 1_048_576, integer: true };
const JWKS_TIMEOUT_MS: NumberRange = { min: 1, max: 60_000, integer: true };
const JWKS_COOLDOWN_MS: NumberRange = { min: 0, max: DAY_MS, integer: true };
const JWKS_CACHE_AGE_MS: NumberRange = { min: 1, max: DAY_MS, integer: true };

function checkIssuers(value: unknown): readonly string[] {
  const given = requiredOption(
    'issuer',
    value,
    'the "iss" of the authorization server whose tokens to accept',
  );
  const issuers = stringList('issuer', given, { expected: 'a non-empty string or a non-empty list of them' });
  for (const issuer of issuers) {
    if (!URL.canParse(issuer)) continue;
    const url = new URL(issuer);
    if (url.protocol === 'http:' && !isLoopbackHost(url.hostname)) {
      throw new OptionsError(
        'issuer',
        `issuer "${issuer}" uses plain http; only https is trusted (http only on localhost).`,
      );
    }
  }
  return issuers;
}

function checkAudience(value: unknown, strict: boolean): AudienceMatcher | undefined {
  if (value === false) {
    if (strict)
      throw new OptionsError('audience', 'audience: false contradicts strict (RFC 9068 requires "aud").');
    return undefined;
  }
  const given = requiredOption(
    'audience',
    value,
    'set it to this server URL (RFC 8707 resource), or to false to skip the check knowingly',
  );
  const audiences = stringList('audience', given, {
    expected: 'a resource URL, a non-empty list of them, or false',
  });
  for (const audience of audiences) {
    if (/^https?:/i.test(audience) && (!URL.canParse(audience) || audience.includes('#'))) {
      throw new OptionsError(
        'audience',
        `audience "${audience}" must be an absolute URL without a fragment.`,
      );
    }
  }
  return audienceMatcher(audiences);
}

function secretBytes(value: unknown): Uint8Array | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'string') return new TextEncoder().encode(value);
  if (value instanceof Uint8Array) return new Uint8Array(value);
  throw new OptionsError('secret', 'secret must be a string or a Uint8Array.');
}

function keySource(
  options: JwtVerifierOptions,
  issuers: readonly string[],
  secret: Uint8Array | undefined,
): KeySource {
  const { jwksUri, keys, discovery } = options;
  const given = [
    jwksUri !== undefined && 'jwksUri',
    keys !== undefined && 'keys',
    secret !== undefined && 'secret',
    discovery !== undefined && discovery !== false && 'discovery',
  ].filter((name): name is string => name !== false);
  if (given.length > 1) {
    throw new OptionsError(given[1]!, `Set one key source, not ${given.join(' and ')}.`);
  }
  if (secret !== undefined) return { kind: 'secret', secret };
  if (keys !== undefined) {
    checkStaticKeys(keys);
    return { kind: 'keys', keys };
  }
  if (jwksUri !== undefined) return { kind: 'jwks', url: secureUrl('jwksUri', jwksUri) };
  if (discovery === false) {
    throw new OptionsError(
      'discovery',
      'discovery is off and no key source is set: set jwksUri, keys or secret.',
    );
  }
  if (
    discovery !== undefined &&
    discovery !== true &&
    typeof discovery !== 'string' &&
    !(discovery instanceof URL)
  ) {
    throw new OptionsError('discovery', 'discovery must be true, false or the URL of the metadata document.');
  }
  if (issuers.length !== 1) {
    throw new OptionsError(
      'discovery',
      'discovery needs exactly one issuer; set jwksUri or keys, or use one verifier per issuer (MultiIssuerVerifier).',
    );
  }
  if (discovery === undefined || discovery === true) {
    discoveryUrls(issuers[0]!);
    return { kind: 'discovery', url: undefined };
  }
  return { kind: 'discovery', url: secureUrl('discovery', discovery) };
}

function checkJwksOptions(value: unknown, source: KeySource): ResolvedJwtOptions['jwks'] {
  if (value !== undefined && (typeof value !== 'object' || value === null)) {
    throw new OptionsError(
      'jwks',
      'jwks must be an object: { timeoutMs, deadlineMs, cooldownMs, cacheMaxAgeMs }.',
    );
  }
  if (value !== undefined && (source.kind === 'keys' || source.kind === 'secret')) {
    throw new OptionsError(
      'jwks',
      `jwks applies to jwksUri and discovery; it has no effect with ${source.kind}.`,
    );
  }
  const jwks = (value ?? {}) as Record<string, unknown>;
  for (const key of Object.keys(jwks)) {
    if (!['timeoutMs', 'deadlineMs', 'cooldownMs', 'cacheMaxAgeMs'].includes(key)) {
      throw new OptionsError(
        `jwks.${key}`,
        `jwks.${key} is not an option; use timeoutMs, deadlineMs, cooldownMs or cacheMaxAgeMs.`,
      );
    }
  }
  return {
    timeoutMs: numberInRange('jwks.timeoutMs', jwks['timeoutMs'], 5000, JWKS_TIMEOUT_MS),
    deadlineMs: numberInRange('jwks.deadlineMs', jwks['deadlineMs'], 2000, JWKS_TIMEOUT_MS),
    cooldownMs: numberInRange('jwks.cooldownMs', jwks['cooldownMs'], 5000, JWKS_COOLDOWN_MS),
    cacheMaxAgeMs: numberInRange('jwks.cacheMaxAgeMs', jwks['cacheMaxAgeMs'], 300_000, JWKS_CACHE_AGE_MS),
  };
}

/** Validates {@link JwtVerifierOptions}; every failure is an `OptionsError` naming the field. */
export function resolveJwtOptions(options: JwtVerifierOptions): ResolvedJwtOptions {
  if (typeof options !== 'object' || options === null) {
    throw new OptionsError(
      'options',
      'JwtVerifier needs an options object with at least issuer and audience.',
    );
  }
  for (const key of Object.keys(options)) {
    if (!KNOWN_OPTIONS.has(key)) throw new OptionsError(key, `${key} is not a JwtVerifier option.`);
  }
  const strict = booleanOption('strict', options.strict, false);
  if (options.typ !== undefined && options.typ !== false && options.typ !== 'at+jwt') {
    throw new OptionsError('typ', 'typ must be "at+jwt" or false.');
  }
  if (strict && options.typ === false) {
    throw new OptionsError('typ', 'typ: false contradicts strict (RFC 9068 requires typ at+jwt).');
  }
  const allowMissingExp = booleanOption('allowMissingExp', options.allowMissingExp, false);
  if (strict && allowMissingExp) {
    throw new OptionsError(
      'allowMissingExp',
      'allowMissingExp contradicts strict (RFC 9068 requires "exp").',
    );
  }
  const issuers = checkIssuers(options.issuer);
  const audience = checkAudience(options.audience, strict);
  const secret = secretBytes(options.secret);
  const source = keySource(options, issuers, secret);
  const required = [
    ...(allowMissingExp ? [] : ['exp']),
    ...(strict ? RFC9068_CLAIMS : []),
    ...(audience === undefined ? [] : ['aud']),
    ...(options.requiredClaims === undefined
      ? []
      : stringList('requiredClaims', options.requiredClaims, {
          expected: 'a non-empty list of claim names',
        })),
  ];
  return {
    issuers,
    audience,
    keySource: source,
    algorithms: checkAlgorithms(options.algorithms, secret),
    clockTolerance: numberInRange('clockTolerance', options.clockTolerance, 5, CLOCK_TOLERANCE),
    maxTokenAge: numberInRange('maxTokenAge', options.maxTokenAge, undefined, MAX_TOKEN_AGE),
    requiredClaims: Object.freeze([...new Set(required)]),
    typ: options.typ === 'at+jwt' || (strict && options.typ === undefined) ? 'at+jwt' : undefined,
    scopes: scopeClaimReader(options.scopeClaim),
    clientIdClaims: stringList('clientIdClaim', options.clientIdClaim ?? DEFAULT_CLIENT_ID_CLAIMS, {
      expected: 'a claim name or a non-empty list of claim names',
    }),
    maxTokenBytes: numberInRange('maxTokenBytes', options.maxTokenBytes, 8192, MAX_TOKEN_BYTES),
    jwks: checkJwksOptions(options.jwks, source),
    validate: optionalFunction('validate', options.validate),
    fetch: optionalFunction('fetch', options.fetch),
  };
}
