/**
 * What the MCP benchmarks (mcp.ts on SDK v1, mcp-v2.ts on SDK v2) share: the tool they call
 * (`read_file`, a path of at most 64 characters) as a Valet toolset, the Valet in front of it (a
 * CachingVerifier hit), the child process that serves one server, and the comparison itself: the
 * bare SDK and Valet, each in its own child process, both loaded at once by autocannon from this
 * one, round after round; it prints the median of the per-round ratios of CPU per request.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CachingVerifier, JwtVerifier, PolicyRegistry, createValet, type Valet } from '@valet/core';
import { registerToolsets, type ToolsetDefinition } from '@valet/decorators';
import { createTestIssuer } from '@valet/testing';
import { FileTools } from './file-tools.js';
import { loadTogether, machineLine, median, startServer, type Measure, type RunningServer } from './load.js';

/** The protected resource both servers of a comparison are, and the audience of the token. */
export const RESOURCE = 'https://files.example.test/mcp';
const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const CONNECTIONS = 10;
const WARM_UP = 2;
const GOAL = 0.9;

/**
 * The Valet a child serves, and its toolsets, compiled once: the token's issuer and JWKS URL
 * come from the environment `compareMcp` starts the child with.
 */
export function benchValet(): { valet: Valet; toolsets: readonly ToolsetDefinition[] } {
  const registry = new PolicyRegistry();
  const toolsets = registerToolsets(registry, [FileTools]);
  const issuer = process.env.BENCH_ISSUER!;
  const jwt = new JwtVerifier({
    issuer,
    audience: RESOURCE,
    jwksUri: process.env.BENCH_JWKS_URI!,
    algorithms: ['RS256'],
  });
  const valet = createValet({
    registry,
    resource: RESOURCE,
    verifier: new CachingVerifier(jwt),
    authorizationServers: [issuer],
  });
  valet.freeze();
  return { valet, toolsets };
}

/** Child process: serves `handler` on 127.0.0.1:0, prints `READY <port>`, reports its CPU time on request. */
export function serveMcp(handler: (req: IncomingMessage, res: ServerResponse) => Promise<void>): void {
  const server = createServer((req, res) => void handler(req, res));
  server.listen(0, '127.0.0.1', () => console.log(`READY ${(server.address() as AddressInfo).port}`));
  process.on('message', () => process.send!(process.cpuUsage()));
}

/** A comparison of the bare SDK with Valet, both served by `script serve <bare|valet>`. */
export interface McpComparison {
  /** What is measured, for the first line of the output. */
  readonly title: string;
  /** The benchmark's own file: run as a child with `serve bare` and `serve valet`. */
  readonly script: string;
  /** The `tools/call` of `read_file` with `{ path: 'notes.txt' }`, as the SDK's clients send it. */
  readonly body: string;
  /** Headers besides the token, the content type and `Accept`. */
  readonly headers?: Readonly<Record<string, string>>;
  /** How the two servers are named in the output, bare first. */
  readonly labels: readonly [string, string];
}

/** Starts both servers, loads them at once round after round, and prints the comparison. */
export async function compareMcp(comparison: McpComparison): Promise<void> {
  const issuer = await createTestIssuer({ audience: RESOURCE });
  try {
    const token = await issuer.mint({ scopes: ['files:read'], audience: RESOURCE });
    const env = { ...process.env, BENCH_ISSUER: issuer.url, BENCH_JWKS_URI: issuer.jwksUri };
    console.log(
      `${comparison.title}: both servers loaded at once, ${ROUNDS} rounds of ${SECONDS} s after ${WARM_UP} s of warm-up, ${CONNECTIONS} connections each`,
    );
    console.log(machineLine());
    const request = {
      path: '/mcp',
      method: 'POST' as const,
      headers: {
        ...comparison.headers,
        authorization: `Bearer ${token}`,
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
      },
      body: comparison.body,
      accepts: (status: number, text: string) => status === 200 && text.includes('contents of notes.txt'),
    };
    const servers: RunningServer[] = [];
    const rounds: Measure[][] = [];
    try {
      for (const name of ['bare', 'valet'] as const)
        servers.push(await startServer([comparison.script, 'serve', name], env, request));
      for (let round = 0; round < ROUNDS; round++) {
        const options = { seconds: SECONDS, connections: CONNECTIONS };
        rounds.push(
          await loadTogether(servers, request, round === 0 ? { ...options, warmUp: WARM_UP } : options),
        );
      }
    } finally {
      await Promise.all(servers.map((server) => server.stop()));
    }
    comparison.labels.forEach((label, i) => {
      const rps = median(rounds.map((m) => m[i]!.rps));
      const cpu = median(rounds.map((m) => m[i]!.cpuMicros));
      console.log(
        `  ${label.padEnd(30)} ${rps.toFixed(0).padStart(6)} req/s   ${cpu.toFixed(1).padStart(7)} µs CPU/req`,
      );
    });
    // The two servers of a round shared the same seconds of the machine: one ratio per round.
    const ratios = rounds.map(([bare, valet]) => bare!.cpuMicros / valet!.cpuMicros);
    const ratio = median(ratios);
    console.log(
      `  Valet / bare by CPU per request: x${ratio.toFixed(2)} (median of rounds; ${ratios.map((r) => r.toFixed(2)).join(' ')})`,
    );
    console.log(`  goal >= ${GOAL}: ${ratio >= GOAL ? 'met' : 'NOT met'}`);
  } finally {
    await issuer.close();
  }
}
