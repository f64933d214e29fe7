import type { Principal } from '../principal.js';

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
