/**
 * Loads servers running in child processes with autocannon from this process, all at once, and
 * measures each one's throughput and the CPU time it spends per request (asked of the child over
 * IPC: on a shared machine throughput follows whatever else runs, the CPU a request costs much
 * less so).
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
 * With two or more CPUs and `taskset` (util-linux), the servers run on the last CPU, sharing it,
 * and this process (autocannon) on the first, so that the load generator never takes a server's
 * CPU mid-run. `BENCH_PIN=0` turns it off.
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
  const pinned = PIN ? `, servers pinned to CPU ${cpus().length - 1}, load generator to CPU 0` : '';
  return `machine: ${cpus().length} x ${cpus()[0]?.model ?? '?'}, node ${process.version}, load ${loadavg()[0]!.toFixed(2)}${pinned}`;
}

/** A server running in a child process, probed and ready to load. */
export interface RunningServer {
  readonly name: string;
  readonly url: string;
  /** Stops the child process. */
  stop(): Promise<void>;
  /** The child's CPU time so far (`process.cpuUsage()`, user + system), in microseconds. */
  cpuMicros(): Promise<number>;
}

/** Starts `node <args>` with `env` and probes it with `request`: it must answer as `request.accepts`. */
export async function startServer(
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  request: LoadRequest,
): Promise<RunningServer> {
  const command = PIN ? ['taskset', '-c', String(cpus().length - 1), process.execPath] : [process.execPath];
  const child = spawn(command[0]!, [...command.slice(1), ...args], {
    env,
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  });
  const name = args.slice(1).join(' ');
  const stop = async () => {
    child.kill();
    if (child.exitCode === null && child.signalCode === null) await once(child, 'exit');
  };
  try {
    const url = `http://127.0.0.1:${await readyPort(child)}${request.path}`;
    const { method = 'GET', headers, body } = request;
    const probe = await fetch(url, { method, headers, ...(body === undefined ? {} : { body }) });
    const text = await probe.text();
    if (!request.accepts(probe.status, text)) throw new Error(`${name} answered ${probe.status}: ${text}`);
    return { name, url, stop, cpuMicros: () => cpuUsage(child) };
  } catch (error) {
    await stop();
    throw error;
  }
}

/**
 * Loads every server at once, each with its own autocannon run (`connections` each), and measures
 * each: `servers.length` processes share the machine (one CPU when pinned), so that whatever else
 * the machine does in those seconds hits every server alike and the ratios between them hold. A
 * run before a round is measured in sequence would be a different minute of a shared machine.
 */
export async function loadTogether(
  servers: readonly RunningServer[],
  request: LoadRequest,
  options: LoadOptions & { readonly warmUp?: number },
): Promise<Measure[]> {
  const { method = 'GET', headers, body } = request;
  const run = (server: RunningServer, duration: number) =>
    autocannon({
      url: server.url,
      method,
      headers: { ...headers },
      ...(body === undefined ? {} : { body }),
      connections: options.connections,
      duration,
    });
  if (options.warmUp !== undefined) await Promise.all(servers.map((server) => run(server, options.warmUp!)));
  const before = await Promise.all(servers.map((server) => server.cpuMicros()));
  const results = await Promise.all(servers.map((server) => run(server, options.seconds)));
  const after = await Promise.all(servers.map((server) => server.cpuMicros()));
  return results.map((result, i) => {
    if (result.non2xx > 0 || result.errors > 0) {
      throw new Error(`${servers[i]!.name}: ${result.non2xx} non-2xx, ${result.errors} errors`);
    }
    return { rps: result.requests.average, cpuMicros: (after[i]! - before[i]!) / result.requests.total };
  });
}

async function cpuUsage(child: ChildProcess): Promise<number> {
  const reply = once(child, 'message');
  child.send('cpu');
  const { user, system } = (await reply)[0] as NodeJS.CpuUsage;
  return user + system;
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

/** The median of `values` (the mean of the middle two for an even count). */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}
