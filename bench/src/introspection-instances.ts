/**
 * Introspection requests that reach the authorization server with several instances behind a
 * round-robin: three `IntrospectionVerifier`s (three instances of one resource server), each
 * with its own result cache, either alone (no store) or sharing answers through one real Redis
 * (`redisStateStore`, one connection per instance, `startRedis`). An RFC 7662 endpoint on
 * node:http counts what it is asked. Tokens are sent round-robin over the instances, several
 * requests in flight, for three cache lifetimes (TTL). Goal (issue "Many instances"): one
 * request to the IdP per token per TTL with Redis, whatever the instance count; without it, one
 * per instance (3).
 *
 *   pnpm --filter ./bench build && pnpm --filter ./bench introspection:instances   # needs redis-server
 */
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadavg } from 'node:os';
import { IntrospectionVerifier, type StateStore } from '@valet/core';
import { redisStateStore, type RedisStateStore } from '@valet/redis';
import { startRedis } from '@valet/testing';

const INSTANCES = 3;
const TOKENS = 301;
const TTL_SECONDS = 2;
const WINDOWS = 3;
const IN_FLIGHT = 8;
const AUDIENCE = 'https://mcp.example.com/mcp';

/** The IdP: an RFC 7662 endpoint that answers every token active, counting requests per token and per window. */
function startIdp(): Promise<{
  url: string;
  counts: Map<string, number[]>;
  setStart: (ms: number) => void;
  close: () => Promise<void>;
}> {
  const counts = new Map<string, number[]>();
  let start = Date.now();
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      const token = new URLSearchParams(body).get('token') ?? '';
      const window = Math.floor((Date.now() - start) / (TTL_SECONDS * 1000));
      const perWindow = counts.get(token) ?? [];
      perWindow[window] = (perWindow[window] ?? 0) + 1;
      counts.set(token, perWindow);
      res.setHeader('content-type', 'application/json');
      res.end(
        JSON.stringify({
          active: true,
          sub: `user-${token.slice(0, 6)}`,
          client_id: 'bench-client',
          scope: 'files:read',
          aud: AUDIENCE,
          iss: 'https://idp.example',
          exp: Math.floor(Date.now() / 1000) + 3600,
          token_type: 'Bearer',
          // When the IdP answered: how old the answer a verification is served from is.
          answered_at: Date.now(),
        }),
      );
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/introspect`,
        counts,
        setStart: (ms) => (start = ms),
        close: () => new Promise((done) => server.close(() => done())),
      }),
    ),
  );
}

interface Result {
  readonly idpRequests: number;
  readonly requests: number;
  /** Requests to the IdP per token per TTL, over the whole run. */
  readonly perTokenPerTtl: number;
  /** The most any token cost in the first window (all tokens start there). */
  readonly worstFirstWindow: number;
  /** The oldest answer a verification was served from, in seconds since the IdP gave it. */
  readonly oldestAnswerSeconds: number;
}

async function run(stores: readonly (StateStore | undefined)[]): Promise<Result> {
  const idp = await startIdp();
  const instances = stores.map(
    (store) =>
      new IntrospectionVerifier({
        endpoint: idp.url,
        clientAuth: { clientId: 'mcp-server', clientSecret: 'bench-secret' },
        audience: AUDIENCE,
        cache: { maxTtlSeconds: TTL_SECONDS },
        ...(store === undefined ? {} : { store }),
      }),
  );
  const tokens = Array.from({ length: TOKENS }, () => randomBytes(32).toString('base64url'));
  const durationMs = WINDOWS * TTL_SECONDS * 1000;
  const start = Date.now();
  idp.setStart(start);
  let next = 0;
  let requests = 0;
  let oldestAnswerMs = 0;
  // Request n takes token n % TOKENS on instance n % INSTANCES: with TOKENS not a multiple of
  // INSTANCES, every token reaches every instance in turn, as behind a round-robin.
  const worker = async (): Promise<void> => {
    while (Date.now() - start < durationMs) {
      const n = next++;
      const principal = await instances[n % INSTANCES]!.verify(tokens[n % TOKENS]!);
      oldestAnswerMs = Math.max(oldestAnswerMs, Date.now() - (principal.claims['answered_at'] as number));
      requests++;
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  const elapsedMs = Date.now() - start;
  let idpRequests = 0;
  let worstFirstWindow = 0;
  for (const perWindow of idp.counts.values()) {
    for (const count of perWindow) idpRequests += count ?? 0;
    worstFirstWindow = Math.max(worstFirstWindow, perWindow[0] ?? 0);
  }
  await idp.close();
  return {
    idpRequests,
    requests,
    perTokenPerTtl: idpRequests / TOKENS / (elapsedMs / (TTL_SECONDS * 1000)),
    worstFirstWindow,
    oldestAnswerSeconds: oldestAnswerMs / 1000,
  };
}

const redis = await startRedis();
const without = await run(Array.from({ length: INSTANCES }, () => undefined));
const shared: RedisStateStore[] = Array.from({ length: INSTANCES }, () =>
  redisStateStore({ url: redis.url }),
);
await Promise.all(shared.map((store) => store.get('warm-up')));
const withRedis = await run(shared);
await Promise.all(shared.map((store) => store.close()));
await redis.stop();

console.log(
  `Introspection, ${INSTANCES} instances round-robin, ${TOKENS} tokens, TTL ${TTL_SECONDS} s, ${WINDOWS} TTLs, ${IN_FLIGHT} in flight (load ${loadavg()[0]!.toFixed(2)})`,
);
const line = (what: string, r: Result): string =>
  `  ${what.padEnd(22)} IdP requests ${String(r.idpRequests).padStart(5)} of ${String(r.requests).padStart(7)} verifications; per token per TTL ${r.perTokenPerTtl.toFixed(2)}; worst token, first TTL ${r.worstFirstWindow}; oldest answer served ${r.oldestAnswerSeconds.toFixed(2)} s`;
console.log(line('no store', without));
console.log(line('shared Redis', withRedis));
const met = withRedis.perTokenPerTtl <= 1.05 && withRedis.worstFirstWindow === 1;
console.log(
  `goal: 1 IdP request per token per TTL with Redis: ${met ? 'met' : 'MISSED'} (${withRedis.perTokenPerTtl.toFixed(2)}; without: ${without.perTokenPerTtl.toFixed(2)})`,
);
