import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { Authorizer, memoryAuditSink } from '@valet/core';
import { bindToolsets, type BindToolsetsOptions } from '@valet/adapters/mcp';
import { READ_TOOLS, calls, fileToolsets } from './support/file-toolsets.js';
import { connectInMemory, principal, text } from './support/in-memory.js';

let client: Client;

async function connect(options: Partial<BindToolsetsOptions> = {}): Promise<Client> {
  return (client = await connectInMemory(options));
}

beforeEach(() => {
  for (const key of Object.keys(calls) as (keyof typeof calls)[]) calls[key] = 0;
});

afterEach(async () => {
  await client?.close();
});

describe('bindToolsets: listing', () => {
  it('lists only what the principal may call, with the DTO schema as plain JSON Schema', async () => {
    await connect({ principal: principal(['files:read']) });
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name)).toEqual(READ_TOOLS);
    const read = tools.find((t) => t.name === 'read_file')!;
    expect(read).toMatchObject({
      title: 'Read file',
      description: 'Read a file',
      annotations: { readOnlyHint: true },
      inputSchema: {
        type: 'object',
        properties: { path: { type: 'string', maxLength: 64 } },
        required: ['path'],
        additionalProperties: false,
      },
    });
  });

  it('lists write and admin tools once the principal holds their scopes', async () => {
    await connect({ principal: principal(['files:read', 'files:write', 'admin']) });
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name)).toEqual([
      ...READ_TOOLS.slice(0, 1),
      'write_file',
      'list_files',
      'purge',
      ...READ_TOOLS.slice(2),
    ]);
  });

  it("lists a tool whose policy has a check when its scopes are granted (the check needs a call's arguments)", async () => {
    await connect({ principal: principal(['files:read'], { subject: 'bob' }) });
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name)).toContain('own_file');
    const refused = await client.callTool({ name: 'own_file', arguments: { path: '/home/alice/x' } });
    expect(refused.isError).toBe(true);
  });

  it('listing "all" shows everything; calls are still authorized', async () => {
    await connect({ principal: principal([]), listing: 'all' });
    const { tools } = await client.listTools();
    expect(tools).toHaveLength(7);
    const result = await client.callTool({ name: 'purge', arguments: {} });
    expect(result.isError).toBe(true);
    expect(calls.purge).toBe(0);
  });

  it('filters resources, resource templates and prompts too', async () => {
    await connect({ principal: principal(['files:read']) });
    expect((await client.listResources()).resources.map((r) => r.uri)).toEqual(['files://index']);
    expect((await client.listResourceTemplates()).resourceTemplates).toEqual([
      { uriTemplate: 'files:///{name}', name: 'file', description: 'One file' },
    ]);
    expect((await client.listPrompts()).prompts).toEqual([
      {
        name: 'summarize',
        description: 'Summarize a file',
        arguments: [{ name: 'path', required: true }],
      },
    ]);
  });

  it('without a principal, a caller sees only public operations', async () => {
    await connect();
    expect((await client.listTools()).tools.map((t) => t.name)).toEqual(['ping']);
  });
});

describe('bindToolsets: calls', () => {
  it('calls the method with the DTO instance and a ToolContext carrying the principal', async () => {
    await connect({ principal: principal(['files:read']) });
    const result = await client.callTool({ name: 'read_file', arguments: { path: 'a.txt' } });
    expect(result).toEqual({ content: [{ type: 'text', text: 'contents of a.txt for alice' }] });
  });

  it('returns an object as structuredContent plus its JSON text', async () => {
    await connect({ principal: principal(['files:read', 'files:write']) });
    const result = await client.callTool({ name: 'write_file', arguments: { path: 'a.txt', content: 'x' } });
    expect(result.structuredContent).toEqual({ written: 'a.txt', by: 'alice' });
    expect(JSON.parse(text(result))).toEqual({ written: 'a.txt', by: 'alice' });
  });

  it('returns an array as JSON text', async () => {
    await connect({ principal: principal(['files:read']) });
    const result = await client.callTool({ name: 'list_files', arguments: {} });
    expect(result).toEqual({ content: [{ type: 'text', text: '["a.txt","b.txt"]' }] });
  });

  it('calls a public tool for an anonymous caller', async () => {
    await connect();
    expect(text(await client.callTool({ name: 'ping', arguments: {} }))).toBe('pong to anonymous');
  });

  it('answers an unknown tool with a JSON-RPC error', async () => {
    await connect({ principal: principal(['files:read']) });
    await expect(client.callTool({ name: 'nope', arguments: {} })).rejects.toThrow('Unknown tool "nope"');
  });
});

