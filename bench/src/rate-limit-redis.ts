/**
 * The rate-limit check on Redis (`redisStateStore`, a real `redis-server` from `startRedis`):
 * Redis commands and round trips per request, and the time the check adds. Counting goes through
 * a TCP proxy in front of Redis: with one request at a time, each chunk the client writes is one
 * round trip (node-redis writes the commands issued in one tick together: a pipeline), and
 * `INFO commandstats` on the server gives the commands. Timing uses a direct connection. Requests:
 *
 * - a caller already admitted (`request.principal`), on a rate-limited operation and on one
 *   without a limit: the check alone;
 * - `Authorization: Bearer` with a cached token: what a usual request sends;
 * - `Authorization: Bearer` with the cache off (`JwtVerifier`): the revocation lookup too;
 * - `Authorization: DPoP` with a cached token and a fresh proof: the proof's `jti` too.
 *
 * Goal (issue "Many instances"): one round trip per request for the check, pipelined with
 * anything else the request needs.
 *
 *   pnpm --filter ./bench build && pnpm --filter ./bench rate-limit:redis   # needs redis-server
 */
import { connect, createServer, type AddressInfo, type Socket } from 'node:net';
import { loadavg } from 'node:os';
import {
  CachingVerifier,
  JwtVerifier,
  PolicyRegistry,
  allOf,
  createPrincipal,
  createValet,
  rateLimited,
  type AdmitRequest,
  type RequestedOperation,
  type StateStore,
  type TokenVerifier,
  type Valet,
} from '@valet/core';
import { redisStateStore } from '@valet/redis';
import { createDpopKey, startRedis } from '@valet/testing';
import { SignJWT, exportJWK, generateKeyPair } from 'jose';

const REQUESTS = 5_000;
const WARM_UP = 500;
const ROUNDS = 5;
const CONCURRENT = 32;
const COUNTED = 2_000;
const IN_SCRIPT = ['incr', 'pttl', 'pexpire'];
const ISSUER = 'https://auth.example.com';
const RESOURCE = 'https://mcp.example.com/mcp';

const redis = await startRedis();

// The proxy: client-to-server chunks counted, bytes passed on untouched both ways.
let writes = 0;
const sockets = new Set<Socket>();
const proxy = createServer((downstream) => {
  const upstream = connect(redis.port, '127.0.0.1');
  sockets.add(downstream).add(upstream);
  downstream.setNoDelay(true);
  upstream.setNoDelay(true);
  downstream.on('data', (chunk) => {
    writes++;
    upstream.write(chunk);
  });
  upstream.pipe(downstream);
  for (const socket of [downstream, upstream]) socket.on('error', () => undefined);
});
await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
const proxyUrl = `redis://127.0.0.1:${(proxy.address() as AddressInfo).port}`;

/** One RESP command on a connection of its own, its bulk-string reply as text. */
function ask(...args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(redis.port, '127.0.0.1');
    let reply = Buffer.alloc(0);
    socket.on('error', reject);
    socket.on('data', (chunk) => {
      reply = Buffer.concat([reply, chunk]);
      const header = reply.indexOf('\r\n');
      if (header < 0) return;
      const length = Number(reply.subarray(1, header).toString());
      if (reply.length >= header + 2 + length + 2) {
        socket.destroy();
        resolve(reply.subarray(header + 2, header + 2 + length).toString());
      }
    });
    socket.write(`*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`);
  });
}

const registry = new PolicyRegistry()
  .register({ id: 'limited', kind: 'tool', policy: rateLimited(allOf('files:read'), '999999999/d') })
  .register({ id: 'free', kind: 'tool', policy: allOf('files:read') });
const limited: readonly RequestedOperation[] = [{ id: 'limited' }];
const free: readonly RequestedOperation[] = [{ id: 'free' }];

