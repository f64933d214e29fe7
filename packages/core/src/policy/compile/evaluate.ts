import type { Principal } from '../../principal.js';
import type { AuthorizationContext, CheckFn } from '../policy.js';

/**
 * What one evaluation of a policy with checks records: each check's outcome (by index), the
 * last check that refused, and the first that threw or went async. Only policies with checks
 * allocate one.
 */
export class EvalState {
  /** `true`/`false` once a check has answered; `undefined` when it did not run. */
  readonly outcomes: (boolean | undefined)[];
  /** The last check that answered false. */
  refusedBy: string | undefined = undefined;
  /** The first check that threw (or rejected): the decision is then a denial, whatever else passed. */
  threwIn: string | undefined = undefined;
  cause: unknown = undefined;
  /** The first check that returned a Promise. */
  asyncIn: string | undefined = undefined;

  constructor(
    readonly principal: Principal,
    readonly ctx: AuthorizationContext,
    checks: number,
  ) {
    this.outcomes = new Array<boolean | undefined>(checks).fill(undefined);
  }
}

/** Evaluates a (sub-)policy; a Promise only when an async check ran. Never rejects. */
export type Evaluator = (state: EvalState) => boolean | Promise<boolean>;

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

function settle(state: EvalState, name: string, index: number, result: unknown): boolean {
  // Only a literal `true` allows: a truthy object or string returned by mistake must not open the door.
  const allowed = result === true;
  state.outcomes[index] = allowed;
  if (!allowed) state.refusedBy = name;
  return allowed;
}

function threw(state: EvalState, name: string, index: number, error: unknown): false {
  state.outcomes[index] = false;
  if (state.threwIn === undefined) {
    state.threwIn = name;
    state.cause = error;
  }
  return false;
}

/** Runs a check; a throw or rejection is recorded and counts as a refusal. */
export function checkEvaluator(name: string, fn: CheckFn, index: number): Evaluator {
  return (state) => {
    let result: unknown;
    try {
      result = fn(state.principal, state.ctx);
    } catch (error) {
      return threw(state, name, index, error);
    }
    if (!isThenable(result)) return settle(state, name, index, result);
    state.asyncIn ??= name;
    return Promise.resolve(result).then(
      (value) => settle(state, name, index, value),
      (error: unknown) => threw(state, name, index, error),
    );
  };
}

/** `not`: the inverse, sync or async as the inner evaluation is. */
export function negate(inner: Evaluator): Evaluator {
  return (state) => {
    const result = inner(state);
    return typeof result === 'boolean' ? !result : result.then((value) => !value);
  };
}

/** `and` (all = true) or `or`, short-circuiting in order; goes async at the first async child. */
export function combine(children: readonly Evaluator[], all: boolean): Evaluator {
  return (state) => {
    for (let i = 0; i < children.length; i++) {
      const result = children[i]!(state);
      if (typeof result !== 'boolean') return finishAsync(result, children, i + 1, all, state);
      if (result !== all) return result;
    }
    return all;
  };
}

async function finishAsync(
  pending: Promise<boolean>,
  children: readonly Evaluator[],
  from: number,
  all: boolean,
  state: EvalState,
): Promise<boolean> {
  if ((await pending) !== all) return !all;
  for (let i = from; i < children.length; i++) {
    if ((await children[i]!(state)) !== all) return !all;
  }
  return all;
}
