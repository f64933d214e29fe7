import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { PolicyRegistry, createValet, oidc, type Valet } from '@valet/core';
import { redisStateStore, type RedisStateStore } from '@valet/redis';
import {
  createDpopKey,
  createTestIssuer,
  startDevAuthorizationServer,
  startRedis,
  type DevAuthorizationServer,
  type RedisServer,
  type TestIssuer,
} from '@valet/testing';
import { freePort } from '../src/free-port.js';
import { postToolCall } from './support/tool-call.js';

// Three files-mcp processes (the built dist/main.js, as deployed) behind a pretend proxy: each
// listens on its own port, all name one public URL in VALET_AUDIENCE and share one redis-server.

const ROOT = path.resolve(__dirname, '../../..');
const MAIN = path.join(ROOT, 'examples/files-mcp/dist/main.js');
/** What clients call, through the proxy; no instance listens on it. */
const PUBLIC_URL = 'https://files.example.test/mcp';
const INSTANCES = 3;

interface Instance {
  readonly port: number;
  readonly child: ChildProcess;
  output: string;
}

interface Reply {
  readonly status: number;
  readonly headers: Headers;
  readonly body: string;
}

let redis: RedisServer;
let issuer: TestIssuer;
const instances: Instance[] = [];
/** The test's own Valet on the same Redis: the instance a revocation is made on (the servers expose no admin path). */
let admin: { valet: Valet; store: RedisStateStore } | undefined;

/** Compiles the example (4 s) so the processes run the sources under test; the packages' dist comes from `pnpm build`. */
async function buildExample(): Promise<void> {
  const tsc = path.join(ROOT, 'node_modules/typescript/bin/tsc');
  try {
    await promisify(execFile)(process.execPath, [tsc, '-p', 'examples/files-mcp/tsconfig.build.json'], {
      cwd: ROOT,
    });
  } catch (error) {
    const { stdout = '' } = error as { stdout?: string };
    throw new Error(`Building examples/files-mcp failed (run pnpm build first):\n${stdout}`, {
      cause: error,
    });
  }
}

/** Spawns dist/main.js with `env`; resolves once it listens, rejects with its output if it exits first. */
function startInstance(env: Record<string, string>): Promise<Instance> {
  const port = Number(env['PORT']);
  const child = spawn(process.execPath, [MAIN], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const instance: Instance = { port, child, output: '' };
  instances.push(instance);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no start in 15 s:\n${instance.output}`)), 15_000);
    const read = (chunk: Buffer) => {
      instance.output += chunk.toString();
      if (/\(listening on /.test(instance.output)) {
        clearTimeout(timer);
        resolve(instance);
      }
    };
    child.stdout!.on('data', read);
    child.stderr!.on('data', read);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code} before listening:\n${instance.output}`));
    });
  });
}

/** Resolves to the exit code once `child` has exited (SIGKILL after 5 s). */
function stopped(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', (code) => {
      clearTimeout(kill);
      resolve(code);
    });
    child.kill(signal);
  });
}

