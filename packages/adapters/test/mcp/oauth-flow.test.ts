import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { UnauthorizedError } from '@modelcontextprotocol/sdk/client/auth.js';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { connectWithOAuth, headlessOAuthProvider } from '@valet/testing';
import { READ_TOOLS } from './support/file-toolsets.js';
import { startMcpHttp, type McpHttpFixture } from './support/mcp-http.js';

const REDIRECT_URI = 'http://127.0.0.1:9/callback';
/** A public client registered at the authorization server beforehand (no `scope` limit). */
const PREREGISTERED = 'preregistered-mcp-client';

let mcp: McpHttpFixture;

beforeAll(async () => {
  mcp = await startMcpHttp({ clients: [{ clientId: PREREGISTERED, redirectUris: [REDIRECT_URI] }] });
});

afterAll(() => mcp.close());

describe("the SDK client's own OAuth flow against Valet, headless", () => {
  it('discovers from the 401, registers dynamically, authorizes with PKCE, then calls tools', async () => {
    const provider = headlessOAuthProvider({ redirectUrl: REDIRECT_URI });
    const first = new StreamableHTTPClientTransport(new URL(mcp.url), { authProvider: provider });
    await expect(new Client({ name: 'test', version: '1.0.0' }).connect(first)).rejects.toBeInstanceOf(
      UnauthorizedError,
    );
    // The 401 challenge named the metadata, which named the authorization server; the client
    // registered itself and asks for what the challenge asked, for this resource (RFC 8707).
    const login = provider.authorizationUrls[0]!;
    expect(login.origin).toBe(mcp.as.issuer);
    expect(login.searchParams.get('scope')).toBe('files:read');
    expect(login.searchParams.get('resource')).toBe(mcp.url);
    expect(login.searchParams.get('code_challenge_method')).toBe('S256');
    expect(provider.clientInformation()?.client_id).toEqual(expect.any(String));
    await first.finishAuth(await provider.authorize());
    expect(provider.grantedScopes()).toEqual(['files:read']);

    const { client } = await connectWithOAuth({ url: mcp.url, provider });
    expect((await client.listTools()).tools.map((t) => t.name)).toEqual(READ_TOOLS);
    const result = await client.callTool({ name: 'read_file', arguments: { path: 'a.txt' } });
    expect(result.content).toEqual([{ type: 'text', text: 'contents of a.txt for dev-user' }]);
    await client.close();
  });

  it('steps up: 403 insufficient_scope, re-authorization for the challenged scopes, the call succeeds', async () => {
    const provider = headlessOAuthProvider({
      redirectUrl: REDIRECT_URI,
      clientInformation: { client_id: PREREGISTERED },
    });
    const { client, transport } = await connectWithOAuth({ url: mcp.url, provider });
    expect(provider.grantedScopes()).toEqual(['files:read']);

    // The write tool is refused with 403 insufficient_scope naming every scope it needs; the
    // client asks the user again for exactly those, and the retried call goes through.
    const write = { name: 'write_file', arguments: { path: 'notes.txt', content: 'hi' } };
    await expect(client.callTool(write)).rejects.toBeInstanceOf(UnauthorizedError);
    const stepUp = provider.authorizationUrls.at(-1)!;
    expect(stepUp.searchParams.get('scope')).toBe('files:read files:write');
    expect(stepUp.searchParams.get('resource')).toBe(mcp.url);
    await transport.finishAuth(await provider.authorize());
    expect(provider.grantedScopes().sort()).toEqual(['files:read', 'files:write']);

    const result = await client.callTool(write);
    expect(result.structuredContent).toEqual({ written: 'notes.txt', by: 'dev-user' });
    expect((await client.listTools()).tools.map((t) => t.name)).toContain('write_file');
    await client.close();
  });

  it('steps up in one call with withStepUp', async () => {
    const provider = headlessOAuthProvider({
      redirectUrl: REDIRECT_URI,
      clientInformation: { client_id: PREREGISTERED },
    });
    const connection = await connectWithOAuth({ url: mcp.url, provider });
    const write = { name: 'write_file', arguments: { path: 'step-up.txt', content: 'hi' } };
    const result = await connection.withStepUp(() => connection.client.callTool(write));
    expect(result.structuredContent).toEqual({ written: 'step-up.txt', by: 'dev-user' });
    expect(provider.authorizationUrls.at(-1)!.searchParams.get('scope')).toBe('files:read files:write');
    await connection.close();
  });
});
