import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { UnauthorizedError, type OAuthClientProvider } from '@modelcontextprotocol/sdk/client/auth.js';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type {
  OAuthClientInformationMixed,
  OAuthClientMetadata,
  OAuthTokens,
} from '@modelcontextprotocol/sdk/shared/auth.js';
import { authorizeHeadless } from '@valet/testing';
import { READ_TOOLS } from './support/file-toolsets.js';
import { startMcpHttp, type McpHttpFixture } from './support/mcp-http.js';

/**
 * An MCP client's OAuth state, kept in memory. Instead of opening a browser,
 * `redirectToAuthorization` records the URL; the test plays the browser with `authorizeHeadless`.
 */
class HeadlessProvider implements OAuthClientProvider {
  readonly redirectUrl = REDIRECT_URI;
  readonly authorizationUrls: URL[] = [];
  #client: OAuthClientInformationMixed | undefined;

  /** Without `clientId`, the client registers itself (RFC 7591). */
  constructor(clientId?: string) {
    if (clientId !== undefined) this.#client = { client_id: clientId };
  }
  #tokens: OAuthTokens | undefined;
  #verifier = '';

  get clientMetadata(): OAuthClientMetadata {
    return {
      client_name: 'Valet headless test client',
      redirect_uris: [this.redirectUrl],
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
    };
  }
  clientInformation() {
    return this.#client;
  }
  saveClientInformation(info: OAuthClientInformationMixed) {
    this.#client = info;
  }
  tokens() {
    return this.#tokens;
  }
  saveTokens(tokens: OAuthTokens) {
    this.#tokens = tokens;
  }
  redirectToAuthorization(url: URL) {
    this.authorizationUrls.push(url);
  }
  saveCodeVerifier(verifier: string) {
    this.#verifier = verifier;
  }
  codeVerifier() {
    return this.#verifier;
  }
  /** The scopes of the access token held now. */
  grantedScopes(): string[] {
    const payload = this.#tokens!.access_token.split('.')[1]!;
    return String(JSON.parse(Buffer.from(payload, 'base64url').toString()).scope).split(' ');
  }
}

const REDIRECT_URI = 'http://127.0.0.1:9/callback';
/** A public client registered at the authorization server beforehand (no `scope` limit). */
const PREREGISTERED = 'preregistered-mcp-client';

let mcp: McpHttpFixture;

beforeAll(async () => {
  mcp = await startMcpHttp({ clients: [{ clientId: PREREGISTERED, redirectUris: [REDIRECT_URI] }] });
});

afterAll(() => mcp.close());

/** Plays the user at the authorization server for the last URL the client wanted to open. */
async function approve(provider: HeadlessProvider, transport: StreamableHTTPClientTransport): Promise<void> {
  const { code } = await authorizeHeadless(provider.authorizationUrls.at(-1)!, {
    redirectUri: provider.redirectUrl,
  });
  await transport.finishAuth(code);
}

describe("the SDK client's own OAuth flow against Valet, headless", () => {
  it('discovers from the 401, registers dynamically, authorizes with PKCE, then calls tools', async () => {
    const provider = new HeadlessProvider();
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
    await approve(provider, first);
    expect(provider.grantedScopes()).toEqual(['files:read']);

    const client = new Client({ name: 'test', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(mcp.url), { authProvider: provider }));
    expect((await client.listTools()).tools.map((t) => t.name)).toEqual(READ_TOOLS);
    const result = await client.callTool({ name: 'read_file', arguments: { path: 'a.txt' } });
    expect(result.content).toEqual([{ type: 'text', text: 'contents of a.txt for dev-user' }]);
    await client.close();
  });

  it('steps up: 403 insufficient_scope, re-authorization for the challenged scopes, the call succeeds', async () => {
    const provider = new HeadlessProvider(PREREGISTERED);
    const first = new StreamableHTTPClientTransport(new URL(mcp.url), { authProvider: provider });
    await expect(new Client({ name: 'test', version: '1.0.0' }).connect(first)).rejects.toBeInstanceOf(
      UnauthorizedError,
    );
    await approve(provider, first);

    const transport = new StreamableHTTPClientTransport(new URL(mcp.url), { authProvider: provider });
    const client = new Client({ name: 'test', version: '1.0.0' });
    await client.connect(transport);
    expect(provider.grantedScopes()).toEqual(['files:read']);

    // The write tool is refused with 403 insufficient_scope naming every scope it needs; the
    // client asks the user again for exactly those, and the retried call goes through.
    const write = { name: 'write_file', arguments: { path: 'notes.txt', content: 'hi' } };
    await expect(client.callTool(write)).rejects.toBeInstanceOf(UnauthorizedError);
    const stepUp = provider.authorizationUrls.at(-1)!;
    expect(stepUp.searchParams.get('scope')).toBe('files:read files:write');
    expect(stepUp.searchParams.get('resource')).toBe(mcp.url);
    await approve(provider, transport);
    expect(provider.grantedScopes().sort()).toEqual(['files:read', 'files:write']);

    const result = await client.callTool(write);
    expect(result.structuredContent).toEqual({ written: 'notes.txt', by: 'dev-user' });
    expect((await client.listTools()).tools.map((t) => t.name)).toContain('write_file');
    await client.close();
  });
});
