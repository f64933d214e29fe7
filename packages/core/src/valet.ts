import type { AuditSink } from './audit/audit-sink.js';
import { MissingTokenError, OptionsError, isValetError } from './errors.js';
import { DEFAULT_MAX_TOKEN_BYTES, type BearerRequest } from './http/bearer.js';
import { checkTokenSyntax, takeBearerToken } from './internal/bearer-header.js';
import { validateChallengeOptions, type ChallengeOptions } from './http/challenge.js';
import { errorResponse, type ErrorResponse } from './http/error-response.js';
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
import { Authorizer, type AuthorizeContext, type AuthorizeOptions } from './policy/authorizer.js';
import { decisionError, type Decision } from './policy/decision.js';
import { PolicyRegistry } from './policy/registry.js';
import type { Principal } from './principal.js';
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
}

/** What {@link Valet.authenticate} reads off a request: the bearer parts, plus whether a token is optional. */
export interface AuthenticateRequest extends BearerRequest {
  /** When true, a request without any credentials yields `null` instead of a 401. A bad token is still refused. */
  readonly optional?: boolean;
}

/**
 * The request flow every adapter shares: extract the bearer token, verify it, authorize the
 * operation, and turn any refusal into status, headers and body. Adapters only translate their
 * framework's request to these calls and the {@link ErrorResponse} back.
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
  /** Verifies the request's bearer token. Throws a {@link ValetError} (400/401); `null` only for an optional, credential-less request. */
  authenticate(request: AuthenticateRequest): Promise<Principal | null>;
  /**
   * {@link Valet.authenticate}, answered at once when it can be, as `authorize` answers a policy
   * without checks: the principal itself for a token the verifier holds verified
   * (`TokenVerifier.cached`), `null` for an optional request without credentials; otherwise the
   * promise `authenticate` returns. Never throws: a refusal is a rejected promise. Lets an
   * adapter allow a cached caller without a promise.
   */
  authenticateNow(request: AuthenticateRequest): Principal | null | Promise<Principal | null>;
  /** Decides an operation for a principal (or `null`: anonymous). */
  authorize(
    principal: Principal | null,
    operationId: string,
    ctx?: AuthorizeContext,
    options?: AuthorizeOptions,
  ): Decision | Promise<Decision>;
  /** Like {@link Valet.authorize}, but throws the refusal's {@link ValetError} (401 or 403 with its challenge). */
  enforce(principal: Principal | null, operationId: string, ctx?: AuthorizeContext): Promise<Decision>;
  /** Status, headers (with `WWW-Authenticate`) and body for a Valet error; `undefined` for any other error. */
  errorResponse(error: unknown): ErrorResponse | undefined;
  /** Freezes the registry now (validating every policy) instead of on the first request. */
  freeze(): void;
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
 * const principal = await valet.authenticate({ authorization: req.headersDistinct.authorization });
 * await valet.enforce(principal, 'write_file', { arguments: input });
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
  });
  const buildMetadata = (): ProtectedResourceMetadata =>
    protectedResourceMetadata({
      ...options.metadata,
      resource: options.resource,
      authorizationServers,
      ...(options.metadata?.scopesSupported || options.metadata?.catalog ? {} : { registry }),
    });
  buildMetadata();

  let authorizer: Authorizer | undefined;
  let metadata: ProtectedResourceMetadata | undefined;
  const ready = (): Authorizer =>
    (authorizer ??= new Authorizer(registry, options.audit ? { audit: options.audit } : {}));

  const authenticateNow = (request: AuthenticateRequest): Principal | null | Promise<Principal | null> => {
    let token: string;
    try {
      token = takeBearerToken(request, maxTokenBytes);
    } catch (error) {
      if (error instanceof MissingTokenError && request.optional === true) return null;
      return Promise.reject(error);
    }
    try {
      // A token the verifier holds verified passed the syntax check on its first request.
      const cached = verifier.cached?.(token);
      if (cached !== undefined) return cached;
      checkTokenSyntax(token);
      // Promise.resolve hands a native promise back as it is.
      return Promise.resolve(verifier.verify(token));
    } catch (error) {
      return Promise.reject(error);
    }
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
    // Neither is an async function: a cache hit costs no promise of its own making, and a miss
    // hands back the verifier's promise instead of wrapping it in another. A synchronous throw
    // still becomes a rejection.
    authenticate(request) {
      const now = authenticateNow(request);
      return now instanceof Promise ? now : now === null ? NO_PRINCIPAL : Promise.resolve(now);
    },
    authenticateNow,
    authorize: (principal, operationId, ctx, authorizeOptions) =>
      ready().authorize(principal, operationId, ctx, authorizeOptions),
    enforce(principal, operationId, ctx) {
      let decision: Decision | Promise<Decision>;
      try {
        decision = ready().authorize(principal, operationId, ctx);
      } catch (error) {
        return Promise.reject(error);
      }
      return isThenable(decision) ? Promise.resolve(decision).then(enforced) : settle(decision);
    },
    errorResponse: (error) => (isValetError(error) ? errorResponse(error, challenge) : undefined),
    freeze: () => void ready(),
  };

  return Object.freeze(valet);
}

const NO_PRINCIPAL: Promise<null> = Promise.resolve(null);

/** The decision when it allows; its refusal (401/403 with the challenge) otherwise. */
function enforced(decision: Decision): Decision {
  const error = decisionError(decision);
  if (error !== undefined) throw error;
  return decision;
}

function isThenable(value: Decision | PromiseLike<Decision>): value is PromiseLike<Decision> {
  return typeof (value as PromiseLike<Decision>).then === 'function';
}

function settle(decision: Decision): Promise<Decision> {
  const error = decisionError(decision);
  return error === undefined ? Promise.resolve(decision) : Promise.reject(error);
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
