import { frozenSet } from './lib/frozen-set.js';

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

/** The parts of a principal, already in their final form (frozen arrays, set and claims; see {@link principalRecord}). */
export type PrincipalParts = Omit<Principal, 'token'>;

/**
 * Every principal is one of these. The token sits in a private field behind a prototype getter:
 * not an own property, so `JSON.stringify`, `Object.keys`, spreading and `console.log` never show
 * it. A class instance frozen in its constructor keeps one hidden class for every principal;
 * `Object.defineProperty` on a literal made the object about four times dearer to build, and a
 * principal is built for every verified token.
 */
class PrincipalRecord implements Principal {
  readonly subject: string | undefined;
  readonly clientId: string | undefined;
  readonly issuer: string | undefined;
  readonly audience: readonly string[];
  readonly scopes: ReadonlySet<string>;
  readonly expiresAt: number | undefined;
  readonly claims: Readonly<Record<string, unknown>>;
  readonly #token: string;

  constructor(token: string, parts: PrincipalParts) {
    this.subject = parts.subject;
    this.clientId = parts.clientId;
    this.issuer = parts.issuer;
    this.audience = parts.audience;
    this.scopes = parts.scopes;
    this.expiresAt = parts.expiresAt;
    this.claims = parts.claims;
    this.#token = token;
    Object.freeze(this);
  }

  get token(): string {
    return this.#token;
  }
}

/** A frozen principal from parts that are already frozen; nothing is copied. */
export function principalRecord(token: string, parts: PrincipalParts): Principal {
  return new PrincipalRecord(token, parts);
}
