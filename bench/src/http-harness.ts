/**
 * Runs HTTP servers (http-servers.ts) one at a time in a child process and loads each with
 * autocannon from this process: same token, same key, same request. Prints requests per second
 * and the server's CPU time per request, and compares servers by the latter: on a shared machine
 * throughput follows whatever else runs, while the CPU a request costs does not.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { createTestIssuer } from '@valet/testing';
import autocannon from 'autocannon';
import type { ServerName } from './http-servers.js';

/** One server to measure; `goal`: it must reach `ratio` x the throughput of `against`. */
export interface BenchCase {
  readonly server: ServerName;
  readonly label: string;
  readonly goal?: { readonly against: ServerName; readonly ratio: number };
}

const AUDIENCE = 'https://files.example.test/api';
const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 1);
const CONNECTIONS = 10;
const SERVERS_SCRIPT = fileURLToPath(new URL('./http-servers.js', import.meta.url));

/** A measured server: throughput, and the server's CPU time per request (robust to other load on the machine). */
interface Measure {
  readonly rps: number;
  readonly cpuMicros: number;
}

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
    console.log(
      `machine: ${cpus().length} x ${cpus()[0]?.model ?? '?'}, node ${process.version}, load ${loadavg()[0]!.toFixed(2)}`,
    );
    const best = new Map<ServerName, Measure>();
    for (let round = 0; round < ROUNDS; round++) {
      for (const c of cases) {
        const m = await measure(c.server, token, env);
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

async function measure(server: ServerName, token: string, env: NodeJS.ProcessEnv): Promise<Measure> {
  const child = spawn(process.execPath, [SERVERS_SCRIPT, server], {
    env,
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  });
  try {
    const url = `http://127.0.0.1:${await readyPort(child)}/files/42`;
    const headers = { authorization: `Bearer ${token}` };
    // A benchmark of refusals would measure nothing: the server must accept the token first.
    const probe = await fetch(url, { headers });
    if (probe.status !== 200) throw new Error(`${server} answered ${probe.status}: ${await probe.text()}`);
    await autocannon({ url, headers, connections: CONNECTIONS, duration: 1 });
    const before = await cpuUsage(child);
    const result = await autocannon({ url, headers, connections: CONNECTIONS, duration: SECONDS });
    const after = await cpuUsage(child);
    if (result.non2xx > 0 || result.errors > 0) {
      throw new Error(`${server}: ${result.non2xx} non-2xx, ${result.errors} errors`);
    }
    const cpu = after.user + after.system - before.user - before.system;
    return { rps: result.requests.average, cpuMicros: cpu / result.requests.total };
  } finally {
    child.kill();
    if (child.exitCode === null) await once(child, 'exit');
  }
}

async function cpuUsage(child: ChildProcess): Promise<NodeJS.CpuUsage> {
  const reply = once(child, 'message');
  child.send('cpu');
  return (await reply)[0] as NodeJS.CpuUsage;
}

async function readyPort(child: ChildProcess): Promise<number> {
  let output = '';
  for await (const chunk of child.stdout!) {
    output += String(chunk);
    const match = /READY (\d+)/.exec(output);
    if (match) return Number(match[1]);
  }
  throw new Error(`server exited before it was ready: ${output}`);
}
