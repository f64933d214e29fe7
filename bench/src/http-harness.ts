/**
 * Runs HTTP servers (http-servers.ts) one at a time in a child process and loads each with
 * autocannon from this process: same token, same key, same request. Prints requests per second
 * and the server's CPU time per request, and compares servers by the latter: on a shared machine
 * throughput follows whatever else runs, while the CPU a request costs does not.
 */
import { fileURLToPath } from 'node:url';
import { createTestIssuer } from '@valet/testing';
import type { ServerName } from './http-servers.js';
import { machineLine, measureChild, type Measure } from './load.js';

/** One server to measure; `goal`: it must reach `ratio` x the throughput of `against`. */
export interface BenchCase {
  readonly server: ServerName;
  readonly label: string;
  readonly goal?: { readonly against: ServerName; readonly ratio: number };
}

const AUDIENCE = 'https://files.example.test/api';
const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const CONNECTIONS = 10;
const SERVERS_SCRIPT = fileURLToPath(new URL('./http-servers.js', import.meta.url));

/** Measures every case, round after round, and prints the comparison. */
export async function compareServers(title: string, cases: readonly BenchCase[]): Promise<void> {
  const issuer = await createTestIssuer({ audience: AUDIENCE });
  try {
    const token = await issuer.mint({ scopes: ['files:read'], audience: AUDIENCE });
    const env = {
      ...process.env,
      BENCH_ISSUER: issuer.url,
      BENCH_JWKS_URI: issuer.jwksUri,
      BENCH_AUDIENCE: AUDIENCE,
    };
    console.log(
      `${title}: ${SECONDS} s per server after 1 s warm-up, ${CONNECTIONS} connections, best of ${ROUNDS}`,
    );
    console.log(machineLine());
    const request = {
      path: '/files/42',
      headers: { authorization: `Bearer ${token}` },
      accepts: (status: number) => status === 200,
    };
    const rounds = new Map<ServerName, Measure[]>(cases.map((c) => [c.server, []]));
    for (let round = 0; round < ROUNDS; round++) {
      // Every other round backwards, so that no contender always runs right after another.
      for (const c of round % 2 === 0 ? cases : [...cases].reverse()) {
        const m = await measureChild([SERVERS_SCRIPT, c.server], env, request, {
          seconds: SECONDS,
          connections: CONNECTIONS,
        });
        rounds.get(c.server)!.push(m);
      }
    }
    print(cases, rounds);
  } finally {
    await issuer.close();
  }
}

/**
 * Ratios compare CPU time per request (x2.00 = half the cost of the baseline); req/s is shown as
 * measured. Each server's best round is shown; a goal is judged on the median of the per-round
 * ratios, as the two servers of a round ran minutes apart at most and shared whatever else the
 * machine was doing, where their best rounds may come from quieter and busier moments.
 */
function print(cases: readonly BenchCase[], rounds: ReadonlyMap<ServerName, readonly Measure[]>): void {
  const of = (server: ServerName) => rounds.get(server)!;
  const best = (server: ServerName): Measure => ({
    rps: Math.max(...of(server).map((m) => m.rps)),
    cpuMicros: Math.min(...of(server).map((m) => m.cpuMicros)),
  });
  /** Speed of `server` against `against`, round by round (the same round's CPU per request). */
  const ratios = (server: ServerName, against: ServerName) =>
    of(server).map((m, i) => of(against)[i]!.cpuMicros / m.cpuMicros);
  const baseline = cases[0]!.server;
  const missed: string[] = [];
  console.log(
    `  ${'server'.padEnd(34)} ${'req/s'.padStart(7)}   ${'CPU/req'.padStart(9)}   best vs ${baseline}, median of rounds`,
  );
  for (const c of cases) {
    const { rps, cpuMicros } = best(c.server);
    let goal = '';
    if (c.goal !== undefined) {
      const each = ratios(c.server, c.goal.against);
      const ratio = median(each);
      const met = ratio >= c.goal.ratio;
      if (!met) missed.push(c.label);
      goal = `   goal >= ${c.goal.ratio}x ${c.goal.against}: ${ratio.toFixed(2)}x ${met ? 'met' : 'NOT met'} (rounds ${each.map((r) => r.toFixed(2)).join(' ')})`;
    }
    const bestRatio = (best(baseline).cpuMicros / cpuMicros).toFixed(2);
    const medianRatio = median(ratios(c.server, baseline)).toFixed(2);
    console.log(
      `  ${c.label.padEnd(34)} ${rps.toFixed(0).padStart(7)}   ${cpuMicros.toFixed(1).padStart(6)} µs   x${bestRatio}, x${medianRatio}${goal}`,
    );
  }
  console.log(missed.length === 0 ? 'every goal met' : `goals NOT met: ${missed.join(', ')}`);
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}
