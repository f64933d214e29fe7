import { createServer } from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { McpServer as McpServerV1 } from '@modelcontextprotocol/sdk/server/mcp.js';
import { McpServer as McpServerV2 } from '@modelcontextprotocol/server';
import { allOf, rateLimited, type Valet } from '@valet/core';
import { RateLimit, RequiresScope, Tool, Toolset, registerToolsets } from '@valet/decorators';
import { valetExpress } from '@valet/adapters/express';
import { valetFastify } from '@valet/adapters/fastify';
import * as v1 from '@valet/adapters/mcp';
import * as v2 from '@valet/adapters/mcp-v2';
import express from 'express';
import Fastify from 'fastify';
import { adapterFixture, listen, type AdapterFixture } from '../support/fixture.js';
import { exchange, type WireRequest } from './http-exchange.js';

class NoInput {}

let ran = 0;

@Toolset()
class SearchTools {
  @Tool({ name: 'search', description: 'search' })
  @RequiresScope('files:read')
  @RateLimit('2/m')
  search(_input: NoInput): string {
    ran += 1;
    return 'found';
  }

  @Tool({ name: 'write_file', description: 'write' })
  @RequiresScope('files:write')
  @RateLimit('2/m')
  write(_input: NoInput): string {
    ran += 1;
    return 'written';
  }
}

interface Started {
  readonly baseUrl: string;
  close(): Promise<void>;
}

interface Target {
  readonly name: string;
  start(valet: Valet): Promise<Started>;
  /** The limited operation (2 a minute, `files:read`) and one needing `files:write`. */
  readonly limited: WireRequest;
  readonly refused: WireRequest;
}

const route = (path: string): WireRequest => ({ method: 'GET', path });

const mcpCall = (name: string): WireRequest => ({
  method: 'POST',
  path: '/api',
  headers: [
    ['Content-Type', 'application/json'],
    ['Accept', 'application/json, text/event-stream'],
    ['Mcp-Protocol-Version', '2025-06-18'],
  ],
  body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name, arguments: {} } }),
});

async function startHandler(
  handler: Parameters<typeof createServer>[1] & { close(): Promise<void> },
): Promise<Started> {
  const server = createServer(handler);
  const started = await listen(server);
  return {
    baseUrl: started.baseUrl,
    async close() {
      await handler.close();
      await started.close();
    },
  };
}

const TARGETS: readonly Target[] = [
  {
    name: 'Express 5 (guard.limit)',
    async start(valet) {
      const app = express();
      const api = valetExpress(valet);
      api
        .routes(app)
        .get('/search', api.requireScopes('files:read').limit('2/m').describe('Search'), (_req, res) => {
          ran += 1;
          res.json({ ok: true });
        })
        .get('/write', api.requireScopes('files:write').limit('2/m'), (_req, res) => {
          ran += 1;
          res.json({ ok: true });
        });
      app.use(api.errorHandler());
      const server = createServer(app);
      return listen(server);
    },
    limited: route('/search'),
    refused: route('/write'),
  },
  {
    name: 'Fastify 5 (config.valet: rateLimited)',
    async start(valet) {
      const app = Fastify();
      await app.register(valetFastify, { valet });
      app.get('/search', { config: { valet: rateLimited(allOf('files:read'), '2/m') } }, async () => {
        ran += 1;
        return { ok: true };
      });
      app.get('/write', { preHandler: app.valet.requireScopes('files:write').limit('2/m') }, async () => {
        ran += 1;
        return { ok: true };
      });
      const baseUrl = await app.listen({ host: '127.0.0.1', port: 0 });
      return { baseUrl, close: () => app.close() };
    },
    limited: route('/search'),
    refused: route('/write'),
  },
  {
    name: 'MCP SDK v1 (@RateLimit, stateless)',
    start: (valet) => {
      const toolsets = registerToolsets(valet.registry, [SearchTools]);
      return startHandler(
        v1.createMcpHttpHandler({
          valet,
          mode: 'stateless',
          enableJsonResponse: true,
          server: () =>
            v1.bindToolsets(new McpServerV1({ name: 'files', version: '1.0.0' }), { toolsets, valet }),
        }),
      );
    },
    limited: mcpCall('search'),
    refused: mcpCall('write_file'),
  },
  {
    name: 'MCP SDK v2 (@RateLimit, stateless)',
    start: (valet) => {
      const toolsets = registerToolsets(valet.registry, [SearchTools]);
      return startHandler(
        v2.createMcpHttpHandler({
          valet,
          mode: 'stateless',
          server: () =>
            v2.bindToolsets(new McpServerV2({ name: 'files', version: '1.0.0' }), { toolsets, valet }),
        }),
      );
    },
    limited: mcpCall('search'),
    refused: mcpCall('write_file'),
  },
];

let fixture: AdapterFixture;
let alice: string;
let bob: string;

beforeAll(async () => {
  fixture = await adapterFixture();
  alice = await fixture.token(['files:read'], 'alice');
  bob = await fixture.token(['files:read'], 'bob');
});

afterAll(() => fixture.close());

const withToken = (request: WireRequest, token: string): WireRequest => ({
  ...request,
  headers: [...(request.headers ?? []), ['Authorization', `Bearer ${token}`]],
});

describe.each(TARGETS)('Rate limits over real sockets ($name)', (target) => {
  let app: Started | undefined;

  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  it('answers 429 with Retry-After and the RateLimit headers before the handler (or the SDK) runs', async () => {
    app = await target.start(fixture.valet());
    ran = 0;
    for (let i = 0; i < 2; i++) {
      expect((await exchange(app.baseUrl, withToken(target.limited, alice))).status).toBe(200);
    }
    expect(ran).toBe(2);
    const res = await exchange(app.baseUrl, withToken(target.limited, alice));
    expect(res.status).toBe(429);
    expect(ran).toBe(2);
    expect(Number(res.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(Number.isInteger(Number(res.headers['retry-after']))).toBe(true);
    expect(res.headers['ratelimit-policy']).toMatch(/^"[^"]+";q=2;w=60$/);
    expect(res.headers['ratelimit']).toMatch(/^"[^"]+";r=0;t=\d+$/);
    expect(res.challenges).toEqual([]);
    expect(JSON.parse(res.body)).toEqual({
      error: 'too_many_requests',
      error_description: 'Too many requests; retry after the number of seconds in Retry-After.',
    });
    expect(res.raw).not.toContain(alice);
    // Another caller has a count of its own.
    expect((await exchange(app.baseUrl, withToken(target.limited, bob))).status).toBe(200);
  });

  it('does not count refused (403) requests', async () => {
    app = await target.start(fixture.valet());
    for (let i = 0; i < 3; i++) {
      expect((await exchange(app.baseUrl, withToken(target.refused, alice))).status).toBe(403);
    }
    expect((await exchange(app.baseUrl, withToken(target.limited, alice))).status).toBe(200);
  });

  it('fails open: a store whose increment rejects lets every request through', async () => {
    const broken = fixture.valet({
      store: {
        get: async () => undefined,
        set: async () => undefined,
        setIfAbsent: async () => true,
        increment: () => Promise.reject(new Error('ECONNREFUSED')),
        publish: async () => undefined,
        subscribe: async () => async () => undefined,
      },
    });
    app = await target.start(broken);
    for (let i = 0; i < 4; i++) {
      expect((await exchange(app.baseUrl, withToken(target.limited, alice))).status).toBe(200);
    }
  });
});
