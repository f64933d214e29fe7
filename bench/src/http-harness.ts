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

/** Measures every case (each round in turn, the best round kept) and prints the comparison. */
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
    const best = new Map<ServerName, Measure>();
    for (let round = 0; round < ROUNDS; round++) {
      // Every other round backwards, so that no contender always runs right after another.
      for (const c of round % 2 === 0 ? cases : [...cases].reverse()) {
        const m = await measureChild([SERVERS_SCRIPT, c.server], env, request, {
          seconds: SECONDS,
          connections: CONNECTIONS,
        });
        const seen = best.get(c.server);
        best.set(c.server, {
          rps: Math.max(seen?.rps ?? 0, m.rps),
          cpuMicros: Math.min(seen?.cpuMicros ?? Infinity, m.cpuMicros),
        });
      }
    }
    print(cases, best);
  } finally {
    await issuer.close();
  }
}

/** Ratios compare CPU time per request (x2.00 = half the cost of the baseline); req/s is shown as measured. */
function print(cases: readonly BenchCase[], best: ReadonlyMap<ServerName, Measure>): void {
  const speed = (server: ServerName) => 1 / best.get(server)!.cpuMicros;
  const baseline = cases[0]!.server;
  const missed: string[] = [];
  console.log(
    `  ${'server'.padEnd(34)} ${'req/s'.padStart(7)}   ${'CPU/req'.padStart(9)}   speed vs ${baseline}`,
  );
  for (const c of cases) {
    const { rps, cpuMicros } = best.get(c.server)!;
    let goal = '';
    if (c.goal !== undefined) {
      const ratio = speed(c.server) / speed(c.goal.against);
      const met = ratio >= c.goal.ratio;
      if (!met) missed.push(c.label);
      goal = `   goal >= ${c.goal.ratio}x ${c.goal.against}: ${ratio.toFixed(2)}x ${met ? 'met' : 'NOT met'}`;
    }
    const ratio = (speed(c.server) / speed(baseline)).toFixed(2);
    console.log(
      `  ${c.label.padEnd(34)} ${rps.toFixed(0).padStart(7)}   ${cpuMicros.toFixed(1).padStart(6)} µs   x${ratio}${goal}`,
    );
  }
  console.log(missed.length === 0 ? 'every goal met' : `goals NOT met: ${missed.join(', ')}`);
}
