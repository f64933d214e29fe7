import type { AuditSink } from './audit/audit-sink.js';
import { MissingTokenError, OptionsError, isValetError } from './errors.js';
import { DEFAULT_MAX_TOKEN_BYTES } from './http/bearer.js';
import type { BearerRequest } from './http/bearer-request.js';
import { checkTokenSyntax, takeBearerToken, usesDpopScheme } from './http/syntax/bearer-header.js';
import { resolveDpopOptions, type DpopOptions } from './dpop/dpop-options.js';
import { dpopAdmission, inDpopScheme } from './dpop/dpop-request.js';
import { isDpopBound, refuseBoundBearer } from './dpop/token-binding.js';
import { validateChallengeOptions, type ChallengeOptions } from './http/challenge.js';
import { errorResponse, type ErrorResponse } from './http/error-response.js';
import { originCheck } from './http/origin.js';
import {
  protectedResourceMetadata,
  type ProtectedResourceMetadata,
  type ProtectedResourceMetadataOptions,
} from './http/resource-metadata.js';
import {
  protectedResourceMetadataPaths,
  protectedResourceMetadataUrl,
} from './http/resource-metadata-url.js';
import type { IdpPreset } from './idp/preset.js';
import { Decider, type AuthorizeContext, type AuthorizeOptions } from './policy/decider.js';
import type { Decision } from './policy/decision.js';
import { refusalOf } from './policy/refusal.js';
import { PolicyRegistry } from './policy/registry.js';
import type { Principal } from './principal.js';
import { readLater, type PendingCheck } from './state/pending-check.js';
import { RateLimiter } from './state/rate-limiter.js';
import { Revocations, type RevocationTarget, type RevokeOptions } from './state/revocations.js';
import { memoryStateStore, type StateStore } from './state/state-store.js';
import { CachingVerifier } from './verify/caching-verifier.js';
import type { TokenVerifier } from './verify/token-verifier.js';

/** Options of {@link createValet}. */
export interface ValetOptions {
  /** The operations and their policies. Frozen on the first request or on {@link Valet.freeze}. */
  readonly registry: PolicyRegistry;
  /** The resource identifier: the URL clients call, e.g. `https://api.example.com/mcp` (RFC 8707/9728). */
  readonly resource: string | URL;
  /** An IdP preset: its verifier checks tokens, its authorization server goes into the metadata. */
  readonly idp?: IdpPreset;
  /** The token verifier, when no `idp` is given. */
  readonly verifier?: TokenVerifier;
  /** RFC 9728 `authorization_servers`; default the `idp`'s. */
  readonly authorizationServers?: readonly (string | URL)[];
  /** `realm` of every challenge. */
  readonly realm?: string;
  /** Scopes a 401 challenge asks for. Default: the catalog's basic scopes. */
  readonly challengeScopes?: readonly string[];
  /** Receives every decision. */
  readonly audit?: AuditSink;
  /** Longest accepted token, in bytes. Default 8192. */
  readonly maxTokenBytes?: number;
  /** More RFC 9728 members (`resourceName`, `resourceDocumentation`, ...). */
  readonly metadata?: Omit<ProtectedResourceMetadataOptions, 'resource' | 'authorizationServers'>;
  /**
   * Origins (`scheme://host[:port]`, no path) whose browser pages may call the resource, or `'*'`
   * for any. A request with an `Origin` not allowed is refused with 403 before its credentials
   * are read (DNS rebinding protection, a MUST of MCP Streamable HTTP); a request without one (a
   * non-browser client) always passes. `Origin: null` passes only `'*'`.
   *
   * Default: the resource's own origin and, when the resource is on a loopback host, every
   * `http`/`https` loopback origin on any port (`http://localhost:5173`, `http://127.0.0.1:6274`,
   * `http://[::1]:8080`). A list replaces the default: name the resource's own origin in it if
   * pages it serves call it.
   */
  readonly allowedOrigins?: readonly string[] | '*';
  /**
   * `Host` header values the resource answers to: `host` (any port) or `host:port`; any other is
   * refused with 403 before the credentials are read. Default: for a resource on a loopback host,
   * loopback names only (`localhost`, `127.0.0.1`, `[::1]`, any port), which is what stops DNS
   * rebinding against a local server; otherwise not checked (proxies may rewrite `Host`).
   */
  readonly allowedHosts?: readonly string[];
  /**
   * Where state shared between requests lives: revocations (and, with them, what
   * {@link Valet.revoke} tells other instances) and rate-limit counters. Default
   * {@link memoryStateStore}, right for one process; give several instances one shared store
   * (`redisStateStore` from `@valet/redis`). Revocation checks fail closed (503) when the store
   * fails; rate limits fail open (the call goes through uncounted).
   */
  readonly store?: StateStore;
  /**
   * DPoP (RFC 9449): default `{ mode: 'allowed' }`, so unbound tokens come as Bearer and
   * DPoP-bound ones (`cnf.jkt`) as `Authorization: DPoP <token>` with a `DPoP` proof signed by
   * the bound key for this request's method and URL. A bound token sent as Bearer is always
   * refused. Proof `jti`s are kept in {@link ValetOptions.store}, so give instances one store.
   * The `htu` a proof must name is the request's path on the origin of {@link ValetOptions.resource}
   * (the URL clients call), so nothing more is needed behind a proxy.
   */
  readonly dpop?: DpopOptions;
}

