/**
 * The four servers the soak drives, in the server process (server-process.ts), each with its own Valet (a JwtVerifier over
 * the test issuer's JWKS behind a CachingVerifier, default timings) and an audit sink that writes
 * JSON lines to `log`, as a server that logs its decisions would: Express and Fastify
 * (`GET /files/:id`, scope `files:read`), MCP SDK v1 and SDK v2 (`tools/call` of `read_file`,
 * scope `files:read`, stateless, JSON responses) at /mcp.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { McpServer as McpServerV1 } from '@modelcontextprotocol/sdk/server/mcp.js';
import { McpServer as McpServerV2 } from '@modelcontextprotocol/server';
import { valetExpress } from '@valet/adapters/express';
import { valetFastify } from '@valet/adapters/fastify';
import * as mcpV1 from '@valet/adapters/mcp';
import * as mcpV2 from '@valet/adapters/mcp-v2';
import {
  CachingVerifier,
  JwtVerifier,
  PolicyRegistry,
  allOf,
  createValet,
  jsonLinesAuditSink,
  type Valet,
} from '@valet/core';
import { registerToolsets, type ToolsetDefinition } from '@valet/decorators';
import express from 'express';
import Fastify from 'fastify';
import { FileTools } from '../file-tools.js';

/** The audience of every token and the resource of every server. */
export const RESOURCE = 'https://files.example.test/mcp';
const SCOPE = 'files:read';
const V2_VERSION = '2026-07-28';

/** A server to load and the request that exercises its protected operation (plain data, sent over IPC). */
export interface SoakTarget {
  readonly name: string;
  readonly port: number;
  readonly method: 'GET' | 'POST';
  readonly path: string;
  /** Headers besides `Authorization`. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
}

/** A running server: what to send it, its verifier's cache (for its counters), and how to stop it. */
export interface SoakServer {
  readonly target: SoakTarget;
  readonly cache: CachingVerifier;
  close(): Promise<void>;
}

/** Where the servers write: every audit line and every unexpected error goes through it. */
export type LogLine = (line: string) => void;

interface Protected {
  readonly valet: Valet;
  readonly cache: CachingVerifier;
  readonly registry: PolicyRegistry;
}

/** Principals each server's cache holds at most. */
export const CACHE_ENTRIES = 1000;

function protect(issuer: string, jwksUri: string, log: LogLine): Protected {
  // Small enough to fill during warm-up (the warm-up sends this many distinct good tokens), so
  // that what follows is the steady state.
  const cache = new CachingVerifier(
    new JwtVerifier({ issuer, audience: RESOURCE, jwksUri, algorithms: ['RS256'] }),
    { maxEntries: CACHE_ENTRIES },
  );
  const registry = new PolicyRegistry();
  const valet = createValet({
    registry,
    resource: RESOURCE,
    verifier: cache,
    authorizationServers: [issuer],
    audit: jsonLinesAuditSink(log),
  });
  return { valet, cache, registry };
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
}

function closer(server: Server): () => Promise<void> {
  return () =>
    new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
}

async function expressServer(issuer: string, jwksUri: string, log: LogLine): Promise<SoakServer> {
  const { valet, cache } = protect(issuer, jwksUri, log);
  const app = express();
  const api = valetExpress(valet);
  api.routes(app).get('/files/:id', api.requireScopes(SCOPE), (req, res) => {
    res.json({ id: req.params.id, subject: req.auth?.subject });
  });
  app.use(api.errorHandler());
  valet.freeze();
  const server = createServer(app);
  const port = await listen(server);
  return {
    target: { name: 'express', port, method: 'GET', path: '/files/1', headers: {} },
    cache,
    close: closer(server),
  };
}

async function fastifyServer(issuer: string, jwksUri: string, log: LogLine): Promise<SoakServer> {
  const { valet, cache } = protect(issuer, jwksUri, log);
  const app = Fastify();
  await app.register(valetFastify, { valet });
  app.get('/files/:id', { config: { valet: allOf(SCOPE) } }, async (request) => ({
    id: (request.params as { id: string }).id,
    subject: request.auth?.subject ?? null,
  }));
  await app.listen({ host: '127.0.0.1', port: 0 });
  const port = (app.server.address() as AddressInfo).port;
  return {
    target: { name: 'fastify', port, method: 'GET', path: '/files/1', headers: {} },
    cache,
    close: () => app.close(),
  };
}

function mcpToolsets(registry: PolicyRegistry): readonly ToolsetDefinition[] {
  return registerToolsets(registry, [FileTools]);
}

const MCP_HEADERS = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };

async function mcpServer(
  version: 'v1' | 'v2',
  issuer: string,
  jwksUri: string,
  log: LogLine,
): Promise<SoakServer> {
  const { valet, cache, registry } = protect(issuer, jwksUri, log);
  const toolsets = mcpToolsets(registry);
  const onError = (error: unknown) => log(`unexpected error: ${String(error)}`);
  const handler =
    version === 'v1'
      ? mcpV1.createMcpHttpHandler({
          valet,
          enableJsonResponse: true,
          onError,
          server: () =>
            mcpV1.bindToolsets(new McpServerV1({ name: 'files', version: '1.0.0' }), { toolsets, valet }),
        })
      : mcpV2.createMcpHttpHandler({
          valet,
          responseMode: 'json',
          onError,
          server: () =>
            mcpV2.bindToolsets(new McpServerV2({ name: 'files', version: '1.0.0' }), { toolsets, valet }),
        });
  valet.freeze();
  const server = createServer((req: IncomingMessage, res: ServerResponse) => void handler(req, res));
  const port = await listen(server);
  const params =
    version === 'v1'
      ? { name: 'read_file', arguments: { path: 'notes.txt' } }
      : {
          name: 'read_file',
          arguments: { path: 'notes.txt' },
          _meta: {
            'io.modelcontextprotocol/protocolVersion': V2_VERSION,
            'io.modelcontextprotocol/clientInfo': { name: 'soak', version: '1.0.0' },
            'io.modelcontextprotocol/clientCapabilities': {},
          },
        };
  const headers =
    version === 'v1'
      ? MCP_HEADERS
      : {
          ...MCP_HEADERS,
          'mcp-protocol-version': V2_VERSION,
          'mcp-method': 'tools/call',
          'mcp-name': 'read_file',
        };
  return {
    target: {
      name: `mcp-${version}`,
      port,
      method: 'POST',
      path: '/mcp',
      headers,
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params }),
    },
    cache,
    close: closer(server),
  };
}

/** Starts the four servers on 127.0.0.1, ephemeral ports. */
export async function startServers(issuer: string, jwksUri: string, log: LogLine): Promise<SoakServer[]> {
  return [
    await expressServer(issuer, jwksUri, log),
    await fastifyServer(issuer, jwksUri, log),
    await mcpServer('v1', issuer, jwksUri, log),
    await mcpServer('v2', issuer, jwksUri, log),
  ];
}
