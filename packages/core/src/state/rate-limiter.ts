import { PolicyConfigError, RateLimitedError } from '../errors.js';
import type { Principal } from '../principal.js';
import { describeRateLimit, type RateLimit } from '../policy/rate-limit.js';
import type { CounterState, StateStore } from './state-store.js';

/** What counting one operation needs, computed once. */
interface Counted {
  /** `valet:rl:"search":`: the operation id as a JSON string, so no id can end inside another's key. */
  readonly prefix: string;
  readonly windowMs: number;
  readonly rateLimit: RateLimit;
  /** `Tool "search" allows at most 60 per minute per caller`. */
  readonly sentence: string;
}

/**
 * Counts the calls of each rate-limited operation per caller in the store (fixed windows: one
 * `store.increment` per limited operation of a request) and refuses the call past the limit with
 * {@link RateLimitedError}. A caller is its issuer, subject and client together, so two clients of
 * one user, or one subject at two issuers, count apart; anonymous callers are not counted.
 *
 * Fails open: when the store rejects (Redis unreachable) or answers nonsense, the call is let
 * through uncounted. A rate limit protects capacity; refusing every call because the counter is
 * down would turn a store outage into a server outage.
 */
export class RateLimiter {
  readonly #store: StateStore;
  readonly #operations: ReadonlyMap<string, Counted>;

  /** `undefined` when no operation has a limit: the flow then does nothing more per request. */
  static of(
    operations: ReadonlyMap<string, { readonly label: string; readonly rateLimit: RateLimit }>,
    store: StateStore,
  ): RateLimiter | undefined {
    return operations.size === 0 ? undefined : new RateLimiter(operations, store);
  }

  private constructor(
    operations: ReadonlyMap<string, { readonly label: string; readonly rateLimit: RateLimit }>,
    store: StateStore,
  ) {
    const counted = new Map<string, Counted>();
    const shared = new Map<string, RateLimit>();
    for (const [id, { label, rateLimit }] of operations) {
      if (rateLimit.shared !== undefined) {
        const first = shared.get(rateLimit.shared) ?? rateLimit;
        if (first.limit !== rateLimit.limit || first.windowSeconds !== rateLimit.windowSeconds) {
          throw new PolicyConfigError(
            `${label}: the rate limit shared as "${rateLimit.shared}" is "${first.spec}" elsewhere and "${rateLimit.spec}" here; give them one spec.`,
          );
        }
        shared.set(rateLimit.shared, first);
      }
      counted.set(id, {
        prefix:
          rateLimit.shared === undefined
            ? `valet:rl:${JSON.stringify(id)}:`
            : `valet:rl:shared:${JSON.stringify(rateLimit.shared)}:`,
        windowMs: rateLimit.windowSeconds * 1000,
        rateLimit,
        sentence: `${label} allows ${describeRateLimit(rateLimit)}`,
      });
    }
    this.#operations = counted;
    this.#store = store;
  }

  /**
   * Counts one call of each limited operation in `operations` for `principal`; resolves to the
   * principal, or rejects with the {@link RateLimitedError} of the first operation over its limit.
   */
  admit(principal: Principal, operations: readonly { readonly id: string }[]): Promise<Principal> {
    if (operations.length !== 1) return this.#admitEach(principal, operations);
    // One operation, the usual request: one promise chain, no async frames.
    const { id } = operations[0]!;
    const counted = this.#operations.get(id);
    if (counted === undefined) return Promise.resolve(principal);
    let counting: Promise<CounterState>;
    try {
      counting = this.#store.increment(counted.prefix + callerKey(principal), counted.windowMs);
    } catch {
      return Promise.resolve(principal); // fail open: see the class comment
    }
    return Promise.resolve(counting).then(
      (counter) => {
        const refused = refusal(counted, counter, id);
        if (refused !== undefined) throw refused;
        return principal;
      },
      () => principal,
    );
  }

  async #admitEach(principal: Principal, operations: readonly { readonly id: string }[]): Promise<Principal> {
    let refused: RateLimitedError | undefined;
    let caller: string | undefined;
    for (const { id } of operations) {
      const counted = this.#operations.get(id);
      if (counted === undefined) continue;
      caller ??= callerKey(principal);
      refused ??= await this.#count(counted, caller, id);
    }
    if (refused !== undefined) throw refused;
    return principal;
  }

  /** The refusal when this call is over the limit; never rejects (fail open: see the class comment). */
  #count(counted: Counted, caller: string, operationId: string): Promise<RateLimitedError | undefined> {
    let counting: Promise<CounterState>;
    try {
      counting = this.#store.increment(counted.prefix + caller, counted.windowMs);
    } catch {
      return NOT_REFUSED;
    }
    return Promise.resolve(counting).then(
      (counter) => refusal(counted, counter, operationId),
      () => undefined,
    );
  }
}

const NOT_REFUSED: Promise<undefined> = Promise.resolve(undefined);

function refusal(counted: Counted, counter: unknown, operationId: string): RateLimitedError | undefined {
  const { count, ttlMs } = (counter ?? {}) as Partial<Record<keyof CounterState, unknown>>;
  const { limit, windowSeconds } = counted.rateLimit;
  if (typeof count !== 'number' || !(count > limit)) return undefined;
  const resetSeconds = typeof ttlMs === 'number' && ttlMs > 0 ? Math.ceil(ttlMs / 1000) : windowSeconds;
  return new RateLimitedError(`${counted.sentence}; retry in ${resetSeconds} s.`, {
    operationId,
    limit,
    windowSeconds,
    resetSeconds,
  });
}

/** Issuer, subject and client as one JSON array: no value can be read as part of another. */
function callerKey(principal: Principal): string {
  return JSON.stringify([principal.issuer ?? null, principal.subject ?? null, principal.clientId ?? null]);
}
