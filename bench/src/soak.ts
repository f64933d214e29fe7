/**
 * Soak: four servers protected by Valet (Express, Fastify, MCP SDK v1, MCP SDK v2; the cache on)
 * run in a child process of their own (soak/server-process.ts); this process runs a test issuer
 * and loads them all at once with mixed traffic (good tokens, cached and fresh; garbage, expired,
 * wrong-audience and made-up-kid tokens; a token without the scope; no token) and, on the way,
 * rotates the issuer's keys and takes its JWKS down for a few seconds (rotating again inside the
 * outage, so that serving the new key needs a fetch after it). It samples the server process's
 * memory every second and judges five goals at the end, one line each; the exit code is 1 when one
 * is missed. The faults' timeline (`SOAK_SECONDS`, 60 s by default) starts after a warm-up under
 * the same load that lasts until the server process's RSS has settled (V8 sizes its heap to the
 * allocation rate for tens of seconds: memory is judged flat from then on). Figures and what each
 * fault does: docs/reliability.md.
 *
 *   pnpm --filter ./bench build && pnpm --filter ./bench soak
 *   SOAK_SECONDS=30 pnpm --filter ./bench soak     # or: node dist/soak.js --seconds 30
 *   SOAK_OUTAGE=hang                               # the JWKS hangs instead of answering 503
 */
import { cpus, loadavg } from 'node:os';
import { createTestIssuer } from '@valet/testing';
import { drive, type Exchange } from './soak/drive.js';
import { forkServers } from './soak/fork-servers.js';
import type { Reading } from './soak/server-process.js';
import { RESOURCE } from './soak/servers.js';
import { GOOD, Tokens, containsToken, expectedStatus } from './soak/tokens.js';

const flag = process.argv.indexOf('--seconds');
const SECONDS = Number(flag >= 0 ? process.argv[flag + 1] : (process.env.SOAK_SECONDS ?? 60));
const CONNECTIONS = Number(process.env.SOAK_CONNECTIONS ?? 4);
const OUTAGE_MODE = process.env.SOAK_OUTAGE === 'hang' ? 'hang' : 'unavailable';
if (!(SECONDS >= 5 && CONNECTIONS >= 1))
  throw new Error('SOAK_SECONDS (or --seconds) must be at least 5, SOAK_CONNECTIONS at least 1.');

// Warm-up: the same load until the server process's RSS grew less than WARM_UP_SETTLED over the
// last WARM_UP_WINDOW seconds (at least WARM_UP_MIN seconds, at most SOAK_WARM_UP_MAX).
const WARM_UP_MIN = 15;
const WARM_UP_MAX = Number(process.env.SOAK_WARM_UP_MAX ?? 120);
const WARM_UP_WINDOW = 10;
const WARM_UP_SETTLED = 0.02;
if (!(WARM_UP_MAX >= WARM_UP_MIN)) throw new Error(`SOAK_WARM_UP_MAX must be at least ${WARM_UP_MIN}.`);
// The timeline, in seconds from the end of warm-up. The grace after the outage is Valet's default
// jwks.cooldownMs (the longest backoff between fetches, 5 s) plus a second for the fetch itself.
const ROTATION = 0.3 * SECONDS;
const OUTAGE_START = 0.5 * SECONDS;
const OUTAGE_LENGTH = Math.min(10, Math.max(2, 0.15 * SECONDS));
const ROTATION_IN_OUTAGE = OUTAGE_START + OUTAGE_LENGTH / 3;
const GRACE = 6;
const MAX_GROWTH = 0.1;

// Everything the servers log or print, and everything this process prints, is scanned for tokens;
// lines are counted, not kept.
const log = { lines: 0, leaks: 0, errors: 0, firstError: '' };
function scan(line: string): void {
  log.lines++;
  if (containsToken(line)) log.leaks++;
  if (line.startsWith('unexpected error') && log.errors++ === 0) log.firstError = line;
}
for (const stream of [process.stdout, process.stderr]) {
  const write = stream.write.bind(stream) as (chunk: unknown, ...rest: unknown[]) => boolean;
  stream.write = ((chunk: unknown, ...rest: unknown[]) => {
    scan(String(chunk));
    return write(chunk, ...rest);
  }) as typeof stream.write;
}

// The timeline starts once the servers and tokens are ready (set below).
let start = Date.now();
const clock = () => Date.now() - start;
const at = (ms: number) => `t=${(ms / 1000).toFixed(1).padStart(5)} s`;
const say = (ms: number, text: string) => console.log(`${at(ms)}  ${text}`);

