import { createServer } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { registerToolsets } from '@valet/decorators';
import { bindToolsets, createMcpHttpHandler } from '@valet/adapters/mcp';
import { RESOURCE, adapterFixture, listen, type AdapterFixture } from '../support/fixture.js';
import { PublicTools, calls } from './support/file-toolsets.js';
import { connectInMemory, principal } from './support/in-memory.js';
import { challenge, raw, startMcpHttp, toolCall, type McpHttpFixture } from './support/mcp-http.js';

/** What the SDK answers for a name it does not know (`ErrorCode.InvalidParams`). */
const INVALID_PARAMS = -32602;
/** MCP's code for a URI that names no resource. */
const RESOURCE_NOT_FOUND = -32002;

let mcp: McpHttpFixture;
let readToken: string;
let writeToken: string;

beforeAll(async () => {
  mcp = await startMcpHttp();
  readToken = await mcp.token(['files:read']);
  writeToken = await mcp.token(['files:read', 'files:write']);
});

afterAll(() => mcp.close());

const prompt = (id: number, name: string) => ({
  jsonrpc: '2.0',
  id,
  method: 'prompts/get',
  params: { name, arguments: {} },
});
const read = (id: number, uri: string) => ({ jsonrpc: '2.0', id, method: 'resources/read', params: { uri } });

async function connect(token: string): Promise<Client> {
  const client = new Client({ name: 'test', version: '1.0.0' });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(mcp.url), {
      requestInit: { headers: { authorization: `Bearer ${token}` } },
    }),
  );
  return client;
}

describe("An unknown tool, resource or prompt gets the protocol's JSON-RPC error, not a 403", () => {
  it('an unknown tool: HTTP 200 with InvalidParams (-32602), as the SDK answers it', async () => {
    const res = await raw(mcp.url, { token: writeToken, body: toolCall(1, 'rm_rf') });
    expect(res.status).toBe(200);
    expect(res.headers.get('www-authenticate')).toBeNull();
    expect(res.messages).toEqual([
      { jsonrpc: '2.0', id: 1, error: { code: INVALID_PARAMS, message: 'Unknown tool "rm_rf".' } },
    ]);
  });

  it('an unknown prompt: InvalidParams (-32602)', async () => {
    const res = await raw(mcp.url, { token: readToken, body: prompt(1, 'nope') });
    expect(res.status).toBe(200);
    expect(res.messages).toEqual([
      { jsonrpc: '2.0', id: 1, error: { code: INVALID_PARAMS, message: 'Unknown prompt "nope".' } },
    ]);
  });

  it('a URI that matches no resource or template: resource not found (-32002), with the URI', async () => {
    const res = await raw(mcp.url, { token: readToken, body: read(1, 'secret://keys') });
    expect(res.status).toBe(200);
    expect(res.messages).toEqual([
      {
        jsonrpc: '2.0',
        id: 1,
        error: { code: RESOURCE_NOT_FOUND, message: 'Resource not found.', data: { uri: 'secret://keys' } },
      },
    ]);
  });

  it('the SDK client gets the same errors over HTTP as over stdio', async () => {
    const errorOf = (promise: Promise<unknown>) =>
      promise.then(
        () => undefined,
        (error: { code: unknown; message: unknown; data: unknown }) => ({
          code: error.code,
          message: error.message,
          data: error.data,
        }),
      );
    const http = await connect(readToken);
    const stdio = await connectInMemory({ principal: principal(['files:read']) });
    for (const client of [http, stdio]) {
      expect(await errorOf(client.callTool({ name: 'nope', arguments: {} }))).toMatchObject({
        code: INVALID_PARAMS,
        message: 'MCP error -32602: Unknown tool "nope".',
      });
      expect(await errorOf(client.getPrompt({ name: 'nope' }))).toMatchObject({ code: INVALID_PARAMS });
      expect(await errorOf(client.readResource({ uri: 'other://x' }))).toEqual({
        code: RESOURCE_NOT_FOUND,
        message: 'MCP error -32002: Resource not found.',
        data: { uri: 'other://x' },
      });
    }
    await http.close();
    await stdio.close();
  });

  it('a batch of an unknown and an allowed tool: 200, one result and one error', async () => {
    const res = await raw(mcp.url, {
      token: readToken,
      body: [toolCall(1, 'nope'), toolCall(2, 'list_files')],
    });
    expect(res.status).toBe(200);
    const byId = new Map(res.messages.map((m) => [m['id'], m]));
    expect(byId.get(1)).toMatchObject({ error: { code: INVALID_PARAMS } });
    expect(byId.get(2)).toMatchObject({ result: { content: [{ type: 'text', text: '["a.txt","b.txt"]' }] } });
  });
});

