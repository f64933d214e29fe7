import type { AuditSink } from '../audit/audit-sink.js';
import { OptionsError } from '../errors.js';
import type { Principal } from '../principal.js';
import { Decider, type AuthorizeContext, type AuthorizeOptions } from './decider.js';
import type { Decision } from './decision.js';
import type { PolicyRegistry } from './registry.js';

/** Options of {@link Authorizer}. */
export interface AuthorizerOptions {
  /** Receives every decision. Without one, no audit event is even built. */
  readonly audit?: AuditSink;
}

/**
 * Decides whether a principal may perform an operation, from the registry's compiled policies.
 * Scope-only policies are decided synchronously without allocating when allowed (the decision
 * is precomputed); checks run only for an authenticated principal and may be async. Nothing
 * here throws for a denial: a check that throws is a denial, and every decision (with its
 * reason) comes back as a {@link Decision}; {@link decisionError} turns it into the error to
 * answer with.
 *
 * @example
 * ```ts
 * const authorizer = new Authorizer(registry, { audit: jsonLinesAuditSink(process.stderr) });
 * const decision = await authorizer.authorize(principal, 'write_file', { arguments: input });
 * const error = decisionError(decision);
 * if (error) throw error; // 401 or 403, with its challenge
 * ```
 */
export class Authorizer {
  /** The registry decisions come from (frozen). */
  readonly registry: PolicyRegistry;
  readonly #decider: Decider;

  /** Freezes `registry` if it is not frozen yet (which validates and compiles every policy). */
  constructor(registry: PolicyRegistry, options: AuthorizerOptions = {}) {
    if (options.audit !== undefined && typeof options.audit?.record !== 'function') {
      throw new OptionsError('audit', 'audit must be an AuditSink: an object with a record(event) method.');
    }
    this.#decider = new Decider(registry, options.audit);
    this.registry = registry;
  }

  /**
   * Decides. Unknown operations are denied (default deny); nothing rejects for a denial. An
   * exception from the audit sink rejects: a decision that cannot be audited is not handed out.
   */
  async authorize(
    principal: Principal | null,
    operationId: string,
    ctx?: AuthorizeContext,
    options?: AuthorizeOptions,
  ): Promise<Decision> {
    return this.#decider.decide(principal, operationId, ctx, options);
  }

  /**
   * {@link Authorizer.authorize} for callers that cannot wait (list filters, benchmarks): scope
   * policies always decide synchronously; throws {@link PolicyConfigError} if a check returned a
   * Promise.
   */
  authorizeSync(
    principal: Principal | null,
    operationId: string,
    ctx?: AuthorizeContext,
    options?: AuthorizeOptions,
  ): Decision {
    return this.#decider.decideSync(principal, operationId, ctx, options);
  }
}