/** One operation a request asks to perform, with what its policy's checks may read. */
export interface RequestedOperation {
  /** The operation id in the registry: a tool name, `prompt:<name>`, `resource:<uri>`, `GET /files/:id`. */
  readonly id: string;
  /** Arguments (and the request) for `check(...)` policies; scope-only policies never read it. */
  readonly context?: AuthorizeContext;
}

/**
 * What {@link Valet.admit} reads off a request: where the credentials may be, whether they are
 * optional, and which operations the request performs.
 */
export interface AdmitRequest extends BearerRequest {
  /**
   * The request's `Origin` header as sent; checked first, against
   * {@link ValetOptions.allowedOrigins}. Absent: a non-browser client, which passes. A repeated
   * header joined with `", "` (as the Fetch API's `headers.get()` does) is refused.
   */
  readonly origin?: string | undefined;
  /**
   * The request's `Host` header (HTTP/2: `:authority`) as sent; checked against
   * {@link ValetOptions.allowedHosts}. Absent: not checked. A repeated header joined with `", "` is refused.
   */
  readonly host?: string | undefined;
  /**
   * When true, a request without any credentials goes on as anonymous (`null`), and its
   * operations decide whether that is enough. A bad token is refused either way. Default false.
   */
  readonly optional?: boolean;
  /**
   * The operations to authorize for the caller; every one must be allowed. Several refusals
   * make one error whose challenge asks for the union of their scopes. None: authentication only.
   */
  readonly operations?: readonly RequestedOperation[];
  /** The request's method (`GET`, `POST`): what a DPoP proof's `htm` must be. */
  readonly method?: string | undefined;
  /**
   * The request's path and query as received (Express: `req.originalUrl`; Node: `req.url`). A
   * DPoP proof's `htu` must be this path on the resource's origin, without query and fragment.
   */
  readonly url?: string | undefined;
  /** Every `DPoP` header value (the proof); more than one is refused. */
  readonly dpop?: string | readonly string[] | undefined;
  /**
   * The caller an earlier step of the same request admitted (an adapter's authentication
   * middleware before a guarded route): its credentials are then not read or verified again.
   */
  readonly principal?: Principal | null;
}

/**
 * The request flow every adapter shares, in one call: {@link Valet.admit} takes the bearer
 * token, verifies it, authorizes the request's operations and rejects with the refusal to
 * answer with; {@link Valet.errorResponse} turns that refusal into status, headers and body.
 * Adapters only translate their framework's request to an {@link AdmitRequest} and the
 * {@link ErrorResponse} back.
 */
