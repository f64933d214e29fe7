/**
 * The soak's four servers in a process of their own, so that the memory goal reads the servers'
 * memory, not the load generator's or the token minting's. soak.ts forks it with `--expose-gc`
 * and the issuer's URL and JWKS URI as arguments. It writes every line the servers log (audit
 * events, unexpected errors) to stdout, for the soak to scan; sends {@link Ready} once listening;
 * then answers each {@link Ask}, in order, with a {@link Reading}: `checkpoint` after a full GC,
 * `sample` without one, `close` once the servers are closed (the process then exits).
 */
import { startServers, type SoakTarget } from './servers.js';

/** What the soak asks. */
export type Ask = 'checkpoint' | 'sample' | 'close';

/** The first message: the servers to load. */
export interface Ready {
  readonly targets: readonly SoakTarget[];
}

/** The answer to every {@link Ask}: the process's memory and each server's cache counters. */
export interface Reading {
  readonly memory: NodeJS.MemoryUsage;
  readonly caches: readonly {
    readonly name: string;
    readonly hits: number;
    readonly misses: number;
    readonly size: number;
  }[];
}

const [issuer, jwksUri] = process.argv.slice(2);
const gc = (globalThis as { gc?: () => void }).gc;
const send = process.send?.bind(process);
if (issuer === undefined || jwksUri === undefined || gc === undefined || send === undefined) {
  throw new Error(
    'server-process.js is forked by soak.js: fork(path, [issuer, jwksUri], { execArgv: ["--expose-gc"] }).',
  );
}

const servers = await startServers(issuer, jwksUri, (line) => process.stdout.write(`${line}\n`));

function reading(): Reading {
  const caches = servers.map(({ target, cache }) => {
    const { hits, misses, size } = cache.stats;
    return { name: target.name, hits, misses, size };
  });
  return { memory: process.memoryUsage(), caches };
}

async function close(): Promise<void> {
  await Promise.all(servers.map((server) => server.close()));
  send!(reading(), () => process.disconnect());
}

process.on('message', (ask: Ask) => {
  if (ask === 'close') return void close();
  if (ask === 'checkpoint') gc();
  send(reading());
});
send({ targets: servers.map((server) => server.target) } satisfies Ready);
