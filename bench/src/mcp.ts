/**
 * MCP `tools/call` throughput: the same tool (`read_file`, a path of at most 64 characters) on
 * the bare SDK (`McpServer.registerTool` with a zod schema, no auth) and through Valet
 * (`createMcpHttpHandler` + `bindToolsets`: the token verified by a CachingVerifier hit, the
 * scope checked before the SDK and again in the handler, the input validated as a DTO). Both
 * stateless (a server per request, as the SDK recommends for scale-out) with JSON responses, each
 * in its own child process, both loaded at once by autocannon from this one, round after round;
 * prints the median of the per-round ratios.
 *
 *   pnpm --filter @valet/core --filter @valet/decorators --filter @valet/testing --filter @valet/adapters build
 *   pnpm --filter ./bench build && pnpm --filter ./bench mcp
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { bindToolsets, createMcpHttpHandler } from '@valet/adapters/mcp';
import { CachingVerifier, JwtVerifier, PolicyRegistry, createValet } from '@valet/core';
import { RequiresScope, Tool, Toolset, registerToolsets } from '@valet/decorators';
import { createTestIssuer } from '@valet/testing';
import { IsString, MaxLength } from 'class-validator';
import { z } from 'zod';
import { loadTogether, machineLine, median, startServer, type Measure, type RunningServer } from './load.js';

type ServerName = 'bare' | 'valet';

const RESOURCE = 'https://files.example.test/mcp';
const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const CONNECTIONS = 10;
const GOAL = 0.9;
const BODY = JSON.stringify({
  jsonrpc: '2.0',
  id: 1,
  method: 'tools/call',
  params: { name: 'read_file', arguments: { path: 'notes.txt' } },
});

class ReadFileInput {
  @IsString()
  @MaxLength(64)
  path!: string;
}

@Toolset()
class FileTools {
  @Tool({ description: 'Read a file' })
  @RequiresScope('files:read')
  readFile(input: ReadFileInput): string {
    return `contents of ${input.path}`;
  }
}

/** Built once, as Valet's DTO schema is: the bare server pays only for what it does per request. */
const BARE_INPUT = { path: z.string().max(64) };

function bareServer(): McpServer {
  const server = new McpServer({ name: 'files', version: '1.0.0' });
  server.registerTool('read_file', { description: 'Read a file', inputSchema: BARE_INPUT }, ({ path }) => ({
    content: [{ type: 'text', text: `contents of ${path}` }],
  }));
  return server;
}

/** Child process: serves one server on 127.0.0.1:0, prints `READY <port>`, reports its CPU time on request. */
async function serve(name: ServerName): Promise<void> {
  let handler: (req: IncomingMessage, res: ServerResponse) => Promise<void>;
  if (name === 'bare') {
    handler = async (req, res) => {
      const server = bareServer();
      const transport = new StreamableHTTPServerTransport({
        sessionIdGenerator: undefined,
        enableJsonResponse: true,
      });
      res.once('close', () => void server.close());
      await server.connect(transport);
      await transport.handleRequest(req, res);
    };
  } else {
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
    handler = createMcpHttpHandler({
      valet,
      enableJsonResponse: true,
      server: () => bindToolsets(new McpServer({ name: 'files', version: '1.0.0' }), { toolsets, valet }),
    });
  }
  const server = createServer((req, res) => void handler(req, res));
  server.listen(0, '127.0.0.1', () => console.log(`READY ${(server.address() as AddressInfo).port}`));
  process.on('message', () => process.send!(process.cpuUsage()));
}

async function compare(): Promise<void> {
  const issuer = await createTestIssuer({ audience: RESOURCE });
  try {
    const token = await issuer.mint({ scopes: ['files:read'], audience: RESOURCE });
    const env = { ...process.env, BENCH_ISSUER: issuer.url, BENCH_JWKS_URI: issuer.jwksUri };
    console.log(
      `MCP tools/call, stateless, JSON responses: both servers loaded at once, ${ROUNDS} rounds of ${SECONDS} s after 2 s of warm-up, ${CONNECTIONS} connections each`,
    );
    console.log(machineLine());
    const request = {
      path: '/mcp',
      method: 'POST' as const,
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
      },
      body: BODY,
      accepts: (status: number, text: string) => status === 200 && text.includes('contents of notes.txt'),
    };
    const script = fileURLToPath(import.meta.url);
    const servers: RunningServer[] = [];
    const rounds: Measure[][] = [];
    try {
      for (const name of ['bare', 'valet'] as const)
        servers.push(await startServer([script, 'serve', name], env, request));
      for (let round = 0; round < ROUNDS; round++) {
        const options = { seconds: SECONDS, connections: CONNECTIONS };
        rounds.push(await loadTogether(servers, request, round === 0 ? { ...options, warmUp: 2 } : options));
      }
    } finally {
      await Promise.all(servers.map((server) => server.stop()));
    }
    (['bare SDK (no auth)', 'Valet (CachingVerifier hit)'] as const).forEach((label, i) => {
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
      `  Valet / bare by CPU per request: x${ratio.toFixed(2)} (median of rounds; ${Math.min(...ratios).toFixed(2)}-${Math.max(...ratios).toFixed(2)})`,
    );
    console.log(`  goal >= ${GOAL}: ${ratio >= GOAL ? 'met' : 'NOT met'}`);
  } finally {
    await issuer.close();
  }
}

if (process.argv[2] === 'serve') await serve(process.argv[3] as ServerName);
else await compare();
