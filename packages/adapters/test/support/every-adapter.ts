import { createServer, type Server } from 'node:http';
import { McpServer as McpServerV1 } from '@modelcontextprotocol/sdk/server/mcp.js';
import { McpServer as McpServerV2 } from '@modelcontextprotocol/server';
import { allOf, type Valet } from '@valet/core';
import { RequiresScope, Tool, Toolset, registerToolsets } from '@valet/decorators';
import { valetExpress } from '@valet/adapters/express';
import { valetFastify } from '@valet/adapters/fastify';
import * as v1 from '@valet/adapters/mcp';
import * as v2 from '@valet/adapters/mcp-v2';
import express from 'express';
import Fastify from 'fastify';
import type { WireRequest } from '../conformance/http-exchange.js';
import { listen } from './fixture.js';

/** One adapter serving a `files:read` operation, started for a Valet. */
export interface AdapterUnderTest {
  readonly name: string;
  start(valet: Valet): Promise<RunningAdapter>;
  /** Requests (without credentials) that need a `files:read` token: MCP sends `initialize` and a `tools/call`. */
  readonly protectedRequests: readonly { readonly name: string; readonly request: WireRequest }[];
  /** A request answered 200 for a `files:read` token. */
  readonly servedRequest: WireRequest;
}

export interface RunningAdapter {
  /** `http://127.0.0.1:<port>` */
  readonly baseUrl: string;
  /** The Node server, whose `maxHeadersCount` the adapter reads. */
  readonly server: Server;
  /** How often the route handler, the MCP server factory or the tool ran: 0 for a request refused in front of them. */
  readonly ran: number;
  close(): Promise<void>;
}

/** No arguments: an empty DTO. */
class NoInput {}

const counter = { ran: 0 };

@Toolset()
class ReadTools {
  @Tool({ name: 'read_file', description: 'read' })
  @RequiresScope('files:read')
  read(_input: NoInput): string {
    counter.ran += 1;
    return 'contents';
  }
}

const JSON_RPC_HEADERS: readonly (readonly [string, string])[] = [
  ['Content-Type', 'application/json'],
  ['Accept', 'application/json, text/event-stream'],
];

const mcpPost = (message: Record<string, unknown>): WireRequest => ({
  method: 'POST',
  path: '/api',
  headers: JSON_RPC_HEADERS,
  body: JSON.stringify({ jsonrpc: '2.0', id: 1, ...message }),
});

const initialize = mcpPost({
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'test', version: '1.0.0' } },
});
const toolsCall = mcpPost({ method: 'tools/call', params: { name: 'read_file', arguments: {} } });

const readRoute: WireRequest = { method: 'GET', path: '/files/42' };

function running(server: Server, started: { baseUrl: string; close(): Promise<void> }): RunningAdapter {
  counter.ran = 0;
  return {
    baseUrl: started.baseUrl,
    server,
    get ran() {
      return counter.ran;
    },
    close: started.close,
  };
}

const expressAdapter: AdapterUnderTest = {
  name: 'Express 5',
  async start(valet) {
    const app = express();
    const api = valetExpress(valet);
    api.routes(app).get('/files/:id', api.requireScopes('files:read'), (req, res) => {
      counter.ran += 1;
      res.json({ subject: req.auth?.subject ?? null });
    });
    app.use(api.errorHandler());
    const server = createServer(app);
    return running(server, await listen(server));
  },
  protectedRequests: [{ name: 'GET /files/42', request: readRoute }],
  servedRequest: readRoute,
};

const fastifyAdapter: AdapterUnderTest = {
  name: 'Fastify 5',
  async start(valet) {
    const app = Fastify();
    await app.register(valetFastify, { valet });
    app.get('/files/:id', { config: { valet: allOf('files:read') } }, async (request) => {
      counter.ran += 1;
      return { subject: request.auth?.subject ?? null };
    });
    const baseUrl = await app.listen({ host: '127.0.0.1', port: 0 });
    return running(app.server, { baseUrl, close: () => app.close() });
  },
  protectedRequests: [{ name: 'GET /files/42', request: readRoute }],
  servedRequest: readRoute,
};

type McpHandler = Parameters<typeof createServer>[1] & { close(): Promise<void> };

function mcpAdapter(name: string, handlerFor: (valet: Valet) => McpHandler): AdapterUnderTest {
  return {
    name,
    async start(valet) {
      const handler = handlerFor(valet);
      const server = createServer(handler);
      const started = await listen(server);
      return running(server, {
        baseUrl: started.baseUrl,
        async close() {
          await handler.close();
          await started.close();
        },
      });
    },
    protectedRequests: [
      { name: 'POST initialize', request: initialize },
      { name: 'POST tools/call', request: toolsCall },
    ],
    servedRequest: initialize,
  };
}

const mcpV1 = (mode: 'stateless' | 'stateful') =>
  mcpAdapter(`MCP SDK v1 (${mode})`, (valet) => {
    const toolsets = registerToolsets(valet.registry, [ReadTools]);
    return v1.createMcpHttpHandler({
      valet,
      mode,
      enableJsonResponse: true,
      server: () => {
        counter.ran += 1;
        return v1.bindToolsets(new McpServerV1({ name: 'files', version: '1.0.0' }), { toolsets, valet });
      },
    });
  });

const mcpV2 = (mode: 'stateless' | 'stateful') =>
  mcpAdapter(`MCP SDK v2 (${mode})`, (valet) => {
    const toolsets = registerToolsets(valet.registry, [ReadTools]);
    return v2.createMcpHttpHandler({
      valet,
      mode,
      server: () => {
        counter.ran += 1;
        return v2.bindToolsets(new McpServerV2({ name: 'files', version: '1.0.0' }), { toolsets, valet });
      },
    });
  });

/** Every adapter, each MCP binding in both modes. */
export const EVERY_ADAPTER: readonly AdapterUnderTest[] = [
  expressAdapter,
  fastifyAdapter,
  mcpV1('stateless'),
  mcpV1('stateful'),
  mcpV2('stateless'),
  mcpV2('stateful'),
];
