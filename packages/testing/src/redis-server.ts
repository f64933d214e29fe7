import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** Options of {@link startRedis}. */
export interface StartRedisOptions {
  /** The `redis-server` binary. Default the `REDIS_SERVER` environment variable, else `redis-server` on the PATH. */
  readonly binary?: string;
  /** Milliseconds to wait for the server to answer `PING` after each start. Default 10 000. */
  readonly startTimeoutMs?: number;
}

/** A `redis-server` started by {@link startRedis}. */
export interface RedisServer {
  /** `redis://127.0.0.1:<port>`. */
  readonly url: string;
  readonly port: number;
  /** Stops the server (SIGTERM, then SIGKILL after 5 s); resolves once it has exited. */
  stop(): Promise<void>;
  /** Starts it again on the same port, empty (nothing is persisted); resolves once it answers. */
  restart(): Promise<void>;
}

/** Servers still running, killed if the test process exits without stopping them. */
const running = new Set<ChildProcess>();
let exitHookInstalled = false;

/**
 * Starts Debian's `redis-server` on 127.0.0.1, on a free port, with no persistence (`--save ''
 * --appendonly no`), and resolves once it answers `PING`. For tests of code that shares state
 * through Redis (`@valet/redis`): each test file gets its own server, stopped in `afterAll`.
 *
 * @example
 * ```ts
 * let redis: RedisServer;
 * beforeAll(async () => (redis = await startRedis()));
 * afterAll(() => redis.stop());
 * test('shared', async () => {
 *   const store = redisStateStore({ url: redis.url });
 *   // ...
 * });
 * ```
 */
export async function startRedis(options: StartRedisOptions = {}): Promise<RedisServer> {
  const binary = options.binary ?? process.env['REDIS_SERVER'] ?? 'redis-server';
  const startTimeoutMs = options.startTimeoutMs ?? 10_000;
  const dir = mkdtempSync(path.join(tmpdir(), 'valet-redis-'));
  let port = await freePort();
  let child: ChildProcess | undefined;

  const start = async (): Promise<void> => {
    // stop() removed the folder; a restart after it needs it back.
    mkdirSync(dir, { recursive: true });
    child = launch(binary, port, dir);
    await whenAnswering(child, port, startTimeoutMs, binary);
  };
  const stop = async (): Promise<void> => {
    const current = child;
    child = undefined;
    if (current !== undefined) await terminate(current);
  };

  // A free port can be taken between finding it and redis-server binding it: try another.
  for (let attempt = 1; ; attempt++) {
    try {
      await start();
      break;
    } catch (error) {
      await stop();
      if (attempt === 3 || !(error instanceof PortTakenError)) {
        rmSync(dir, { recursive: true, force: true });
        throw error;
      }
      port = await freePort();
    }
  }

  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    async stop() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
    async restart() {
      await stop();
      await start();
    },
  };
}

class PortTakenError extends Error {}

function launch(binary: string, port: number, dir: string): ChildProcess {
  const child = spawn(
    binary,
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      '--dir',
      dir,
      '--daemonize',
      'no',
      '--loglevel',
      'warning',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  running.add(child);
  child.once('exit', () => running.delete(child));
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once('exit', () => running.forEach((c) => c.kill('SIGKILL')));
  }
  return child;
}

/** Resolves once the server at `port` answers PING; rejects when `child` fails or exits first. */
function whenAnswering(child: ChildProcess, port: number, timeoutMs: number, binary: string): Promise<void> {
  let output = '';
  const collect = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4000));
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  return new Promise<void>((resolve, reject) => {
    let settled = false;
    const finish = (error?: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      child.off('error', onError);
      child.off('exit', onExit);
      if (error === undefined) resolve();
      else reject(error);
    };
    const onError = (error: NodeJS.ErrnoException) =>
      finish(
        error.code === 'ENOENT'
          ? new Error(
              `${binary} was not found: install Redis (Debian/Ubuntu: apt-get install -y redis-server) or set REDIS_SERVER to the redis-server binary.`,
              { cause: error },
            )
          : new Error(`Could not start ${binary}: ${error.message}`, { cause: error }),
      );
    const onExit = (code: number | null, signal: string | null) => {
      const why = `${binary} exited (${signal ?? `code ${code}`}) before answering on port ${port}`;
      finish(
        /Address already in use/i.test(output)
          ? new PortTakenError(`${why}: the port is taken.`)
          : new Error(`${why}:\n${output.trim()}`),
      );
    };
    const deadline = setTimeout(
      () =>
        finish(
          new Error(
            `${binary} did not answer PING on port ${port} within ${timeoutMs} ms:\n${output.trim()}`,
          ),
        ),
      timeoutMs,
    );
    child.once('error', onError);
    child.once('exit', onExit);
    const poll = (): void => {
      if (settled) return;
      ping(port).then(
        (ok) => (ok ? finish() : setTimeout(poll, 20)),
        () => setTimeout(poll, 20),
      );
    };
    poll();
  });
}

/** True when a Redis server answers `PING` on 127.0.0.1:`port`. */
function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    let reply = '';
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk) => {
      reply += chunk.toString();
      if (reply.includes('\r\n')) done(reply.startsWith('+PONG'));
    });
  });
}

function terminate(child: ChildProcess): Promise<void> {
  // A child that never started (no pid) has no exit to wait for.
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null)
    return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** A TCP port nothing listens on at the moment, on 127.0.0.1. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address !== null
          ? resolve(address.port)
          : reject(new Error('no port')),
      );
    });
  });
}
