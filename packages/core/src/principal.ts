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

/**
 * The shape of the MCP TypeScript SDK's `AuthInfo` (`@modelcontextprotocol/sdk/server/auth/types.js`),
 * declared structurally so that core does not depend on the SDK.
 */
export interface AuthInfoLike {
  token: string;
  clientId: string;
  scopes: string[];
  expiresAt?: number;
  resource?: URL;
  extra?: Record<string, unknown>;
}

const PRINCIPAL_KEY = 'valetPrincipal';

/**
 * Converts a principal to the SDK's `AuthInfo`, so `extra.authInfo` reaches tool handlers. The
 * principal rides along in `extra.valetPrincipal`, so {@link fromAuthInfo} gets it back intact.
 */
export function toAuthInfo(principal: Principal): AuthInfoLike {
  const info: AuthInfoLike = {
    token: principal.token,
    clientId: principal.clientId ?? principal.subject ?? '',
    scopes: [...principal.scopes],
    extra: { [PRINCIPAL_KEY]: principal, subject: principal.subject, issuer: principal.issuer },
  };
  if (principal.expiresAt !== undefined) info.expiresAt = principal.expiresAt;
  const resource = principal.audience.find((aud) => URL.canParse(aud));
  if (resource !== undefined) info.resource = new URL(resource);
  return info;
}

/** Recovers the principal from an `AuthInfo` made by {@link toAuthInfo}, or builds one from its fields. */
export function fromAuthInfo(info: AuthInfoLike): Principal {
  const carried = info.extra?.[PRINCIPAL_KEY];
  if (isPrincipal(carried)) return carried;
  const subject = info.extra?.['subject'];
  const issuer = info.extra?.['issuer'];
  return createPrincipal({
    token: info.token,
    clientId: info.clientId === '' ? undefined : info.clientId,
    subject: typeof subject === 'string' ? subject : undefined,
    issuer: typeof issuer === 'string' ? issuer : undefined,
    audience: info.resource ? [info.resource.href] : [],
    scopes: info.scopes,
    expiresAt: info.expiresAt,
  });
}

function isPrincipal(value: unknown): value is Principal {
  return (
    typeof value === 'object' &&
    value !== null &&
    Object.isFrozen(value) &&
    (value as Principal).scopes instanceof Set &&
    typeof (value as Principal).token === 'string'
  );
}