export interface Valet {
  /** The registry operations are looked up in. */
  readonly registry: PolicyRegistry;
  /** The verifier tokens are checked with. */
  readonly verifier: TokenVerifier;
  /** The resource identifier, as configured. */
  readonly resource: string;
  /** Where the RFC 9728 document is published (path-aware well-known URL). */
  readonly metadataUrl: URL;
  /** The paths an adapter serves the metadata document at (path-aware, then root). */
  readonly metadataPaths: readonly string[];
  /** The RFC 9728 document (built once, after the registry is frozen). */
  metadata(): ProtectedResourceMetadata;
  /**
   * Admits a request or refuses it: checks its `Origin` and `Host` (403 `OriginNotAllowedError`
   * before anything else), takes its bearer token (header only; RFC 6750 rules), verifies it,
   * then authorizes each of `request.operations` for the caller. Resolves to the caller (`null`:
   * anonymous, only when `optional`); rejects with a {@link ValetError} (400, 401 or 403 with its
   * challenge) that {@link Valet.errorResponse} renders. An authenticated caller's call of each
   * rate-limited operation is counted once its token is verified, allowed or not (attempts count,
   * as at a gateway): past its limit, and allowed, 429 (`RateLimitedError`); when the store
   * fails, the call goes through (rate limits fail open).
   */
  admit(request: AdmitRequest): Promise<Principal | null>;
  /**
   * Decides one operation for a principal already admitted (or `null`: anonymous), for a check
   * made where the operation runs (defence in depth, or a transport without HTTP requests).
   */
  authorize(
    principal: Principal | null,
    operationId: string,
    ctx?: AuthorizeContext,
    options?: AuthorizeOptions,
  ): Promise<Decision>;
  /** Status, headers (with `WWW-Authenticate`) and body for a Valet error; `undefined` for any other error. */
  errorResponse(error: unknown): ErrorResponse | undefined;
  /** Freezes the registry now (validating every policy) instead of on the first request. */
  freeze(): void;
  /**
   * Revokes one token (`{ jti }`) or every token a subject or client got until now, on every
   * instance sharing the {@link ValetOptions.store}: refused with 401 `invalid_token` (`revoked`)
   * within the time a published message takes, cached tokens included. Kept until
   * `options.until` (default 24 hours).
   */
  revoke(target: RevocationTarget, options?: RevokeOptions): Promise<void>;
  /** Resolves once this instance hears revocations made on other instances. */
  ready(): Promise<void>;
  /** Stops listening to the store (the store itself is the caller's to close). */
  close(): Promise<void>;
}

/**
 * Builds the shared request flow from a registry, a verifier (or IdP preset) and the resource URL.
 *
 * @example
 * ```ts
 * const valet = createValet({
 *   registry,
 *   resource: 'https://api.example.com/mcp',
 *   idp: auth0({ domain: 'example.us.auth0.com', audience: 'https://api.example.com/mcp' }),
 * });
 * const caller = await valet.admit({
 *   origin: req.headers.origin,
 *   host: req.headers.host,
 *   authorization: req.headersDistinct.authorization,
 *   operations: [{ id: 'write_file', context: { arguments: input } }],
 * }); // or rejects: valet.errorResponse(error) is the 400/401/403 to answer with
 * ```
 */