describe('A known operation the token does not allow keeps the 403 step-up', () => {
  it('a known tool beyond the scopes: 403 insufficient_scope naming every scope needed', async () => {
    const before = calls.writeFile;
    const res = await raw(mcp.url, {
      token: readToken,
      body: toolCall(1, 'write_file', { path: 'a', content: 'x' }),
    });
    expect(res.status).toBe(403);
    expect(challenge(res.headers.get('www-authenticate'))).toMatchObject({
      error: 'insufficient_scope',
      scope: 'files:read files:write',
    });
    expect(calls.writeFile).toBe(before);
  });

  it('Attack: hiding a refused call behind an unknown one in a batch: still the 403 for the known call', async () => {
    const before = calls.purge;
    const res = await raw(mcp.url, {
      token: readToken,
      body: [toolCall(1, 'nope'), toolCall(2, 'purge'), prompt(3, 'nope'), read(4, 'secret://keys')],
    });
    expect(res.status).toBe(403);
    expect(JSON.parse(res.text)).toEqual({
      error: 'insufficient_scope',
      error_description:
        'Tool "purge" requires files:read and admin; the token grants "files:read", missing "admin".',
    });
    expect(challenge(res.headers.get('www-authenticate'))).toMatchObject({
      error: 'insufficient_scope',
      scope: 'files:read admin',
    });
    expect(calls.purge).toBe(before);
  });

  it('a known resource template still decides: an admin-only resource is a 403', async () => {
    const res = await raw(mcp.url, { token: readToken, body: read(1, 'audit://log') });
    expect(res.status).toBe(403);
    expect(challenge(res.headers.get('www-authenticate')).scope).toBe('files:read admin');
  });
});

describe('Attack: probing for tool names', () => {
  it('without a token, an unknown tool is a 401 like any other call: nothing is learnt before authentication', async () => {
    const unknown = await raw(mcp.url, { body: toolCall(1, 'rm_rf') });
    const known = await raw(mcp.url, { body: toolCall(1, 'read_file', { path: 'a' }) });
    expect([unknown.status, known.status]).toEqual([401, 401]);
    expect(unknown.headers.get('www-authenticate')).toBe(known.headers.get('www-authenticate'));
    expect(unknown.text).toBe(known.text);
    const prompts = await raw(mcp.url, { body: prompt(1, 'nope') });
    const resources = await raw(mcp.url, { body: read(1, 'secret://keys') });
    expect([prompts.status, resources.status]).toEqual([401, 401]);
  });

  it('with a token, an unknown name gets the JSON-RPC error the protocol gives (as tools/list already shows what exists for the caller); nothing runs', async () => {
    // The error tells a caller with a token that a name does not exist: MCP's own behaviour, over
    // stdio as over HTTP; the names it may use are in its tools/list anyway.
    const res = await raw(mcp.url, { token: readToken, body: toolCall(1, 'purge_everything') });
    expect(res.status).toBe(200);
    expect(res.messages[0]).toMatchObject({ error: { code: INVALID_PARAMS } });
  });

  it("a prompt's or resource's registry id used as a tool name is an unknown tool, not that operation", async () => {
    for (const name of ['prompt:summarize', 'resource:audit://log', 'resource:files:///{name}']) {
      const res = await raw(mcp.url, { token: readToken, body: toolCall(1, name) });
      expect(res.status).toBe(200);
      expect(res.messages[0]).toMatchObject({
        error: { code: INVALID_PARAMS, message: `Unknown tool "${name}".` },
      });
    }
    const res = await raw(mcp.url, { token: readToken, body: prompt(1, 'read_file') });
    expect(res.messages[0]).toMatchObject({
      error: { code: INVALID_PARAMS, message: 'Unknown prompt "read_file".' },
    });
  });
});

describe("Attack: reaching a server's own handlers for a kind Valet does not bind", () => {
  let fixture: AdapterFixture;
  let url: string;
  let closeServer: () => Promise<void>;
  const ran = { prompt: 0, resource: 0 };

  beforeAll(async () => {
    fixture = await adapterFixture();
    const valet = fixture.valet();
    const toolsets = registerToolsets(valet.registry, [PublicTools]);
    // Valet binds tools only; prompts and resources registered on the side bypass authorization,
    // so their calls must still meet the flow's default deny.
    const handler = createMcpHttpHandler({
      valet,
      server: () => {
        const server = bindToolsets(new McpServer({ name: 'mixed', version: '1.0.0' }), { toolsets, valet });
        server.registerPrompt('leak', { description: 'not declared in Valet' }, () => {
          ran.prompt += 1;
          return { messages: [{ role: 'user', content: { type: 'text', text: 'secret' } }] };
        });
        server.registerResource('leak', 'secret://leak', {}, (uri) => {
          ran.resource += 1;
          return { contents: [{ uri: uri.href, text: 'secret' }] };
        });
        return server;
      },
    });
    const running = await listen(createServer((req, res) => void handler(req, res)));
    url = `${running.baseUrl}${new URL(RESOURCE).pathname}`;
    closeServer = async () => {
      await handler.close();
      await running.close();
    };
  });

  afterAll(async () => {
    await closeServer();
    await fixture.close();
  });

  it('a prompt or resource Valet does not know is refused with 403 (default deny) and never runs', async () => {
    const token = await fixture.token(['files:read', 'files:write', 'admin']);
    const prompts = await raw(url, { token, body: prompt(1, 'leak') });
    expect(prompts.status).toBe(403);
    expect(JSON.parse(prompts.text)).toEqual({
      error: 'access_denied',
      error_description: 'No policy registered for operation "prompt:leak" (default deny).',
    });
    const resources = await raw(url, { token, body: read(2, 'secret://leak') });
    expect(resources.status).toBe(403);
    expect(ran).toEqual({ prompt: 0, resource: 0 });
  });

  it('an unknown tool, a kind Valet binds, still gets the JSON-RPC error', async () => {
    const token = await fixture.token(['files:read']);
    const res = await raw(url, { token, body: toolCall(1, 'nope') });
    expect(res.status).toBe(200);
    expect(res.messages[0]).toMatchObject({
      error: { code: INVALID_PARAMS, message: 'Unknown tool "nope".' },
    });
  });
});
