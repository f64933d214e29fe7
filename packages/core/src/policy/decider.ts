import type { AuditSink } from '../audit/audit-sink.js';
import { OptionsError, PolicyConfigError } from '../errors.js';
import type { Principal } from '../principal.js';
import { makeDecision, type CompiledOperation } from './compile/compiled-operation.js';
import { compiledOf } from './compile/compiled-registry.js';
import { EvalState } from './compile/evaluate.js';
import { missingScopes } from './compile/missing-scopes.js';
import {
  checkRefusedReason,
  checkThrewReason,
  lowerFirst,
  scopeReason,
  unfixableReason,
  unknownOperationReason,
} from './compile/reasons.js';
import type { Decision } from './decision.js';
import type { AuthorizationContext } from './policy.js';
import type { RateLimit } from './rate-limit.js';
import type { PolicyRegistry } from './registry.js';

/** Per-call options of `Authorizer.authorize` and `valet.authorize`. */
export interface AuthorizeOptions {
  /**
   * Whether the decision goes to the audit sink. Default true. A second check of what the request
   * flow already decided and recorded passes false, so each call is audited once.
   */
  readonly audit?: boolean;
}

/** What checks see besides the principal; `operationId` is filled in by the authorizer. */
export type AuthorizeContext = Omit<AuthorizationContext, 'operationId'>;

const NONE: readonly string[] = Object.freeze([]);
const EMPTY_CONTEXT: AuthorizeContext = Object.freeze({});

/**
 * Decides operations from a frozen registry's compiled policies: the engine behind
 * `Authorizer` and the request flow (`valet.admit`). A decision is synchronous unless an async
 * check ran, so the flow answers a scope-only policy without a promise of its own.
 */
export class Decider {
  readonly #operations: ReadonlyMap<string, CompiledOperation>;
  readonly #audit: AuditSink | undefined;
  /** The operations with a rate limit, by id, with their label (`Tool "search"`); empty when none has one. */
  readonly rateLimits: ReadonlyMap<string, { readonly label: string; readonly rateLimit: RateLimit }>;

  /** Freezes `registry` if it is not frozen yet (which validates and compiles every policy). */
  constructor(registry: PolicyRegistry, audit: AuditSink | undefined) {
    registry.freeze();
    const operations = compiledOf(registry);
    if (operations === undefined) {
      throw new OptionsError('registry', 'registry must be a PolicyRegistry from this copy of @valet/core.');
    }
    this.#operations = operations;
    this.#audit = audit;
    const rateLimits = new Map<string, { readonly label: string; readonly rateLimit: RateLimit }>();
    for (const { id, label, rateLimit } of operations.values()) {
      if (rateLimit !== undefined) rateLimits.set(id, { label, rateLimit });
    }
    this.rateLimits = rateLimits;
  }

  /** The decision, synchronous unless an async check ran (scope-only policies never wait). */
  decide(
    principal: Principal | null,
    operationId: string,
    ctx: AuthorizeContext = EMPTY_CONTEXT,
    options?: AuthorizeOptions,
  ): Decision | Promise<Decision> {
    const op = this.#operations.get(operationId);
    let decision: Decision;
    if (op === undefined) decision = unknownOperation(principal, operationId);
    else if (principal === null) decision = op.anonymous;
    else if (op.compiled.scopeOnly) {
      decision = op.compiled.test(principal.scopes) ? op.allowed : deny(op, principal, undefined);
    } else {
      const state = new EvalState(principal, { ...ctx, operationId }, op.compiled.checks);
      const result = op.compiled.evaluate(state);
      if (typeof result !== 'boolean') {
        return result.then((allowed) => this.#report(principal, conclude(op, state, allowed), options));
      }
      decision = conclude(op, state, result);
    }
    return this.#audit === undefined ? decision : this.#report(principal, decision, options);
  }

  /** {@link Decider.decide}, refusing a check that returns a Promise with {@link PolicyConfigError}. */
  decideSync(
    principal: Principal | null,
    operationId: string,
    ctx: AuthorizeContext = EMPTY_CONTEXT,
    options?: AuthorizeOptions,
  ): Decision {
    const op = this.#operations.get(operationId);
    if (op === undefined || principal === null || op.compiled.scopeOnly) {
      return this.decide(principal, operationId, EMPTY_CONTEXT, options) as Decision;
    }
    const state = new EvalState(principal, { ...ctx, operationId }, op.compiled.checks);
    const result = op.compiled.evaluate(state);
    if (typeof result !== 'boolean') {
      throw new PolicyConfigError(
        `Check "${state.asyncIn}" of ${lowerFirst(op.label)} returned a Promise; ` +
          'use authorize() and await it, or make the check synchronous.',
      );
    }
    return this.#report(principal, conclude(op, state, result), options);
  }

  #report(principal: Principal | null, decision: Decision, options: AuthorizeOptions | undefined): Decision {
    if (options?.audit === false) return decision;
    this.#audit?.record({
      time: new Date().toISOString(),
      subject: principal?.subject,
      clientId: principal?.clientId,
      issuer: principal?.issuer,
      operationId: decision.operationId,
      allowed: decision.allowed,
      missing: decision.missing,
      reason: decision.reason,
    });
    return decision;
  }
}

function unknownOperation(principal: Principal | null, operationId: string): Decision {
  return makeDecision({
    allowed: false,
    operationId,
    policy: undefined,
    required: NONE,
    missing: NONE,
    reason: unknownOperationReason(operationId),
    authenticated: principal !== null,
  });
}

function conclude(op: CompiledOperation, state: EvalState, allowed: boolean): Decision {
  if (state.threwIn !== undefined) {
    return makeDecision({
      allowed: false,
      operationId: op.id,
      policy: op.policy,
      required: op.required,
      missing: NONE,
      reason: checkThrewReason(op.label, state.threwIn),
      authenticated: true,
      cause: state.cause,
    });
  }
  return allowed ? op.allowed : deny(op, state.principal, state);
}

function deny(op: CompiledOperation, principal: Principal, state: EvalState | undefined): Decision {
  const granted = principal.scopes;
  const missing = missingScopes(op.compiled, granted, state?.outcomes);
  const reason =
    missing.length > 0
      ? scopeReason(op.label, op.access, op.phrase, granted, missing)
      : state?.refusedBy !== undefined
        ? checkRefusedReason(op.label, state.refusedBy)
        : unfixableReason(op.label, op.phrase, granted);
  return makeDecision({
    allowed: false,
    operationId: op.id,
    policy: op.policy,
    required: op.required,
    missing,
    reason,
    authenticated: true,
  });
}
