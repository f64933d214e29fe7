import { createServer } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { createTestIssuer, type TestIssuer } from '@valet/testing';
import { bindToolsets, createMcpHttpHandler, type McpHttpHandlerOptions } from '@valet/adapters/mcp';
import { exchange, type WireResponse } from '../conformance/http-exchange.js';
import { listen } from '../support/fixture.js';
import { calls, fileValet } from './support/file-toolsets.js';

// DNS rebinding against a local MCP server: a page on evil.example, whose name the attacker
// points at 127.0.0.1, sends the MCP endpoint its own Origin and Host. The endpoint answers 403
// before anything else, whatever the method, the body or the token: no 413, 415, 400, 405 or
// 204 tells the page more. The RFC 9728 metadata stays public.

const EVIL_ORIGIN = 'https://evil.example';
const INITIALIZE = {
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
};
const READ = {
  jsonrpc: '2.0',
  id: 2,
  method: 'tools/call',
  params: { name: 'read_file', arguments: { path: 'a' } },
};

interface Endpoint {
  readonly baseUrl: string;
  /** The endpoint's host (`127.0.0.1:<port>`), which the resource URL names. */
  readonly host: string;
  readonly token: string;
  close(): Promise<void>;
}

let issuer: TestIssuer;
let stateless: Endpoint;
let stateful: Endpoint;

/** A loopback MCP endpoint at /mcp (its resource URL), JSON responses, a small body limit. */
async function start(options: Partial<McpHttpHandlerOptions>): Promise<Endpoint> {
  // The resource URL names the port, so the handler is made once the server listens.
  const server = createServer();
  const running = await listen(server);
  const url = `${running.baseUrl}/mcp`;
  const { valet, toolsets } = fileValet(url, issuer);
  const handler = createMcpHttpHandler({
    valet,
    enableJsonResponse: true,
    maxBodyBytes: 512,
    server: () => bindToolsets(new McpServer({ name: 'files', version: '1.0.0' }), { toolsets, valet }),
    ...options,
  });
  server.on('request', (req, res) => void handler(req, res));
  return {
    baseUrl: running.baseUrl,
    host: new URL(url).host,
    token: await issuer.mint({ scopes: ['files:read'], audience: url }),
    async close() {
      await handler.close();
      await running.close();
    },
  };
}

beforeAll(async () => {
  issuer = await createTestIssuer();
  stateless = await start({});
  stateful = await start({ mode: 'stateful' });
});

afterAll(async () => {
  await stateless.close();
  await stateful.close();
  await issuer.close();
});

interface Sent {
  readonly method?: string;
  readonly path?: string;
  readonly headers?: readonly (readonly [string, string])[];
  readonly body?: unknown;
  readonly token?: boolean;
}

/** One request to `endpoint` over node:http (so Host can be set), JSON body unless a string. */
function send(endpoint: Endpoint, sent: Sent): Promise<WireResponse> {
  const body =
    sent.body === undefined || typeof sent.body === 'string' ? sent.body : JSON.stringify(sent.body);
  return exchange(endpoint.baseUrl, {
    method: sent.method ?? 'POST',
    path: sent.path ?? '/mcp',
    headers: [
      ['Content-Type', 'application/json'],
      ['Accept', 'application/json, text/event-stream'],
      ...(sent.token === false ? [] : ([['Authorization', `Bearer ${endpoint.token}`]] as const)),
      ...(sent.headers ?? []),
    ],
    ...(body === undefined ? {} : { body }),
  });
}

function expectRefused(res: WireResponse, header: 'Origin' | 'Host'): void {
  expect(res.status).toBe(403);
  expect(res.challenges).toEqual([]);
  const body = JSON.parse(res.body) as { error: string; error_description: string };
  expect(body.error).toBe('access_denied');
  expect(body.error_description).toMatch(new RegExp(`^(The )?${header} `));
  expect(body.error_description).toContain('DNS rebinding protection');
}

