import { decodeJwt, decodeProtectedHeader, type JWTPayload } from 'jose';
import { InvalidTokenError, OptionsError } from '../errors.js';
import type { Principal } from '../principal.js';
import type { TokenVerifier } from './token-verifier.js';

/**
 * One issuer a {@link MultiIssuerVerifier} accepts. Every `IdpPreset` is one: pass presets as
 * they are.
 */
export interface IssuerRoute {
  /** The exact `iss` of its tokens (RFC 8414: issuers compare as plain strings). */
  readonly issuer: string;
  /** Verifies that issuer's tokens, `iss` included. */
  readonly verifier: TokenVerifier;
  /** For issuers that are not one fixed string (multi-tenant Entra): whether `iss` is this route's. */
  readonly matchesIssuer?: (iss: string) => boolean;
}

/** Options of {@link MultiIssuerVerifier}. */
export interface MultiIssuerVerifierOptions {
  /** Verifier per exact `iss`, or a list of routes (IdP presets). */
  readonly issuers: Readonly<Record<string, TokenVerifier>> | readonly IssuerRoute[];
  /**
   * Verifier for tokens that are not JWTs (an `IntrospectionVerifier`, say). Without it, an
   * opaque token is `malformed`.
   */
  readonly opaque?: TokenVerifier;
  /** Longest token looked at, in characters; longer is `too_large`. Default 8192. */
  readonly maxTokenBytes?: number;
}

/**
 * Accepts tokens from several issuers: reads the unverified `iss` of a JWT to pick the verifier
 * for it (which then verifies everything, `iss` included), and hands tokens that are not JOSE
 * objects to `opaque`. A JWT from an issuer not configured is refused as `unknown_issuer` before
 * any key is fetched, so nobody can make the server call out by naming an issuer.
 *
 * @example
 * ```ts
 * const verifier = new MultiIssuerVerifier({
 *   issuers: [auth0({ domain, audience }), entraId({ tenantId, audience, version: 2 })],
 *   opaque: new IntrospectionVerifier({ endpoint, clientAuth, audience }),
 * });
 * ```
 */
export class MultiIssuerVerifier implements TokenVerifier {
  readonly #exact = new Map<string, TokenVerifier>();
  readonly #patterns: readonly IssuerRoute[];
  readonly #opaque: TokenVerifier | undefined;
  readonly #maxTokenBytes: number;

  constructor(options: MultiIssuerVerifierOptions) {
    if (options === null || typeof options !== 'object') {
      throw new OptionsError('options', 'MultiIssuerVerifier needs an options object with issuers.');
    }
    const routes = toRoutes(options.issuers);
    const patterns: IssuerRoute[] = [];
    for (const [index, route] of routes.entries()) {
      const field = `issuers[${index}]`;
      if (typeof route?.issuer !== 'string' || route.issuer === '') {
        throw new OptionsError(`${field}.issuer`, `${field}.issuer must be a non-empty string.`);
      }
      if (!isVerifier(route.verifier)) {
        throw new OptionsError(`${field}.verifier`, `${field}.verifier must be a TokenVerifier.`);
      }
      if (route.matchesIssuer !== undefined) {
        patterns.push(route);
        continue;
      }
      if (this.#exact.has(route.issuer)) {
        throw new OptionsError(
          field,
          `Issuer "${route.issuer}" is configured twice; keep one verifier per issuer.`,
        );
      }
      this.#exact.set(route.issuer, route.verifier);
    }
    if (routes.length === 0 && options.opaque === undefined) {
      throw new OptionsError('issuers', 'Configure at least one issuer (or an opaque verifier).');
    }
    if (options.opaque !== undefined && !isVerifier(options.opaque)) {
      throw new OptionsError('opaque', 'opaque must be a TokenVerifier.');
    }
    const maxTokenBytes = options.maxTokenBytes ?? 8192;
    if (!Number.isSafeInteger(maxTokenBytes) || maxTokenBytes < 1) {
      throw new OptionsError('maxTokenBytes', 'maxTokenBytes must be a positive integer.');
    }
    this.#patterns = patterns;
    this.#opaque = options.opaque;
    this.#maxTokenBytes = maxTokenBytes;
  }

  async verify(token: string): Promise<Principal> {
    if (typeof token !== 'string' || token === '') {
      throw new InvalidTokenError('malformed', 'The bearer token is empty.');
    }
    if (token.length > this.#maxTokenBytes) {
      throw new InvalidTokenError(
        'too_large',
        `The bearer token is longer than ${this.#maxTokenBytes} bytes.`,
      );
    }
    if (!isJose(token)) {
      if (this.#opaque !== undefined) return this.#opaque.verify(token);
      throw new InvalidTokenError(
        'malformed',
        'The bearer token is not a JWT, and no opaque-token verifier is configured.',
      );
    }
    let claims: JWTPayload;
    try {
      claims = decodeJwt(token);
    } catch (error) {
      throw new InvalidTokenError('malformed', 'The bearer token is not a well-formed JWT.', {
        cause: error,
      });
    }
    const { iss } = claims;
    if (typeof iss !== 'string') {
      throw new InvalidTokenError('missing_claim', 'The token names no issuer.', { claim: 'iss' });
    }
    const verifier =
      this.#exact.get(iss) ?? this.#patterns.find((route) => route.matchesIssuer!(iss))?.verifier;
    if (verifier === undefined) {
      throw new InvalidTokenError(
        'unknown_issuer',
        'The token was issued by an issuer this server does not trust.',
        {
          claim: 'iss',
        },
      );
    }
    return verifier.verify(token);
  }
}

function toRoutes(issuers: MultiIssuerVerifierOptions['issuers']): readonly IssuerRoute[] {
  if (Array.isArray(issuers)) return issuers as readonly IssuerRoute[];
  if (issuers === null || typeof issuers !== 'object') {
    throw new OptionsError('issuers', 'issuers must map each issuer to a verifier, or list IdP presets.');
  }
  return Object.entries(issuers as Record<string, TokenVerifier>).map(([issuer, verifier]) => ({
    issuer,
    verifier,
  }));
}

function isVerifier(value: unknown): value is TokenVerifier {
  return typeof value === 'object' && value !== null && typeof (value as TokenVerifier).verify === 'function';
}

/** A JWS or JWE: its first segment decodes to a JSON object header. Opaque tokens are not. */
function isJose(token: string): boolean {
  try {
    decodeProtectedHeader(token);
    return true;
  } catch {
    return false;
  }
}