// What the goals are judged on, gathered as answers come in.
const outage = { start: Infinity, end: Infinity, rotatedKid: '' };
const byKind = new Map<string, Map<number, number>>();
const perTarget = new Map<string, { requests: number; maxMs: number; recoveredMs: number | undefined }>();
const goodRefused = new Map<string, number>();
const misses = { fiveHundreds: [] as string[], goodAfter: [] as string[], badServed: [] as string[] };
let leaks = 0;
let outage503 = 0;
let max503Ms = 0;

function note(list: string[], text: string): void {
  if (list.length < 5) list.push(text);
  else list[4] = `... and more (last: ${text})`;
}

function record(x: Exchange): void {
  const counts = byKind.get(x.kind) ?? new Map<number, number>();
  byKind.set(x.kind, counts.set(x.status, (counts.get(x.status) ?? 0) + 1));
  const target = perTarget.get(x.target) ?? { requests: 0, maxMs: 0, recoveredMs: undefined };
  perTarget.set(x.target, target);
  target.requests++;
  target.maxMs = Math.max(target.maxMs, x.answeredAt - x.sentAt);
  const where = `${x.target} ${x.kind} at ${at(x.sentAt)}`;
  if (containsToken(x.body) || Object.values(x.headers).some((v) => containsToken(String(v)))) leaks++;
  const ok = x.status >= 200 && x.status < 300;
  if (x.status >= 500 || x.status === 0) {
    const inWindow = x.answeredAt >= outage.start && x.sentAt <= outage.end + GRACE * 1000;
    if (x.status === 503 && inWindow && x.headers['retry-after'] !== undefined) {
      outage503++;
      max503Ms = Math.max(max503Ms, x.answeredAt - x.sentAt);
    } else {
      note(
        misses.fiveHundreds,
        `${where}: ${x.status || 'no answer'}${x.status === 503 ? ' (outside the window or no Retry-After)' : ''}`,
      );
    }
  }
  if (GOOD.has(x.kind)) {
    if (!ok) {
      const phase =
        x.sentAt < outage.start
          ? 'before the outage'
          : x.sentAt <= outage.end + GRACE * 1000
            ? 'outage + grace'
            : 'after';
      const key = `${x.status} ${phase}`;
      goodRefused.set(key, (goodRefused.get(key) ?? 0) + 1);
    }
    if (!ok && x.sentAt >= outage.end + GRACE * 1000) note(misses.goodAfter, `${where}: ${x.status}`);
    if (
      ok &&
      x.sent.kid === outage.rotatedKid &&
      target.recoveredMs === undefined &&
      x.sentAt >= outage.end
    ) {
      target.recoveredMs = x.answeredAt - outage.end;
    }
  } else if (ok) {
    note(misses.badServed, `${where}: ${x.status}`);
  }
}

const mib = (bytes: number) => bytes / 1_048_576;

console.log(
  `Soak: Express, Fastify, MCP v1, MCP v2 in a server process, ${CONNECTIONS} connections each; warm-up until ` +
    `the server's RSS settles (${WARM_UP_MIN}-${WARM_UP_MAX} s), then ${SECONDS} s from its end: ` +
    `key rotation at ${ROTATION.toFixed(0)} s, JWKS ${OUTAGE_MODE} ` +
    `${OUTAGE_START.toFixed(0)}-${(OUTAGE_START + OUTAGE_LENGTH).toFixed(0)} s (rotation inside at ` +
    `${ROTATION_IN_OUTAGE.toFixed(0)} s), grace ${GRACE} s`,
);
console.log(
  `machine: ${cpus().length} x ${cpus()[0]?.model ?? '?'}, node ${process.version}, load ${loadavg()[0]!.toFixed(2)}`,
);

const issuer = await createTestIssuer({ audience: RESOURCE });
const servers = await forkServers(issuer.url, issuer.jwksUri, scan);
const targets = servers.targets;

