import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Client, StreamableHTTPClientTransport, UnauthorizedError } from '@modelcontextprotocol/client';
import type { McpHttpHandler } from '@valet/adapters/mcp-v2';
import { headlessOAuthProvider, type HeadlessOAuthProvider } from '@valet/testing';
import { READ_TOOLS, calls } from '../mcp/support/file-toolsets.js';
import { startMcpHttp, type McpHttpFixture } from '../mcp/support/mcp-http.js';
import { v2Endpoint } from './support/v2-http.js';

const REDIRECT_URI = 'http://127.0.0.1:9/callback';
/** A public client registered at the authorization server beforehand (no `scope` limit). */
const PREREGISTERED = 'preregistered-mcp-client';

let mcp: McpHttpFixture<McpHttpHandler>;

beforeAll(async () => {
  mcp = await startMcpHttp({
    endpoint: v2Endpoint(),
    clients: [{ clientId: PREREGISTERED, redirectUris: [REDIRECT_URI] }],
  });
});

afterAll(() => mcp.close());

/** The SDK v2 client over Streamable HTTP, its OAuth state in `provider`. */
function open(provider: HeadlessOAuthProvider, mode: 'auto' | 'legacy') {
  const transport = new StreamableHTTPClientTransport(new URL(mcp.url), { authProvider: provider });
  const client = new Client({ name: 'test', version: '1.0.0' }, { versionNegotiation: { mode } });
  return { client, transport };
}

describe.each([
  { era: 'modern' as const, mode: 'auto' as const },
  { era: 'legacy' as const, mode: 'legacy' as const },
])("the SDK v2 client's own OAuth flow against the SDK v2 binding, headless ($era era)", ({ era, mode }) => {
  it('discovers from the 401, registers dynamically, authorizes with PKCE, then lists and calls tools', async () => {
    const provider = headlessOAuthProvider({ redirectUrl: REDIRECT_URI });
    const first = open(provider, mode);
    await expect(first.client.connect(first.transport)).rejects.toBeInstanceOf(UnauthorizedError);
    // The 401 challenge named the metadata, which named the authorization server; the client
    // registered itself and asks for what the challenge asked, for this resource (RFC 8707).
    expect(provider.authorizationUrls).toHaveLength(1);
    const login = provider.authorizationUrls[0]!;
    expect(login.origin).toBe(mcp.as.issuer);
    expect(login.searchParams.get('scope')).toBe('files:read');
    expect(login.searchParams.get('resource')).toBe(mcp.url);
    expect(login.searchParams.get('code_challenge_method')).toBe('S256');
    expect(provider.dynamicallyRegistered).toBe(true);
    expect(provider.tokens()).toBeUndefined();
    // SDK v2 takes the whole callback: it checks the RFC 9207 iss against the server it used.
    const callback = await provider.authorizeCallback();
    expect(callback.get('iss')).toBe(mcp.as.issuer);
    await first.transport.finishAuth(callback);
    expect(provider.grantedScopes()).toEqual(['files:read']);

    const { client, transport } = open(provider, mode);
    await client.connect(transport);
    expect(client.getProtocolEra()).toBe(era);
    expect((await client.listTools()).tools.map((t) => t.name)).toEqual(READ_TOOLS);
    const result = await client.callTool({ name: 'read_file', arguments: { path: 'a.txt' } });
    expect(result.content).toEqual([{ type: 'text', text: 'contents of a.txt for dev-user' }]);
    expect(provider.authorizationUrls).toHaveLength(1);
    await client.close();
  });

  it('steps up: 403 insufficient_scope, re-authorization for the challenged scopes, the write runs only then', async () => {
    const provider = headlessOAuthProvider({
      redirectUrl: REDIRECT_URI,
      clientInformation: { client_id: PREREGISTERED },
    });
    const first = open(provider, mode);
    await expect(first.client.connect(first.transport)).rejects.toBeInstanceOf(UnauthorizedError);
    await first.transport.finishAuth(await provider.authorizeCallback());
    expect(provider.dynamicallyRegistered).toBe(false);
    expect(provider.grantedScopes()).toEqual(['files:read']);

    const { client, transport } = open(provider, mode);
    await client.connect(transport);
    expect(client.getProtocolEra()).toBe(era);
    expect((await client.listTools()).tools.map((t) => t.name)).not.toContain('write_file');

    // The write is refused with 403 insufficient_scope naming every scope it needs, before the
    // tool runs; the client asks the user again for exactly those.
    const writes = calls.writeFile;
    const path = `${era}-step-up.txt`;
    const write = { name: 'write_file', arguments: { path, content: 'hi' } };
    await expect(client.callTool(write)).rejects.toBeInstanceOf(UnauthorizedError);
    expect(calls.writeFile).toBe(writes);
    expect(provider.authorizationUrls).toHaveLength(2);
    const stepUp = provider.authorizationUrls[1]!;
    expect(stepUp.searchParams.get('scope')).toBe('files:read files:write');
    expect(stepUp.searchParams.get('resource')).toBe(mcp.url);
    expect(stepUp.searchParams.get('client_id')).toBe(PREREGISTERED);
    await transport.finishAuth(await provider.authorizeCallback());
    expect(provider.grantedScopes().sort()).toEqual(['files:read', 'files:write']);

    // The same connection retries with the new token, and the write runs once.
    const result = await client.callTool(write);
    expect(result.structuredContent).toEqual({ written: path, by: 'dev-user' });
    expect(calls.writeFile).toBe(writes + 1);
    expect((await client.listTools()).tools.map((t) => t.name)).toContain('write_file');
    expect(provider.authorizationUrls).toHaveLength(2);
    await client.close();
  });
});
