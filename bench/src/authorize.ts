/**
 * Decisions per second of `Authorizer.authorizeSync` for scope-only policies, next to a naive
 * hand-written check (`scopes.includes` over the token's scope list) as the peer, in the same
 * process and run. Goal: >= 5,000,000 allowed scope-only decisions per second.
 *
 *   pnpm --filter @valet/core build && pnpm --filter ./bench build && pnpm --filter ./bench authorize
 */
import {
  Authorizer,
  PolicyRegistry,
  allOf,
  and,
  anyOf,
  createPrincipal,
  defineScopes,
  or,
  type Principal,
} from '@valet/core';

const GOAL = 10_000_000;
const ROUNDS = 7;
const ITERATIONS = 2_000_000;
const WARM_UP = 500_000;

const filler = Array.from({ length: 16 }, (_, i) => `extra:${i}`);
const full = [...filler, 'files:read', 'files:write', 'team:member', 'projects:read'];
const lacking = [...filler, 'files:read', 'projects:read', 'team:guest', 'billing:read'];
const principal = (scopes: readonly string[]): Principal =>
  createPrincipal({ subject: 'bench', scopes, token: 'x' });
const allowedCaller = principal(full);
const deniedCaller = principal(lacking);

const catalog = defineScopes({
  'files:read': {},
  'files:write': { implies: ['files:read'] },
  'projects:read': {},
  'team:member': {},
  admin: { implies: ['files:write', 'projects:read', 'team:member'] },
});

const nested = and(
  allOf('files:read'),
  or(allOf('admin'), and(anyOf('files:write', 'files:owner'), allOf('team:member'))),
);
const registry = new PolicyRegistry()
  .register({ id: 'all3', kind: 'tool', policy: allOf('files:read', 'files:write', 'team:member') })
  .register({ id: 'nested', kind: 'tool', policy: nested });
const authorizer = new Authorizer(registry);
const implied = new Authorizer(
  new PolicyRegistry({ catalog }).register({
    id: 'all3',
    kind: 'tool',
    policy: allOf('files:read', 'projects:read', 'team:member'),
  }),
);
const adminCaller = principal([...filler, 'admin', 'x:1', 'x:2', 'x:3']);

// The peer: what a hand-written guard does with the token's scope list.
const naiveAll3 = (scopes: readonly string[]): boolean => {
  for (const scope of ['files:read', 'files:write', 'team:member']) if (!scopes.includes(scope)) return false;
  return true;
};
const naiveNested = (scopes: readonly string[]): boolean =>
  scopes.includes('files:read') &&
  (scopes.includes('admin') ||
    ((scopes.includes('files:write') || scopes.includes('files:owner')) && scopes.includes('team:member')));

let blackhole = 0;

/** Median operations per second over ROUNDS timed rounds, after a warm-up. */
function opsPerSecond(run: () => boolean, iterations = ITERATIONS): number {
  for (let i = 0; i < WARM_UP; i++) if (run()) blackhole++;
  const rates: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < iterations; i++) if (run()) blackhole++;
    const nanos = Number(process.hrtime.bigint() - start);
    rates.push((iterations / nanos) * 1e9);
  }
  rates.sort((a, b) => a - b);
  return rates[Math.floor(rates.length / 2)]!;
}

const decide = (auth: Authorizer, caller: Principal, id: string) => (): boolean =>
  auth.authorizeSync(caller, id).allowed;

interface Row {
  readonly name: string;
  readonly valet: number;
  readonly naive: number | undefined;
}

function expectDecision(auth: Authorizer, caller: Principal, id: string, allowed: boolean): void {
  if (auth.authorizeSync(caller, id).allowed !== allowed) {
    throw new Error(`bench setup: ${id} should be ${allowed ? 'allowed' : 'denied'}`);
  }
}
expectDecision(authorizer, allowedCaller, 'all3', true);
expectDecision(authorizer, deniedCaller, 'all3', false);
expectDecision(authorizer, allowedCaller, 'nested', true);
expectDecision(authorizer, deniedCaller, 'nested', false);
expectDecision(implied, adminCaller, 'all3', true);

const fullList = [...allowedCaller.scopes];
const lackingList = [...deniedCaller.scopes];
const rows: Row[] = [
  {
    name: 'allOf(3 scopes), 20 granted, allowed',
    valet: opsPerSecond(decide(authorizer, allowedCaller, 'all3')),
    naive: opsPerSecond(() => naiveAll3(fullList)),
  },
  {
    name: 'allOf(3 scopes), 20 granted, denied',
    valet: opsPerSecond(decide(authorizer, deniedCaller, 'all3'), ITERATIONS / 4),
    naive: opsPerSecond(() => naiveAll3(lackingList)),
  },
  {
    name: 'nested and/or, allowed',
    valet: opsPerSecond(decide(authorizer, allowedCaller, 'nested')),
    naive: opsPerSecond(() => naiveNested(fullList)),
  },
  {
    name: 'nested and/or, denied',
    valet: opsPerSecond(decide(authorizer, deniedCaller, 'nested'), ITERATIONS / 4),
    naive: opsPerSecond(() => naiveNested(lackingList)),
  },
  {
    name: 'allOf(3) via catalog implication, allowed',
    valet: opsPerSecond(decide(implied, adminCaller, 'all3')),
    naive: undefined,
  },
];

const format = (n: number): string => Math.round(n).toLocaleString('en-US').padStart(13);
console.log(`authorize: median of ${ROUNDS} rounds (Node ${process.version}); ratio = valet / naive`);
console.log(`${'scenario'.padEnd(44)} ${'valet ops/s'.padStart(13)} ${'naive ops/s'.padStart(13)}  ratio`);
for (const row of rows) {
  const naive = row.naive === undefined ? '—'.padStart(13) : format(row.naive);
  const ratio = row.naive === undefined ? '' : (row.valet / row.naive).toFixed(2);
  console.log(`${row.name.padEnd(44)} ${format(row.valet)} ${naive}  ${ratio}`);
}
const allowRate = Math.min(rows[0]!.valet, rows[2]!.valet);
console.log(
  `goal >= ${GOAL.toLocaleString('en-US')} scope-only allowed decisions/s: ` +
    `${allowRate >= GOAL ? 'met' : 'NOT met'} (slowest allowed scenario: ${format(allowRate).trim()}/s)`,
);
if (blackhole < 0) console.log(blackhole);
