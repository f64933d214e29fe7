/**
 * Compares HTTP servers (http-servers.ts) two at a time: each in a child process, both loaded at
 * once with autocannon from this process (same token, same key, same request), round after
 * round. Prints requests per second and each server's CPU time per request, and compares the
 * two by the latter.
 */
import { fileURLToPath } from 'node:url';
import { createTestIssuer } from '@valet/testing';
import type { ServerName } from './http-servers.js';
import { loadTogether, machineLine, median, startServer, type Measure, type LoadRequest } from './load.js';

/** A contender and what it is measured against; `goal`: it must reach `goal` x the other's speed. */
export interface BenchPair {
  readonly server: ServerName;
  readonly label: string;
  readonly against: ServerName;
  readonly againstLabel: string;
  readonly goal?: number;
}

const AUDIENCE = 'https://files.example.test/api';
const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
const CONNECTIONS = 10;
const WARM_UP = 3;
const SERVERS_SCRIPT = fileURLToPath(new URL('./http-servers.js', import.meta.url));

/** Measures every pair, one after another, and prints each comparison. */
export async function comparePairs(title: string, pairs: readonly BenchPair[]): Promise<void> {
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
      `${title}: two servers at a time, loaded at once: ${ROUNDS} rounds of ${SECONDS} s after ${WARM_UP} s of warm-up, ${CONNECTIONS} connections each`,
    );
    console.log(machineLine());
    const request: LoadRequest = {
      path: '/files/42',
      headers: { authorization: `Bearer ${token}` },
      accepts: (status: number) => status === 200,
    };
    const missed: string[] = [];
    for (const pair of pairs) {
      const rounds = await measurePair(pair, env, request);
      if (!print(pair, rounds)) missed.push(pair.label);
    }
    console.log(missed.length === 0 ? 'every goal met' : `goals NOT met: ${missed.join(', ')}`);
  } finally {
    await issuer.close();
  }
}

/** `[against, server]` measured together, round after round. */
async function measurePair(
  pair: BenchPair,
  env: NodeJS.ProcessEnv,
  request: LoadRequest,
): Promise<(readonly Measure[])[]> {
  const servers = await Promise.all(
    [pair.against, pair.server].map((name) => startServer([SERVERS_SCRIPT, name], env, request)),
  );
  try {
    const rounds: (readonly Measure[])[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const options = { seconds: SECONDS, connections: CONNECTIONS };
      rounds.push(
        await loadTogether(servers, request, round === 0 ? { ...options, warmUp: WARM_UP } : options),
      );
    }
    return rounds;
  } finally {
    await Promise.all(servers.map((server) => server.stop()));
  }
}

/**
 * The ratio compares CPU time per request (x2.00 = half the other's cost); req/s is shown as
 * measured (the two servers share the CPU, so each figure is a share of what it would do alone).
 * The two servers of a round ran in the same seconds, whatever else the machine did then, so
 * each round gives a ratio; the goal is judged on their median, and their range is shown.
 * Returns whether the goal (if any) is met.
 */
function print(pair: BenchPair, rounds: readonly (readonly Measure[])[]): boolean {
  const row = (label: string, i: number) => {
    const rps = median(rounds.map((m) => m[i]!.rps));
    const cpu = median(rounds.map((m) => m[i]!.cpuMicros));
    return `  ${label.padEnd(36)} ${rps.toFixed(0).padStart(7)} req/s   ${cpu.toFixed(1).padStart(6)} µs CPU/req`;
  };
  const ratios = rounds.map(([against, server]) => against!.cpuMicros / server!.cpuMicros);
  const ratio = median(ratios);
  const met = pair.goal === undefined || ratio >= pair.goal;
  console.log(`${pair.label} vs ${pair.againstLabel}`);
  console.log(row(pair.againstLabel, 0));
  console.log(row(pair.label, 1));
  console.log(
    `  ratio x${ratio.toFixed(2)} (rounds ${ratios.map((r) => r.toFixed(2)).join(' ')})${
      pair.goal === undefined ? '' : `   goal >= ${pair.goal}: ${met ? 'met' : 'NOT met'}`
    }`,
  );
  return met;
}
