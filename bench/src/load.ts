/**
 * Loads one server running in a child process with autocannon from this process, and measures
 * its throughput and the CPU time it spends per request (asked of the child over IPC: on a
 * shared machine throughput follows whatever else runs, the CPU a request costs much less so).
 * The child prints `READY <port>` once listening and answers any IPC message with its
 * `process.cpuUsage()`.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { cpus, loadavg } from 'node:os';
import autocannon from 'autocannon';

/** A measured server: requests per second, and the server's CPU time per request. */
export interface Measure {
  readonly rps: number;
  readonly cpuMicros: number;
}

/** The request a server is loaded with, after it has answered it once as it should. */
export interface LoadRequest {
  readonly path: string;
  readonly method?: 'GET' | 'POST';
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
  /** Whether the probe's answer is the one to measure: a benchmark of refusals would measure nothing. */
  readonly accepts: (status: number, body: string) => boolean;
}

/** How long to load and how hard. */
export interface LoadOptions {
  readonly seconds: number;
  readonly connections: number;
}

/**
 * With two or more CPUs and `taskset` (util-linux), the server runs on the last CPU and this
 * process (autocannon) on the first, so that neither takes the other's CPU mid-run: on a small
 * machine that is most of the spread between runs. `BENCH_PIN=0` turns it off.
 */
const PIN = process.env.BENCH_PIN !== '0' && cpus().length >= 2 && pinSelf();

function pinSelf(): boolean {
  try {
    execFileSync('taskset', ['-cp', '0', String(process.pid)], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** The machine and its load, for the header of a benchmark's output. */
export function machineLine(): string {
  const pinned = PIN ? `, server pinned to CPU ${cpus().length - 1}, load generator to CPU 0` : '';
  return `machine: ${cpus().length} x ${cpus()[0]?.model ?? '?'}, node ${process.version}, load ${loadavg()[0]!.toFixed(2)}${pinned}`;
}

/** Starts `node <args>` with `env`, probes it with `request`, loads it (1 s warm-up, then `seconds`), and stops it. */
export async function measureChild(
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  request: LoadRequest,
  options: LoadOptions,
): Promise<Measure> {
  const command = PIN ? ['taskset', '-c', String(cpus().length - 1), process.execPath] : [process.execPath];
  const child = spawn(command[0]!, [...command.slice(1), ...args], {
    env,
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  });
  const name = args.slice(1).join(' ');
  try {
    const url = `http://127.0.0.1:${await readyPort(child)}${request.path}`;
    const { method = 'GET', headers, body } = request;
    const probe = await fetch(url, { method, headers, ...(body === undefined ? {} : { body }) });
    const text = await probe.text();
    if (!request.accepts(probe.status, text)) throw new Error(`${name} answered ${probe.status}: ${text}`);
    const load = {
      url,
      method,
      headers: { ...headers },
      ...(body === undefined ? {} : { body }),
      connections: options.connections,
    };
    await autocannon({ ...load, duration: 1 });
    const before = await cpuUsage(child);
    const result = await autocannon({ ...load, duration: options.seconds });
    const after = await cpuUsage(child);
    if (result.non2xx > 0 || result.errors > 0) {
      throw new Error(`${name}: ${result.non2xx} non-2xx, ${result.errors} errors`);
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
