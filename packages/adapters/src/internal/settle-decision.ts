import { decisionError, type AuthorizeContext, type Decision, type Principal, type Valet } from '@valet/core';

/**
 * Decides `operationId` for `principal` and calls `done` with the refusal (a Valet error), or
 * with nothing when allowed: at once for a decision made at once (a policy without checks), so
 * an allowed cached caller costs no promise; when it settles otherwise.
 */
export function settleDecision(
  valet: Valet,
  principal: Principal | null,
  operationId: string,
  ctx: AuthorizeContext | undefined,
  done: (error?: Error) => void,
): void {
  let decision: Decision | Promise<Decision>;
  try {
    decision = valet.authorize(principal, operationId, ctx);
  } catch (error) {
    done(error as Error);
    return;
  }
  if (isDecision(decision)) done(decisionError(decision));
  else Promise.resolve(decision).then((settled) => done(decisionError(settled)), done);
}

function isDecision(value: Decision | PromiseLike<Decision>): value is Decision {
  return typeof (value as PromiseLike<Decision>).then !== 'function';
}
