/**
 * The in-memory rate-limit check per call: `valet.admit` for an admitted caller (no token to
 * verify) on a rate-limited operation, next to the same operation without a limit, in the same
 * process and run; the difference is what the check costs (one `store.increment` on the
 * default `memoryStateStore`, the caller key, the comparison). 1 000 callers take turns, so the
 * store holds one counter each. Goal (issue text): <= 1 µs per check.
 *
 *   pnpm --filter @valet/core build && pnpm --filter ./bench build && pnpm --filter ./bench rate-limit
 */
import {
  PolicyRegistry,
  allOf,
  createPrincipal,
  createValet,
  memoryStateStore,
  rateLimited,
  type Principal,
  type RequestedOperation,
} from '@valet/core';

const GOAL_NS = 1_000;
const ROUNDS = 9;
const ITERATIONS = 500_000;
const WARM_UP = 200_000;

const callers: Principal[] = Array.from({ length: 1_000 }, (_, i) =>
  createPrincipal({
    issuer: 'https://idp.example',
    subject: `user-${i}`,
    clientId: 'bench',
    scopes: ['files:read'],
    token: 'x',
  }),
);

const registry = new PolicyRegistry()
  // A limit no caller reaches: every call is counted and allowed.
  .register({ id: 'limited', kind: 'tool', policy: rateLimited(allOf('files:read'), '999999999/d') })
  .register({ id: 'free', kind: 'tool', policy: allOf('files:read') });
const valet = createValet({
  registry,
  resource: 'https://api.example/mcp',
  verifier: { verify: () => Promise.reject(new Error('not used')) },
  authorizationServers: ['https://idp.example'],
});
const limited: readonly RequestedOperation[] = [{ id: 'limited' }];
const free: readonly RequestedOperation[] = [{ id: 'free' }];
const store = memoryStateStore();

/** Nanoseconds per awaited call, median over ROUNDS rounds after a warm-up. */
async function nanosPerCall(run: (i: number) => Promise<unknown>): Promise<number> {
  for (let i = 0; i < WARM_UP; i++) await run(i);
  const rounds: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < ITERATIONS; i++) await run(i);
    rounds.push(Number(process.hrtime.bigint() - start) / ITERATIONS);
  }
  return rounds.sort((a, b) => a - b)[Math.floor(ROUNDS / 2)]!;
}

const freeNs = await nanosPerCall((i) => valet.admit({ principal: callers[i % 1_000]!, operations: free }));
const limitedNs = await nanosPerCall((i) =>
  valet.admit({ principal: callers[i % 1_000]!, operations: limited }),
);
const incrementNs = await nanosPerCall((i) => store.increment(`valet:rl:"limited":${i % 1_000}`, 86_400_000));
const checkNs = limitedNs - freeNs;

const row = (what: string, ns: number): string => `${what.padEnd(44)} ${ns.toFixed(0).padStart(6)} ns`;
console.log('Rate limit, in memory (median of rounds, per awaited call)');
console.log(row('admit, operation without a limit', freeNs));
console.log(row('admit, rate-limited operation', limitedNs));
console.log(row('memoryStateStore().increment alone', incrementNs));
console.log(row('the rate-limit check (difference)', checkNs));
console.log(`goal <= ${GOAL_NS} ns per check: ${checkNs <= GOAL_NS ? 'met' : 'MISSED'}`);