/** One `tools/call` of `list_files`, straight to an instance's port (as the proxy would forward it). */
async function callTool(instance: Instance, headers: Record<string, string>): Promise<Reply> {
  const res = await postToolCall(`http://127.0.0.1:${instance.port}/mcp`, headers, 'list_files');
  return { status: res.status, headers: res.headers, body: await res.text() };
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** A successful tool call: 200 with a JSON-RPC result that is not a tool error. */
function expectServed(reply: Reply): void {
  expect({ status: reply.status, body: reply.body }).toMatchObject({
    status: 200,
    body: expect.stringContaining('"result"'),
  });
  expect(reply.body).not.toContain('"isError":true');
}

/** A read token for its own caller: each test counts against its own rate limit. */
function readToken(subject: string, claims: Record<string, unknown> = {}): Promise<string> {
  return issuer.mint({ subject, scopes: 'files:read', claims });
}

/**
 * Polls `instance` with `token` until it answers 401; resolves to the milliseconds that took. Until
 * then the token is served, or refused 429 once its caller is past the rate limit (the limit is
 * counted after the revocation check, so a 429 means the revocation is not heard yet).
 */
async function msUntilRefused(instance: Instance, token: string, withinMs: number): Promise<number> {
  const started = performance.now();
  for (;;) {
    const reply = await callTool(instance, bearer(token));
    const elapsed = performance.now() - started;
    if (reply.status === 401) {
      expect(reply.headers.get('www-authenticate')).toMatch(/error="invalid_token"/);
      return elapsed;
    }
    expect([200, 429]).toContain(reply.status);
    if (elapsed > withinMs)
      throw new Error(`port ${instance.port} still serves the token after ${withinMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

beforeAll(async () => {
  [, redis, issuer] = await Promise.all([
    buildExample(),
    startRedis(),
    createTestIssuer({ audience: PUBLIC_URL }),
  ]);
  const env = {
    VALET_ISSUER: issuer.url,
    VALET_AUDIENCE: PUBLIC_URL,
    VALET_REDIS_URL: redis.url,
    VALET_RATE_LIMIT: '3/60',
    VALET_DPOP: 'allowed',
    HOST: '127.0.0.1',
  };
  const ports = await Promise.all(Array.from({ length: INSTANCES }, () => freePort()));
  await Promise.all(ports.map((port) => startInstance({ ...env, PORT: String(port) })));
  const store = redisStateStore({ url: redis.url });
  const valet = createValet({
    registry: new PolicyRegistry(),
    resource: PUBLIC_URL,
    idp: oidc({ issuer: issuer.url, audience: PUBLIC_URL }),
    store,
  });
  admin = { valet, store };
  await valet.ready();
}, 60_000);

afterAll(async () => {
  await Promise.all(instances.map(({ child }) => stopped(child, 'SIGKILL')));
  await admin?.valet.close().catch(() => undefined);
  await admin?.store.close();
  await redis?.stop();
  await issuer?.close();
});

describe('files-mcp as three processes sharing one redis-server (VALET_REDIS_URL)', () => {
  it('each instance says it shares its state through Redis and limits every tool', () => {
    for (const { output } of instances) {
      expect(output).toContain(`State: shared through Redis at ${redis.url} `);
      expect(output).toContain('Rate limit: every tool, at most 3 per minute per caller (VALET_RATE_LIMIT).');
    }
  });

  it('Security: revocation: a token revoked on one instance is refused by every instance within 1 s, from their caches too', async () => {
    const jti = randomUUID();
    const token = await readToken('revoked-user', { jti });
    // Verified, and so cached, on every instance.
    for (const instance of instances) expectServed(await callTool(instance, bearer(token)));

    await admin!.valet.revoke({ jti });
    const delays = await Promise.all(instances.map((instance) => msUntilRefused(instance, token, 1000)));
    for (const delay of delays) expect(delay).toBeLessThan(1000);
  });

  it('Security: rate-limit evasion across instances: 3/60 counts every instance, the 4th call is 429 wherever it lands', async () => {
    const token = await readToken('busy-user');
    const [a, b, c] = instances as [Instance, Instance, Instance];
    for (const instance of [a, b, c]) expectServed(await callTool(instance, bearer(token)));
    for (const instance of [a, b, c]) {
      const reply = await callTool(instance, bearer(token));
      expect(reply.status).toBe(429);
      expect(Number(reply.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(Number(reply.headers.get('retry-after'))).toBeLessThanOrEqual(60);
    }
    // Another caller has a count of its own.
    expectServed(await callTool(a, bearer(await readToken('other-user'))));
  });

  it('Security: DPoP proof replay across instances: a proof used on one instance is refused on another', async () => {
    const key = await createDpopKey();
    const token = await readToken('dpop-user', { cnf: { jkt: key.jkt } });
    const dpop = (proof: string) => ({ authorization: `DPoP ${token}`, dpop: proof });
    const [a, b, c] = instances as [Instance, Instance, Instance];

    const proof = await key.proof({ method: 'POST', url: PUBLIC_URL, accessToken: token });
    expectServed(await callTool(a, dpop(proof)));
    const replayed = await callTool(b, dpop(proof));
    expect(replayed.status).toBe(401);
    expect(replayed.headers.get('www-authenticate')).toMatch(/error="invalid_dpop_proof"/);

    // htu is the public URL on every instance (the proxy case), not the address an instance listens
    // on. Another caller: the replay above counted against this one's limit (attempts count).
    const other = await readToken('dpop-user-2', { cnf: { jkt: key.jkt } });
    const otherDpop = (proof: string) => ({ authorization: `DPoP ${other}`, dpop: proof });
    for (const instance of [b, c]) {
      const fresh = await key.proof({ method: 'POST', url: PUBLIC_URL, accessToken: other });
      expectServed(await callTool(instance, otherDpop(fresh)));
    }
    const local = await key.proof({
      method: 'POST',
      url: `http://127.0.0.1:${c.port}/mcp`,
      accessToken: other,
    });
    const refused = await callTool(c, otherDpop(local));
    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toMatch(/error="invalid_dpop_proof"/);
  });

  it('Redis stopped: a fresh token is 503 with Retry-After, cached tokens are served and not limited; after a restart fresh tokens are served', async () => {
    const cached = await readToken('outage-user');
    // Three calls: cached on every instance, and at the limit.
    for (const instance of instances) expectServed(await callTool(instance, bearer(cached)));

    await redis.stop();
    const fresh = await callTool(instances[0]!, bearer(await readToken('outage-fresh-user')));
    expect(fresh.status).toBe(503);
    expect(fresh.headers.get('retry-after')).toBe('1');
    // A fourth, fifth and sixth call: served (the revocation check reads the cache, the limit fails open).
    const during = await Promise.all(instances.map((instance) => callTool(instance, bearer(cached))));
    for (const reply of during) expectServed(reply);

    await redis.restart();
    const after = await readToken('after-outage-user');
    const deadline = performance.now() + 10_000;
    let reply = await callTool(instances[1]!, bearer(after));
    while (reply.status === 503 && performance.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      reply = await callTool(instances[1]!, bearer(after));
    }
    expectServed(reply);
  });

  it('SIGTERM stops every instance cleanly (its Redis connections closed), exit 0', async () => {
    const codes = await Promise.all(instances.map(({ child }) => stopped(child)));
    expect(codes).toEqual(instances.map(() => 0));
  });
});

