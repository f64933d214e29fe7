import { frozenSet } from './internal/frozen-set.js';
import { principalRecord } from './internal/principal-record.js';

/**
 * Who is calling: the verified identity behind a bearer token. Immutable. The raw token is kept
 * (some tools pass it on to the same audience) but it is not enumerable, so `JSON.stringify`,
 * `console.log` and structured loggers never print it.
 */
export interface Principal {
  /** `sub`: the end user (or the client itself for client-credentials tokens). */
  readonly subject: string | undefined;
  /** The OAuth client the token was issued to (`client_id`, `azp` or `appid`). */
  readonly clientId: string | undefined;
  /** `iss`: the authorization server that issued the token. */
  readonly issuer: string | undefined;
  /** `aud`, always as an array. */
  readonly audience: readonly string[];
  /** Granted scopes, frozen. */
  readonly scopes: ReadonlySet<string>;
  /** `exp` in seconds since the epoch, when the token has one. */
  readonly expiresAt: number | undefined;
  /** The verified claims (or introspection response), frozen. */
  readonly claims: Readonly<Record<string, unknown>>;
  /** The raw token; not enumerable. */
  readonly token: string;
}

/** The fields from which {@link createPrincipal} builds a {@link Principal}. */
export interface PrincipalInit {
  readonly subject?: string | undefined;
  readonly clientId?: string | undefined;
  readonly issuer?: string | undefined;
  readonly audience?: string | readonly string[] | undefined;
  readonly scopes?: Iterable<string>;
  readonly expiresAt?: number | undefined;
  readonly claims?: Readonly<Record<string, unknown>>;
  readonly token: string;
}

/**
 * Builds an immutable {@link Principal}.
 *
 * @example
 * ```ts
 * const p = createPrincipal({ subject: 'alice', scopes: ['files:read'], token });
 * p.scopes.has('files:read'); // true
 * ```
 */
export function createPrincipal(init: PrincipalInit): Principal {
  const audience =
    init.audience === undefined
      ? []
      : typeof init.audience === 'string'
        ? [init.audience]
        : [...init.audience];
  return principalRecord(init.token, {
    subject: init.subject,
    clientId: init.clientId,
    issuer: init.issuer,
    audience: Object.freeze(audience),
    scopes: frozenSet(init.scopes ?? []),
    expiresAt: init.expiresAt,
    claims: Object.freeze({ ...(init.claims ?? {}) }),
  });
}