const issuerKey = await generateKeyPair('ES256', { extractable: true });
const jwk = { ...(await exportJWK(issuerKey.publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' };
const dpopKey = await createDpopKey();
const mint = (claims: Record<string, unknown>) =>
  new SignJWT({ scope: 'files:read', client_id: 'bench-client', ...claims })
    .setProtectedHeader({ alg: 'ES256', kid: 'k1', typ: 'at+jwt' })
    .setIssuer(ISSUER)
    .setAudience(RESOURCE)
    .setSubject('bench-user')
    .setIssuedAt()
    .setExpirationTime('1h')
    .setJti('bench-jti')
    .sign(issuerKey.privateKey);
const bearer = await mint({});
const bound = await mint({ cnf: { jkt: dpopKey.jkt } });
const jwtVerifier = (): JwtVerifier =>
  new JwtVerifier({ issuer: ISSUER, audience: RESOURCE, keys: { keys: [jwk] }, algorithms: ['ES256'] });
const valetWith = (verifier: TokenVerifier, store: StateStore) =>
  createValet({
    registry,
    resource: RESOURCE,
    authorizationServers: [ISSUER],
    verifier,
    store,
    dpop: { mode: 'allowed', maxAgeSeconds: 600 },
  });
const counted = redisStateStore({ url: proxyUrl });
const direct = redisStateStore({ url: redis.url });
const valets = {
  counted: {
    cached: valetWith(new CachingVerifier(jwtVerifier()), counted),
    uncached: valetWith(jwtVerifier(), counted),
  },
  direct: {
    cached: valetWith(new CachingVerifier(jwtVerifier()), direct),
    uncached: valetWith(jwtVerifier(), direct),
  },
};
const all: Valet[] = [
  valets.counted.cached,
  valets.counted.uncached,
  valets.direct.cached,
  valets.direct.uncached,
];
await Promise.all(all.map((valet) => valet.ready()));

const callers = Array.from({ length: 1_000 }, (_, i) =>
  createPrincipal({
    issuer: ISSUER,
    subject: `user-${i}`,
    clientId: 'bench',
    scopes: ['files:read'],
    token: 'x',
  }),
);
const proofs = await Promise.all(
  Array.from({ length: 2 * (3 * WARM_UP + COUNTED + ROUNDS * REQUESTS + CONCURRENT * 200) }, () =>
    dpopKey.proof({ method: 'POST', url: `${RESOURCE}`, accessToken: bound }),
  ),
);
let nextProof = 0;

interface Scenario {
  readonly name: string;
  readonly request: (i: number) => AdmitRequest;
  readonly valet: 'cached' | 'uncached';
}
const scenario = (
  name: string,
  valet: Scenario['valet'],
  request: (i: number) => AdmitRequest,
): Scenario => ({
  name,
  valet,
  request,
});
const scenarios: Scenario[] = [];
for (const [operations, what] of [
  [free, 'no limit'],
  [limited, 'rate-limited'],
] as const) {
  scenarios.push(
    scenario(`admitted caller, ${what}`, 'cached', (i) => ({ principal: callers[i % 1_000]!, operations })),
    scenario(`Bearer, cached token, ${what}`, 'cached', () => ({
      authorization: `Bearer ${bearer}`,
      operations,
    })),
    scenario(`Bearer, cache off, ${what}`, 'uncached', () => ({
      authorization: `Bearer ${bearer}`,
      operations,
    })),
    scenario(`DPoP, cached token, ${what}`, 'cached', () => ({
      authorization: `DPoP ${bound}`,
      dpop: proofs[nextProof++]!,
      method: 'POST',
      url: '/mcp',
      operations,
    })),
  );
}

async function commandStats(): Promise<Map<string, number>> {
  const info = await ask('INFO', 'commandstats');
  const stats = new Map<string, number>();
  for (const match of String(info).matchAll(/^cmdstat_(\w+):calls=(\d+)/gm))
    stats.set(match[1]!, Number(match[2]));
  return stats;
}

interface Measured {
  readonly commands: number;
  readonly roundTrips: number;
  readonly server: string;
  readonly micros: number;
  readonly perSecond: number;
}

async function measure(s: Scenario): Promise<Measured> {
  // Counts, through the proxy.
  const viaProxy = valets.counted[s.valet];
  for (let i = 0; i < WARM_UP; i++) await viaProxy.admit(s.request(i));
  const writesBefore = writes;
  const statsBefore = await commandStats();
  for (let i = 0; i < COUNTED; i++) await viaProxy.admit(s.request(i));
  const roundTrips = (writes - writesBefore) / COUNTED;
  const statsAfter = await commandStats();
  let commands = 0;
  const server: string[] = [];
  for (const [name, calls] of statsAfter) {
    if (name === 'info') continue;
    const perRequest = (calls - (statsBefore.get(name) ?? 0)) / COUNTED;
    if (perRequest < 0.01) continue;
    // INCR, PTTL and PEXPIRE run inside the increment script: not commands the client sent.
    const inScript = IN_SCRIPT.includes(name);
    if (!inScript) commands += perRequest;
    server.push(`${inScript ? '(' : ''}${name} ${perRequest.toFixed(2)}${inScript ? ')' : ''}`);
  }
  // Time, on a direct connection.
  const valet = valets.direct[s.valet];
  for (let i = 0; i < WARM_UP; i++) await valet.admit(s.request(i));
  const rounds: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < REQUESTS; i++) await valet.admit(s.request(i));
    rounds.push(Number(process.hrtime.bigint() - start) / 1000 / REQUESTS);
  }
  // Throughput with requests in flight at once: node-redis pipelines commands issued in one tick.
  const total = CONCURRENT * 200;
  let next = 0;
  const start = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: CONCURRENT }, async () => {
      while (next < total) await valet.admit(s.request(next++));
    }),
  );
  const perSecond = total / (Number(process.hrtime.bigint() - start) / 1e9);
  return {
    commands,
    roundTrips,
    server: server.join(', '),
    micros: rounds.sort((a, b) => a - b)[ROUNDS >> 1]!,
    perSecond,
  };
}