describe('Security: DNS rebinding on the MCP endpoint: 403 before anything else', () => {
  it('refuses a call with a valid token from another origin; the tool never runs', async () => {
    const before = calls.readFile;
    expectRefused(await send(stateless, { body: READ, headers: [['Origin', EVIL_ORIGIN]] }), 'Origin');
    expect(calls.readFile).toBe(before);
  });

  it.each([
    ['a body over the limit (413 otherwise)', { body: { ...READ, padding: 'x'.repeat(1024) } }],
    ['a body that is not JSON (400 otherwise)', { body: '{"jsonrpc": "2.0", ' }],
    [
      'a body of another media type (415 otherwise)',
      { body: 'hello', headers: [['Content-Type', 'text/plain']] },
    ],
    ['a message that fails inspection (400 otherwise)', { body: [] }],
    ['no token (401 otherwise)', { body: READ, token: false }],
  ] as const)('refuses %s', async (_name, sent: Sent) => {
    const res = await send(stateless, {
      ...sent,
      headers: [...(sent.headers ?? []), ['Origin', EVIL_ORIGIN]],
    });
    expectRefused(res, 'Origin');
  });

  it.each(['GET', 'DELETE', 'PUT', 'HEAD', 'OPTIONS'])(
    'refuses %s on a stateless endpoint (405 or 204 otherwise)',
    async (method) => {
      const res = await send(stateless, { method, headers: [['Origin', EVIL_ORIGIN]] });
      expect(res.status).toBe(403);
      if (method !== 'HEAD') expectRefused(res, 'Origin');
    },
  );

  it.each(['GET', 'DELETE', 'OPTIONS'])('refuses %s on a stateful endpoint', async (method) => {
    const res = await send(stateful, {
      method,
      headers: [
        ['Origin', EVIL_ORIGIN],
        ['Mcp-Session-Id', '00000000-0000-4000-8000-000000000000'],
      ],
    });
    expectRefused(res, 'Origin');
  });

  it.each(['POST', 'GET', 'OPTIONS'])('refuses %s with the attacker’s Host and no Origin', async (method) => {
    const res = await send(stateful, {
      method,
      headers: [['Host', 'evil.example']],
      ...(method === 'POST' ? { body: INITIALIZE } : {}),
    });
    expectRefused(res, 'Host');
  });

  it('refuses the MCP conformance probe (Host and Origin evil.example.com), and serves its valid twin', async () => {
    const probe = (name: string) =>
      send(stateless, {
        body: INITIALIZE,
        headers: [
          ['Host', name],
          ['Origin', `http://${name}`],
        ],
      });
    expectRefused(await probe('evil.example.com'), 'Origin');
    expect((await probe(stateless.host)).status).toBe(200);
  });

  it('keeps the answers an allowed or absent Origin got before', async () => {
    const loopback: readonly [string, string] = ['Origin', 'http://localhost:6274'];
    expect((await send(stateless, { body: READ, headers: [loopback] })).status).toBe(200);
    expect((await send(stateless, { body: { ...READ, padding: 'x'.repeat(1024) } })).status).toBe(413);
    expect((await send(stateless, { body: '{', headers: [loopback] })).status).toBe(400);
    expect((await send(stateless, { method: 'GET', headers: [loopback] })).status).toBe(405);
    const preflight = await send(stateless, { method: 'OPTIONS', token: false, headers: [loopback] });
    expect(preflight.status).toBe(204);
    expect(preflight.headers['allow']).toBe('POST, OPTIONS');
  });

  it('still authenticates a body over the limit before answering 413', async () => {
    const res = await send(stateless, { body: { ...READ, padding: 'x'.repeat(1024) }, token: false });
    expect(res.status).toBe(401);
    expect(res.headers['connection']).toBe('close');
  });

  it('serves the RFC 9728 metadata to any Origin and Host (a public document, CORS *)', async () => {
    const res = await send(stateless, {
      method: 'GET',
      path: '/.well-known/oauth-protected-resource/mcp',
      token: false,
      headers: [
        ['Origin', EVIL_ORIGIN],
        ['Host', 'evil.example'],
      ],
    });
    expect(res.status).toBe(200);
    expect(res.headers['access-control-allow-origin']).toBe('*');
  });
});
