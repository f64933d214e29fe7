import type { Decision } from '../decision.js';
import { describePolicy } from '../describe.js';
import type { Policy } from '../policy.js';
import type { OperationKind } from '../operation-kind.js';
import { compilePolicy, type CompiledPolicy } from './compiled-policy.js';
import { frozenSet } from '../../lib/frozen-set.js';
import { missingScopes } from './missing-scopes.js';
import { operationRateLimit, withoutRateLimit } from './operation-rate-limit.js';
import type { RateLimit } from '../rate-limit.js';
import { allowedReason, anonymousReason, operationLabel, requirementPhrase } from './reasons.js';
import { requiredScopes } from './required-scopes.js';

/** An operation as the authorizer uses it: everything that does not depend on the caller, precomputed. */
export interface CompiledOperation {
  readonly id: string;
  readonly policy: Policy;
  /** The policy without its rate limit: who may call, as reasons describe it. */
  readonly access: Policy;
  /** How often each caller may perform it, if limited. */
  readonly rateLimit: RateLimit | undefined;
  readonly compiled: CompiledPolicy;
  /** `Tool "write_file"`. */
  readonly label: string;
  /** What the policy asks for, as the object of "requires". */
  readonly phrase: string;
  readonly required: readonly string[];
  /** The decision for an authenticated caller the policy allows: shared, frozen. */
  readonly allowed: Decision;
  /** The decision for a caller without a token, allowed or not. */
  readonly anonymous: Decision;
}

/** Builds a frozen decision; every decision has this one shape, `cause` included. */
export function makeDecision(fields: Decision): Decision {
  const { allowed, operationId, policy, required, missing, reason, authenticated, cause } = fields;
  return Object.freeze({ allowed, operationId, policy, required, missing, reason, authenticated, cause });
}

const NONE: readonly string[] = Object.freeze([]);
const NO_SCOPES = frozenSet<string>([]);

/**
 * What compiling needs of a registered operation, which has a policy (the registry checked).
 * Structural, so this file does not import the registry that imports it.
 */
interface OperationToCompile {
  readonly id: string;
  readonly kind: OperationKind;
  readonly policy: Policy;
}

/** Compiles a registered operation. */
export function compileOperation(
  operation: OperationToCompile,
  satisfiersOf: (scope: string) => readonly string[],
): CompiledOperation {
  const { id, policy } = operation;
  const compiled = compilePolicy(policy, satisfiersOf);
  const label = operationLabel(operation.kind, id);
  const access = withoutRateLimit(policy);
  const rateLimit = operationRateLimit(policy);
  const described = describePolicy(access);
  const phrase = requirementPhrase(access, described);
  const required = requiredScopes(policy);
  const allowed = makeDecision({
    allowed: true,
    operationId: id,
    policy,
    required,
    missing: NONE,
    reason: allowedReason(label, described),
    authenticated: true,
  });
  const anonymous = compiled.anonymous
    ? makeDecision({ ...allowed, authenticated: false })
    : makeDecision({
        allowed: false,
        operationId: id,
        policy,
        required,
        missing: missingScopes(compiled, NO_SCOPES, undefined),
        reason: anonymousReason(label, access, phrase),
        authenticated: false,
      });
  return Object.freeze({
    id,
    policy,
    access,
    rateLimit,
    compiled,
    label,
    phrase,
    required,
    allowed,
    anonymous,
  });
}