console.log(
  `Rate limit on Redis (redis-server on loopback), one request at a time; median of ${ROUNDS} rounds of ${REQUESTS} (load ${loadavg()[0]!.toFixed(2)})`,
);
console.log(
  `  ${'request'.padEnd(36)} ${'commands'.padStart(8)} ${'round trips'.padStart(11)} ${'µs/req'.padStart(7)} ${`req/s, ${CONCURRENT} at once`.padStart(18)}   INFO commandstats per request (in the script)`,
);
const results = new Map<string, Measured>();
for (const s of scenarios) {
  const m = await measure(s);
  results.set(s.name, m);
  console.log(
    `  ${s.name.padEnd(36)} ${m.commands.toFixed(2).padStart(8)} ${m.roundTrips.toFixed(2).padStart(11)} ${m.micros.toFixed(1).padStart(7)} ${m.perSecond.toFixed(0).padStart(18)}   ${m.server}`,
  );
}
console.log('The check (rate-limited minus no limit):');
let allOne = true;
for (const kind of ['admitted caller', 'Bearer, cached token', 'Bearer, cache off', 'DPoP, cached token']) {
  const a = results.get(`${kind}, no limit`)!;
  const b = results.get(`${kind}, rate-limited`)!;
  const extraTrips = b.roundTrips - a.roundTrips;
  if (b.roundTrips > 1.01) allOne = false;
  console.log(
    `  ${kind.padEnd(22)} +${(b.commands - a.commands).toFixed(2)} commands, +${extraTrips.toFixed(2)} round trips (${b.roundTrips.toFixed(2)} in all), ${b.micros - a.micros >= 0 ? '+' : ''}${(b.micros - a.micros).toFixed(1)} µs`,
  );
}
console.log(
  `goal: one round trip per request, the check pipelined with the rest: ${allOne ? 'met' : 'MISSED (see round trips in all)'}`,
);

await Promise.all(all.map((valet) => valet.close()));
await Promise.all([counted.close(), direct.close()]);
for (const socket of sockets) socket.destroy();
proxy.close();
await redis.stop();