describe('Security: calls beyond the granted scopes (the only check on stdio)', () => {
  it('refuses a write tool to a read-only principal with the reason; the method never runs', async () => {
    await connect({ principal: principal(['files:read']) });
    const result = await client.callTool({ name: 'write_file', arguments: { path: 'a.txt', content: 'x' } });
    expect(result).toEqual({
      content: [
        {
          type: 'text',
          text: 'Tool "write_file" requires files:read and files:write; the token grants "files:read", missing "files:write".',
        },
      ],
      isError: true,
    });
    expect(calls.writeFile).toBe(0);
  });

  it('refuses before validating: a refused caller learns nothing about the input rules', async () => {
    await connect({ principal: principal(['files:read']) });
    const result = await client.callTool({ name: 'write_file', arguments: { bogus: 1 } });
    expect(text(result)).toMatch(/^Tool "write_file" requires files:read and files:write;/);
  });

  it("runs a check with the validated arguments: another user's path is refused", async () => {
    await connect({ principal: principal(['files:read']) });
    const mine = await client.callTool({ name: 'own_file', arguments: { path: '/home/alice/notes' } });
    expect(text(mine)).toBe('yours: /home/alice/notes');
    const theirs = await client.callTool({ name: 'own_file', arguments: { path: '/home/bob/notes' } });
    expect(theirs.isError).toBe(true);
    expect(text(theirs)).toBe('Tool "own_file" was refused by check "owner-of-path".');
    expect(calls.ownFile).toBe(1);
  });

  it("refuses every call once the stdio principal's token has expired", async () => {
    await connect({ principal: principal(['files:read'], { expiresAt: Math.floor(Date.now() / 1000) - 1 }) });
    await expect(client.callTool({ name: 'read_file', arguments: { path: 'a' } })).rejects.toThrow(
      'The access token this server was started with has expired',
    );
    expect(calls.readFile).toBe(0);
  });

  it('refuses a resource read and a prompt beyond the scopes with a JSON-RPC error', async () => {
    await connect({ principal: principal([]) });
    await expect(client.readResource({ uri: 'audit://log' })).rejects.toThrow(
      'Resource "resource:audit://log" requires files:read and admin; the token grants no scopes, missing "files:read" and "admin".',
    );
    await expect(client.getPrompt({ name: 'summarize', arguments: { path: 'a' } })).rejects.toThrow(
      'requires scope "files:read"',
    );
  });

  it('audits the decision of every call it makes, and none for listing', async () => {
    const audit = memoryAuditSink();
    const { registry, toolsets } = fileToolsets();
    const server = bindToolsets(new McpServer({ name: 'files', version: '1.0.0' }), {
      toolsets,
      authorizer: new Authorizer(registry, { audit }),
      principal: principal(['files:read']),
    });
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    await server.connect(serverSide);
    client = new Client({ name: 'test', version: '1.0.0' });
    await client.connect(clientSide);
    await client.listTools();
    await client.callTool({ name: 'purge', arguments: {} });
    expect(audit.events.map((e) => [e.operationId, e.allowed, e.subject])).toEqual([
      ['purge', false, 'alice'],
    ]);
  });
});

describe('Security: malformed input never reaches a tool', () => {
  it('lists every violation as a tool error; the method never runs', async () => {
    await connect({ principal: principal(['files:read', 'files:write']) });
    const result = await client.callTool({
      name: 'write_file',
      arguments: { path: 'x'.repeat(65), mode: 'rwx' },
    });
    expect(result.isError).toBe(true);
    expect(text(result)).toBe(
      'Invalid input (3 violations):\n- mode: should not exist\n- path: must be shorter than or equal to 64 characters\n- content: is required',
    );
    expect(calls.writeFile).toBe(0);
  });

  it('refuses arguments to a tool that takes none', async () => {
    await connect({ principal: principal(['admin', 'files:read']) });
    const result = await client.callTool({ name: 'purge', arguments: { force: true } });
    expect(text(result)).toBe('Invalid input (1 violation):\n- force: should not exist');
    expect(calls.purge).toBe(0);
  });

  it('turns an exception into a tool error without internals, and reports it to onError', async () => {
    const errors: [unknown, string][] = [];
    await connect({ principal: principal(['files:read']), onError: (e, id) => errors.push([e, id]) });
    const result = await client.callTool({ name: 'crash', arguments: {} });
    expect(result).toEqual({ content: [{ type: 'text', text: 'Tool "crash" failed.' }], isError: true });
    expect(JSON.stringify(result)).not.toContain('hunter2');
    expect(errors).toHaveLength(1);
    expect(errors[0]![1]).toBe('crash');
  });
});

describe('bindToolsets: resources and prompts', () => {
  it('reads a fixed resource and a template with its variables', async () => {
    await connect({ principal: principal(['files:read']) });
    expect(await client.readResource({ uri: 'files://index' })).toEqual({
      contents: [{ uri: 'files://index', mimeType: 'text/plain', text: 'a.txt\nb.txt' }],
    });
    const file = await client.readResource({ uri: 'files:///notes.txt' });
    expect(JSON.parse((file.contents[0] as { text: string }).text)).toEqual({
      name: 'notes.txt',
      href: 'files:///notes.txt',
    });
  });

  it("answers an unknown resource with MCP's resource-not-found code", async () => {
    await connect({ principal: principal(['files:read']) });
    await expect(client.readResource({ uri: 'other://x' })).rejects.toMatchObject({ code: -32002 });
  });

  it('gets a prompt, and requires its declared arguments', async () => {
    await connect({ principal: principal(['files:read']) });
    expect(await client.getPrompt({ name: 'summarize', arguments: { path: 'a.txt' } })).toEqual({
      messages: [{ role: 'user', content: { type: 'text', text: 'Summarize a.txt.' } }],
    });
    await expect(client.getPrompt({ name: 'summarize', arguments: {} })).rejects.toThrow(
      'Prompt "summarize" needs the argument(s) "path".',
    );
  });
});
