/**
 * MCP `tools/call` throughput: the same tool (`read_file`, a path of at most 64 characters) on
 * the bare SDK (`McpServer.registerTool` with a zod schema, no auth) and through Valet
 * (`createMcpHttpHandler` + `bindToolsets`: the token verified by a CachingVerifier hit, the
 * scope checked before the SDK and again in the handler, the input validated as a DTO). Both
 * stateless (a server per request, as the SDK recommends for scale-out) with JSON responses, each
 * in its own child process, loaded by autocannon from this one. One run; prints the ratio.
 *
 *   pnpm --filter @valet/core --filter @valet/decorators --filter @valet/testing --filter @valet/adapters build
 *   pnpm --filter ./bench build && pnpm --filter ./bench mcp
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { bindToolsets, createMcpHttpHandler } from '@valet/adapters/mcp';
import { CachingVerifier, JwtVerifier, PolicyRegistry, createValet } from '@valet/core';
import { RequiresScope, Tool, Toolset, registerToolsets } from '@valet/decorators';
import { createTestIssuer } from '@valet/testing';
import autocannon from 'autocannon';
import { IsString, MaxLength } from 'class-validator';
import { z } from 'zod';

type ServerName = 'bare' | 'valet';

const RESOURCE = 'https://files.example.test/mcp';
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
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

interface Measure {
  readonly rps: number;
  readonly cpuMicros: number;
}

async function measure(name: ServerName, token: string, env: NodeJS.ProcessEnv): Promise<Measure> {
  const script = fileURLToPath(import.meta.url);
  const child = spawn(process.execPath, [script, 'serve', name], {
    env,
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  });
  try {
    const url = `http://127.0.0.1:${await readyPort(child)}/mcp`;
    const headers = {
      authorization: `Bearer ${token}`,
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
    };
    // A benchmark of refusals would measure nothing: both must answer the call.
    const probe = await fetch(url, { method: 'POST', headers, body: BODY });
    const text = await probe.text();
    if (probe.status !== 200 || !text.includes('contents of notes.txt'))
      throw new Error(`${name}: ${probe.status} ${text}`);
    const load = { url, method: 'POST' as const, headers, body: BODY, connections: CONNECTIONS };
    await autocannon({ ...load, duration: 1 });
    const before = await cpuUsage(child);
    const result = await autocannon({ ...load, duration: SECONDS });
    const after = await cpuUsage(child);
    if (result.non2xx > 0 || result.errors > 0)
      throw new Error(`${name}: ${result.non2xx} non-2xx, ${result.errors} errors`);
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

async function compare(): Promise<void> {
  const issuer = await createTestIssuer({ audience: RESOURCE });
  try {
    const token = await issuer.mint({ scopes: ['files:read'], audience: RESOURCE });
    const env = { ...process.env, BENCH_ISSUER: issuer.url, BENCH_JWKS_URI: issuer.jwksUri };
    console.log(
      `MCP tools/call, stateless, JSON responses: ${SECONDS} s per server after 1 s warm-up, ${CONNECTIONS} connections`,
    );
    console.log(
      `machine: ${cpus().length} x ${cpus()[0]?.model ?? '?'}, node ${process.version}, load ${loadavg()[0]!.toFixed(2)}`,
    );
    const bare = await measure('bare', token, env);
    const valet = await measure('valet', token, env);
    for (const [label, m] of [
      ['bare SDK (no auth)', bare],
      ['Valet (CachingVerifier hit)', valet],
    ] as const) {
      console.log(
        `  ${label.padEnd(30)} ${m.rps.toFixed(0).padStart(6)} req/s   ${m.cpuMicros.toFixed(1).padStart(7)} µs CPU/req`,
      );
    }
    const throughput = valet.rps / bare.rps;
    const cpu = bare.cpuMicros / valet.cpuMicros;
    console.log(
      `  ratio Valet / bare: throughput x${throughput.toFixed(2)}, CPU per request x${cpu.toFixed(2)}`,
    );
    console.log(
      `  goal >= ${GOAL} (CPU per request, robust to other load): ${cpu >= GOAL ? 'met' : 'NOT met'}`,
    );
  } finally {
    await issuer.close();
  }
}

if (process.argv[2] === 'serve') await serve(process.argv[3] as ServerName);
else await compare();
