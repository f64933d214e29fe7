import type { Decision } from '../policy/decision.js';
import { describePolicy } from '../policy/describe.js';
import type { Policy } from '../policy/policy.js';
import type { RegisteredOperation } from '../policy/registry.js';
import { compilePolicy, type CompiledPolicy } from './compiled-policy.js';
import { frozenSet } from './frozen-set.js';
import { missingScopes } from './missing-scopes.js';
import { allowedReason, anonymousReason, operationLabel, requirementPhrase } from './reasons.js';
import { requiredScopes } from './required-scopes.js';

/** An operation as the authorizer uses it: everything that does not depend on the caller, precomputed. */
export interface CompiledOperation {
  readonly id: string;
  readonly policy: Policy;
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

/** Builds a frozen decision; every decision has this one shape. */
export function makeDecision(
  allowed: boolean,
  operationId: string,
  policy: Policy | undefined,
  required: readonly string[],
  missing: readonly string[],
  reason: string,
  authenticated: boolean,
  cause?: unknown,
): Decision {
  return Object.freeze({ allowed, operationId, policy, required, missing, reason, authenticated, cause });
}

const NONE: readonly string[] = Object.freeze([]);
const NO_SCOPES = frozenSet<string>([]);

/** Compiles a registered operation (which has a policy: the registry checked). */
export function compileOperation(
  operation: RegisteredOperation & { readonly policy: Policy },
  satisfiersOf: (scope: string) => readonly string[],
): CompiledOperation {
  const { id, policy } = operation;
  const compiled = compilePolicy(policy, satisfiersOf);
  const label = operationLabel(operation.kind, id);
  const described = describePolicy(policy);
  const phrase = requirementPhrase(policy, described);
  const required = requiredScopes(policy);
  const allowedText = allowedReason(label, described);
  return Object.freeze({
    id,
    policy,
    compiled,
    label,
    phrase,
    required,
    allowed: makeDecision(true, id, policy, required, NONE, allowedText, true),
    anonymous: compiled.anonymous
      ? makeDecision(true, id, policy, required, NONE, allowedText, false)
      : makeDecision(
          false,
          id,
          policy,
          required,
          missingScopes(compiled, NO_SCOPES, undefined),
          anonymousReason(label, policy, phrase),
          false,
        ),
  });
}