// The server process's memory is read after a full GC at the end of warm-up and at the end (goal
// 1: what it retains, not what the collector has yet to reclaim), and sampled every second.
const checkpoints: { live: number; committed: number; external: number; rss: number; cached: number }[] = [];
let lastReading: Reading | undefined;
async function checkpoint(): Promise<(typeof checkpoints)[0]> {
  lastReading = await servers.read('checkpoint');
  const { heapUsed, heapTotal, external, rss } = lastReading.memory;
  const point = {
    live: mib(heapUsed),
    committed: mib(heapTotal),
    external: mib(external),
    rss: mib(rss),
    cached: lastReading.caches.reduce((sum, c) => sum + c.size, 0),
  };
  checkpoints.push(point);
  return point;
}
const samples: { t: number; rss: number; heap: number }[] = [];
async function sample(): Promise<(typeof samples)[0]> {
  const t = clock();
  const { rss, heapUsed } = (await servers.read('sample')).memory;
  const point = { t, rss: mib(rss), heap: mib(heapUsed) };
  samples.push(point);
  return point;
}

const tokens = await Tokens.create(issuer, WARM_UP_MAX + SECONDS);
start = Date.now();
/** When warm-up ended (ms on the clock); the timeline's times are counted from it. */
let warmedAt: number | undefined;
const running = () => warmedAt === undefined || clock() < warmedAt + SECONDS * 1000;

const timers: NodeJS.Timeout[] = [];
function startTimeline(): void {
  timers.push(
    setTimeout(
      async () => say(clock(), `keys rotated, new kid ${await issuer.rotateKeys()}`),
      ROTATION * 1000,
    ),
    setTimeout(() => {
      issuer.stopJwks(OUTAGE_MODE);
      outage.start = clock();
      say(outage.start, `JWKS down (${OUTAGE_MODE})`);
    }, OUTAGE_START * 1000),
    setTimeout(async () => {
      outage.rotatedKid = await issuer.rotateKeys();
      say(clock(), `keys rotated inside the outage, new kid ${outage.rotatedKid}`);
    }, ROTATION_IN_OUTAGE * 1000),
    setTimeout(
      () => {
        issuer.startJwks();
        outage.end = clock();
        say(outage.end, `JWKS back (${issuer.requests.jwks} JWKS requests so far)`);
      },
      (OUTAGE_START + OUTAGE_LENGTH) * 1000,
    ),
  );
}

/** Ends warm-up once the server's RSS has settled (or at the longest warm-up), then starts the timeline. */
async function endWarmUpIfSettled(latest: (typeof samples)[0]): Promise<void> {
  if (warmedAt !== undefined || latest.t < WARM_UP_MIN * 1000) return;
  const before = samples.find((s) => s.t >= latest.t - WARM_UP_WINDOW * 1000)!;
  const settled = latest.rss <= before.rss * (1 + WARM_UP_SETTLED);
  if (!settled && latest.t < WARM_UP_MAX * 1000) return;
  warmedAt = clock();
  startTimeline();
  const { rss, cached } = await checkpoint();
  say(
    warmedAt,
    `warm-up over (${settled ? `RSS settled: within ${WARM_UP_SETTLED * 100}% over ${WARM_UP_WINDOW} s` : 'the longest warm-up, RSS still rising'}): ` +
      `server RSS ${rss.toFixed(1)} MiB after a full GC, ${cached} principals cached; the timeline starts`,
  );
}
let answered = 0;
let lastReport = 0;
const sampler = setInterval(async () => {
  const s = await sample();
  await endWarmUpIfSettled(s);
  if (s.t - lastReport >= 4900) {
    lastReport = s.t;
    let total = 0;
    for (const t of perTarget.values()) total += t.requests;
    say(
      s.t,
      `${((total - answered) / 5).toFixed(0).padStart(5)} req/s   server rss ${s.rss.toFixed(1)} MiB   heap ${s.heap.toFixed(1)} MiB`,
    );
    answered = total;
  }
}, 1000);

await sample();
void tokens.mintWhile(running);
await drive(targets, tokens, CONNECTIONS, running, clock, record);
clearInterval(sampler);
timers.forEach(clearTimeout);
await sample();
await checkpoint();
const caches = new Map(lastReading!.caches.map((c) => [c.name, c]));
const totalSeconds = clock() / 1000;
const jwksRequests = issuer.requests.jwks;
await servers.close();
await issuer.close();