export function createValet(options: ValetOptions): Valet {
  const { registry, idp } = options;
  if (!(registry instanceof PolicyRegistry)) {
    throw new OptionsError('registry', 'registry must be a PolicyRegistry.');
  }
  if ((idp === undefined) === (options.verifier === undefined)) {
    throw new OptionsError('verifier', 'Give exactly one of verifier and idp.');
  }
  const verifier = options.verifier ?? idp!.verifier;
  if (typeof verifier?.verify !== 'function') {
    throw new OptionsError(
      'verifier',
      'verifier must be a TokenVerifier: an object with a verify(token) method.',
    );
  }
  const authorizationServers = options.authorizationServers ?? (idp ? [idp.authorizationServer] : undefined);
  if (authorizationServers === undefined || authorizationServers.length === 0) {
    throw new OptionsError(
      'authorizationServers',
      'authorizationServers must name at least one authorization server (or give an idp preset).',
    );
  }
  const metadataUrl = protectedResourceMetadataUrl(options.resource);
  const dpop = resolveDpopOptions(options.dpop);
  const checkOrigin = originCheck(new URL(String(options.resource)), options);
  const maxTokenBytes = options.maxTokenBytes ?? DEFAULT_MAX_TOKEN_BYTES;
  if (!Number.isSafeInteger(maxTokenBytes) || maxTokenBytes < 1) {
    throw new OptionsError('maxTokenBytes', 'maxTokenBytes must be a positive integer (a length in bytes).');
  }
  if (options.audit !== undefined && typeof options.audit?.record !== 'function') {
    throw new OptionsError('audit', 'audit must be an AuditSink: an object with a record(event) method.');
  }
  const defaultScope = options.challengeScopes ?? registry.catalog?.basicScopes() ?? [];
  // Validated now, so a bad option fails at start-up rather than at the first request.
  const challenge: ChallengeOptions = challengeOptions({
    resourceMetadata: metadataUrl,
    ...(options.realm === undefined ? {} : { realm: options.realm }),
    ...(defaultScope.length === 0 ? {} : { defaultScope }),
    ...(dpop.mode === 'off'
      ? {}
      : { dpop: { algorithms: dpop.algorithms, required: dpop.mode === 'required' } }),
  });
  const buildMetadata = (): ProtectedResourceMetadata =>
    protectedResourceMetadata({
      ...options.metadata,
      resource: options.resource,
      authorizationServers,
      ...(dpop.mode === 'off' ? {} : { dpopSigningAlgValuesSupported: dpop.algorithms }),
      ...(dpop.mode === 'required' ? { dpopBoundAccessTokensRequired: true } : {}),
      ...(options.metadata?.scopesSupported || options.metadata?.catalog ? {} : { registry }),
    });
  buildMetadata();

  let decider: Decider | undefined;
  let metadata: ProtectedResourceMetadata | undefined;
  // Set with the decider: undefined when no operation has a rate limit, so such a flow does nothing more.
  let limiter: RateLimiter | undefined;
  const ready = (): Decider => {
    if (decider === undefined) {
      decider = new Decider(registry, options.audit);
      limiter = RateLimiter.of(decider.rateLimits, store);
    }
    return decider;
  };
  // The flow answers a token the cache holds without a promise of its own until the end: the
  // bench's goal for cached callers (>= 0.9x no auth, bench/README.md) is missed with one per step.
  const cache = verifier instanceof CachingVerifier ? verifier : undefined;
  const store = options.store ?? memoryStateStore();
  if (typeof store?.get !== 'function' || typeof store.subscribe !== 'function') {
    throw new OptionsError('store', 'store must be a StateStore (memoryStateStore(), redisStateStore(...)).');
  }
  const revocations = new Revocations(store);
  const acceptsDpop = dpop.mode !== 'off';
  const admitDpop = acceptsDpop ? dpopAdmission(dpop, new URL(String(options.resource)), store) : undefined;

  /**
   * The caller of a token, from the cache or the verifier; its binding is the caller's to check.
   * A token the cache holds passed the syntax check and the store's revocations when it was
   * verified, so only revocations heard since are checked, in memory. A fresh one is looked up in
   * the store, the lookup left on its way (see {@link PendingCheck}); when that refuses the token
   * (or fails), the cache lets go of it, so that the next request asks the store again.
   */
  const principalOf = (token: string): Principal | Promise<PendingCheck> => {
    const cached = cache?.peek(token);
    if (cached !== undefined) {
      revocations.checkHeard(cached);
      return cached;
    }
    checkTokenSyntax(token);
    return verifier.verify(token).then((principal) => ({
      principal,
      checked: readLater(
        revocations.check(principal).catch((error: unknown) => {
          cache?.evict(token);
          throw error;
        }),
      ),
    }));
  };

  /** A token bound to a key (cnf) is never a bearer token (RFC 9449 section 7.2). */
  const bearerOnly = (principal: Principal): Principal => {
    if (principal.claims['cnf'] !== undefined) refuseBoundBearer(principal);
    return principal;
  };
  const bearerOnlyChecking = (caller: PendingCheck): PendingCheck => {
    bearerOnly(caller.principal);
    return caller;
  };

  /**
   * The caller (or a promise of it, with its store check on its way), or `null` for an optional
   * request without credentials. Throws a refusal.
   */
  const authenticate = (request: AdmitRequest): Principal | Promise<PendingCheck> | null => {
    let token: string;
    try {
      token = takeBearerToken(request, maxTokenBytes, acceptsDpop);
    } catch (error) {
      if (error instanceof MissingTokenError && request.optional === true) return null;
      throw error;
    }
    if (admitDpop !== undefined && usesDpopScheme(request.authorization)) {
      return admitDpop(request, token, () => {
        const caller = principalOf(token);
        return caller instanceof Promise ? caller : { principal: caller, checked: undefined };
      });
    }
    if (dpop.mode === 'required') {
      // An unsupported scheme, as far as this resource goes: no error code (RFC 6750 section 3.1).
      throw new MissingTokenError(
        'This resource accepts only DPoP-bound tokens: send "Authorization: DPoP <token>" with a "DPoP: <proof>" header.',
      );
    }
    const principal = principalOf(token);
    return principal instanceof Promise ? principal.then(bearerOnlyChecking) : bearerOnly(principal);
  };

  /** Resolves to `principal` when every operation allows it, else rejects with the one refusal. */
  const authorizeAll = (
    principal: Principal | null,
    operations: readonly RequestedOperation[] | undefined,
  ): Promise<Principal | null> => {
    if (operations === undefined || operations.length === 0) return Promise.resolve(principal);
    const decider = ready();
    try {
      if (operations.length === 1) {
        // One operation, the usual request: no arrays built.
        const [{ id, context }] = operations as readonly [RequestedOperation];
        const decision = decider.decide(principal, id, context);
        if (decision instanceof Promise) return decision.then((settled) => admitted(principal, [settled]));
        return decision.allowed ? Promise.resolve(principal) : Promise.reject(refusal(principal, [decision]));
      }
      const decisions = operations.map((operation) =>
        decider.decide(principal, operation.id, operation.context),
      );
      return decisions.some((decision) => decision instanceof Promise)
        ? Promise.all(decisions).then((settled) => admitted(principal, settled))
        : Promise.resolve(admitted(principal, decisions as Decision[]));
    } catch (error) {
      return Promise.reject(error);
    }
  };

  /**
   * {@link authorizeAll} once `checked` (the caller's store check) passes, and one count per
   * rate-limited operation for an authenticated caller. The count is sent first, beside `checked`,
   * so that a shared store answers both in one round trip; a refusal of the check or of the policy
   * is answered before the rate limit's.
   */
  const authorizeAndCount = (
    principal: Principal | null,
    operations: readonly RequestedOperation[] | undefined,
    checked: Promise<void> | undefined,
  ): Promise<Principal | null> => {
    ready(); // sets the limiter
    const counted =
      limiter === undefined || principal === null || operations === undefined
        ? undefined
        : readLater(limiter.admit(principal, operations));
    const authorized =
      checked === undefined
        ? authorizeAll(principal, operations)
        : checked.then(() => authorizeAll(principal, operations));
    return counted === undefined ? authorized : authorized.then(() => counted);
  };

  const valet: Valet = {
    registry,
    verifier,
    resource: String(options.resource),
    metadataUrl,
    metadataPaths: protectedResourceMetadataPaths(options.resource),
    metadata: () => {
      ready();
      return (metadata ??= buildMetadata());
    },
    admit(request) {
      let principal: Principal | Promise<PendingCheck> | null;
      try {
        // First, before any credential is read: a rebinding page learns nothing else.
        checkOrigin(request.origin, request.host);
        principal = request.principal !== undefined ? request.principal : authenticate(request);
      } catch (error) {
        return Promise.reject(error);
      }
      return principal instanceof Promise
        ? principal.then((caller) => authorizeAndCount(caller.principal, request.operations, caller.checked))
        : authorizeAndCount(principal, request.operations, undefined);
    },
    authorize: async (principal, operationId, ctx, authorizeOptions) =>
      ready().decide(principal, operationId, ctx, authorizeOptions),
    errorResponse: (error) => (isValetError(error) ? errorResponse(error, challenge) : undefined),
    freeze: () => void ready(),
    revoke: (target, revokeOptions) => revocations.revoke(target, revokeOptions),
    ready: () => revocations.ready(),
    close: () => revocations.close(),
  };

  return Object.freeze(valet);
}

/** `principal` when every decision allows it; throws the one refusal otherwise. */
function admitted(principal: Principal | null, decisions: readonly Decision[]): Principal | null {
  if (decisions.every((decision) => decision.allowed)) return principal;
  throw refusal(
    principal,
    decisions.filter((decision) => !decision.allowed),
  );
}

/** The one refusal for `refused`; a DPoP-bound caller's is answered in the DPoP scheme (RFC 9449 section 7.1). */
function refusal(principal: Principal | null, refused: readonly Decision[]): unknown {
  const error = refusalOf(refused);
  return isDpopBound(principal) ? inDpopScheme(error) : error;
}

/** {@link validateChallengeOptions}, naming the field as {@link ValetOptions} calls it. */
function challengeOptions(options: ChallengeOptions): ChallengeOptions {
  try {
    return validateChallengeOptions(options);
  } catch (error) {
    if (error instanceof OptionsError && error.field === 'defaultScope') {
      throw new OptionsError('challengeScopes', error.message.replace(/^defaultScope/, 'challengeScopes'));
    }
    throw error;
  }
}