describe('files-mcp as three processes introspecting tokens (VALET_INTROSPECTION_CLIENT_ID), answers shared through Redis', () => {
  const CLIENT = { clientId: 'files-mcp', clientSecret: 'files-mcp-introspection-secret' };
  let as: DevAuthorizationServer;
  let introspecting: Instance[];

  beforeAll(async () => {
    as = await startDevAuthorizationServer({
      resources: [{ url: PUBLIC_URL, scopes: ['files:read'], accessTokenFormat: 'opaque' }],
      clients: [CLIENT],
    });
    const env = {
      VALET_ISSUER: as.issuer,
      VALET_AUDIENCE: PUBLIC_URL,
      VALET_REDIS_URL: redis.url,
      VALET_INTROSPECTION_CLIENT_ID: CLIENT.clientId,
      VALET_INTROSPECTION_CLIENT_SECRET: CLIENT.clientSecret,
      HOST: '127.0.0.1',
    };
    const ports = await Promise.all(Array.from({ length: INSTANCES }, () => freePort()));
    introspecting = await Promise.all(ports.map((port) => startInstance({ ...env, PORT: String(port) })));
  }, 60_000);

  afterAll(async () => {
    await Promise.all((introspecting ?? []).map(({ child }) => stopped(child)));
    await as?.close();
  });

  /** An opaque token for the files server, from the development authorization server's dev-client. */
  const opaqueToken = () => as.clientCredentialsToken({ resource: PUBLIC_URL, scope: 'files:read' });

  it('each instance says it introspects at the authorization server and shares the answers through Redis', () => {
    for (const { output } of introspecting) {
      expect(output).toContain(
        `Tokens: introspected (RFC 7662) at ${as.issuer} as files-mcp, answers shared through Redis.`,
      );
    }
  });

  it('one token used round-robin on the three instances reaches the introspection endpoint once', async () => {
    const token = await opaqueToken();
    const before = as.requests.introspection;
    for (let round = 0; round < 2; round++) {
      for (const instance of introspecting) expectServed(await callTool(instance, bearer(token)));
    }
    expect(as.requests.introspection - before).toBe(1);
  });

  it('Security: a revoked token: its inactive answer is shared too, refused by every instance for one introspection', async () => {
    const token = await opaqueToken();
    const { clientId, clientSecret } = as.defaultClient;
    const revoked = await fetch(as.revocationEndpoint, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}` },
      body: new URLSearchParams({ token }),
    });
    expect(revoked.status).toBe(200);
    const before = as.requests.introspection;
    for (const instance of introspecting) {
      const reply = await callTool(instance, bearer(token));
      expect(reply.status).toBe(401);
      expect(reply.headers.get('www-authenticate')).toMatch(/error="invalid_token"/);
    }
    expect(as.requests.introspection - before).toBe(1);
  });
});

describe('files-mcp start-up with VALET_REDIS_URL', () => {
  it('an unreachable Redis stops the start with a message naming VALET_REDIS_URL, exit 1', async () => {
    const port = await freePort();
    const url = `redis://:hunter2@127.0.0.1:${await freePort()}`;
    const error = await startInstance({
      VALET_ISSUER: issuer.url,
      VALET_AUDIENCE: PUBLIC_URL,
      VALET_REDIS_URL: url,
      PORT: String(port),
    }).catch((e: unknown) => e as Error);
    expect(error).toBeInstanceOf(Error);
    const { message } = error as Error;
    expect(message).toContain('exited with 1 before listening');
    expect(message).toMatch(
      /files-mcp: VALET_REDIS_URL: Redis at redis:\/\/127\.0\.0\.1:\d+ cannot be reached/,
    );
    expect(message).not.toContain('hunter2');
  });
});