// The report.
console.log('\nrequests by kind and status (all servers):');
for (const [kind, counts] of byKind) {
  const row = [...counts].sort(([a], [b]) => a - b).map(([status, n]) => `${status || 'none'}: ${n}`);
  console.log(`  ${kind.padEnd(14)} expected ${expectedStatus(kind as never)}   ${row.join(', ')}`);
}
console.log('per server:');
for (const t of targets) {
  const s = perTarget.get(t.name)!;
  const stats = caches.get(t.name)!;
  const recovered = s.recoveredMs === undefined ? 'never' : `${(s.recoveredMs / 1000).toFixed(1)} s after`;
  console.log(
    `  ${t.name.padEnd(8)} ${s.requests} requests (${(s.requests / totalSeconds).toFixed(0)}/s), slowest ${s.maxMs} ms, ` +
      `cache ${stats.hits} hits / ${stats.misses} misses / ${stats.size} held, new key served ${recovered} JWKS back`,
  );
}
console.log(
  `issuer: ${jwksRequests} JWKS requests, ${tokens.minted} fresh tokens minted; ` +
    `${outage503} answers 503 + Retry-After in the outage window (slowest ${max503Ms} ms)`,
);
const refusals = [...goodRefused].map(([key, n]) => `${n} x ${key}`).join(', ');
console.log(`good tokens not served: ${refusals || 'none'}`);
console.log(
  `logs: ${log.lines} lines (audit events, prints) scanned, ${log.errors} unexpected errors${log.errors ? `, first: ${log.firstError.slice(0, 200)}` : ''}`,
);
const [w, e] = checkpoints as [(typeof checkpoints)[0], (typeof checkpoints)[0]];
const perEntry =
  e.cached > w.cached
    ? `, ${(((e.live - w.live) * 1024) / (e.cached - w.cached)).toFixed(1)} KiB per principal added`
    : '';
console.log(
  `server process after a full GC, end of warm-up -> end: heap in use ${w.live.toFixed(1)} -> ${e.live.toFixed(1)} MiB` +
    ` (${w.cached} -> ${e.cached} principals cached${perEntry}), heap committed ${w.committed.toFixed(1)} -> ${e.committed.toFixed(1)} MiB,` +
    ` external ${w.external.toFixed(1)} -> ${e.external.toFixed(1)} MiB, RSS ${w.rss.toFixed(1)} -> ${e.rss.toFixed(1)} MiB`,
);
console.log(
  `load process (issuer, load, minting): RSS ${mib(process.memoryUsage().rss).toFixed(1)} MiB at the end`,
);
const byTime = (t: number) =>
  samples.reduce((best, s) => (Math.abs(s.t - t) < Math.abs(best.t - t) ? s : best));
const series = [0, 0.2, 0.4, 0.6, 0.8, 1].map((f) => byTime(f * totalSeconds * 1000));
console.log(
  `server memory (rss/heap MiB): ${series.map((s) => `${at(s.t)} ${s.rss.toFixed(0)}/${s.heap.toFixed(0)}`).join('   ')}`,
);

const growth = e.rss / w.rss - 1;

const unrecovered = targets
  .filter((t) => perTarget.get(t.name)?.recoveredMs === undefined)
  .map((t) => t.name);
const goals: [boolean, string][] = [
  [
    growth <= MAX_GROWTH,
    `memory flat: server process RSS after a full GC ${w.rss.toFixed(1)} MiB after warm-up, ${e.rss.toFixed(1)} MiB at the end (${(growth * 100).toFixed(1)}%, goal <= ${MAX_GROWTH * 100}%); heap in use ${w.live.toFixed(1)} -> ${e.live.toFixed(1)} MiB`,
  ],
  [
    misses.fiveHundreds.length === 0,
    `no 5xx but 503 + Retry-After inside the outage (+${GRACE} s): ${misses.fiveHundreds.length === 0 ? 'none' : misses.fiveHundreds.join('; ')}`,
  ],
  [
    leaks === 0 && log.leaks === 0,
    `no token in any response (body or header) or log line: ${leaks} responses, ${log.leaks} log lines with one`,
  ],
  [
    misses.goodAfter.length === 0 && unrecovered.length === 0,
    `every good request from ${GRACE} s after the outage served 2xx, the new key fetched by every server: ` +
      (misses.goodAfter.length > 0
        ? misses.goodAfter.join('; ')
        : unrecovered.length > 0
          ? `no token of the new key served by ${unrecovered.join(', ')}${OUTAGE_START + OUTAGE_LENGTH + GRACE >= SECONDS ? ' (the run ends within the grace: run longer)' : ''}`
          : 'yes'),
  ],
  [
    misses.badServed.length === 0,
    `no bad token or missing scope served: ${misses.badServed.length === 0 ? 'none served' : misses.badServed.join('; ')}`,
  ],
];
console.log('\ngoals:');
for (const [met, line] of goals) console.log(`  ${met ? 'met    ' : 'MISSED '} ${line}`);
process.exitCode = goals.every(([met]) => met) ? 0 : 1;
