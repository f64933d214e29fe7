import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { JwtVerifier, PolicyRegistry, createValet, defineScopes } from '@valet/core';
import { RequiresScope, Tool, Toolset, registerToolsets } from '@valet/decorators';
import { bindToolsets, createMcpHttpHandler, type ToolContext } from '@valet/adapters/mcp';
import { startDevAuthorizationServer, type DevAuthorizationServer } from '../src/dev-authorization-server.js';
import { connectWithOAuth, headlessOAuthProvider } from '../src/mcp-oauth-client.js';

class NoInput {}

@Toolset()
@RequiresScope('files:read')
class FileTools {
  @Tool({ description: 'Who is calling' })
  whoami(_input: NoInput, ctx: ToolContext): string {
    return `hello ${ctx.principal?.subject ?? 'nobody'}`;
  }

  @Tool({ description: 'Write a file' })
  @RequiresScope('files:write')
  writeFile(_input: NoInput, ctx: ToolContext): { written: boolean; by: string | null } {
    return { written: true, by: ctx.principal?.subject ?? null };
  }
}

const REDIRECT_URL = 'http://127.0.0.1:9/callback';
/** A public client registered at the authorization server beforehand (no `scope` limit). */
const PREREGISTERED = 'preregistered-mcp-client';
const WRITE = { name: 'write_file', arguments: {} };

/** A real MCP endpoint behind Valet on 127.0.0.1, trusting `as` for tokens with audience `audience`. */
async function startMcpServer(as: () => DevAuthorizationServer, audience?: string) {
  let handle = (_req: IncomingMessage, res: ServerResponse) => void res.end();
  const server = await listen(createServer((req, res) => handle(req, res)));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`;
  return {
    url,
    server,
    /** Binds the handler once the authorization server (which needs `url` as a resource) runs. */
    bind() {
      const registry = new PolicyRegistry({
        catalog: defineScopes({
          'files:read': { description: 'Read files', basic: true },
          'files:write': { description: 'Write files' },
        }),
      });
      const toolsets = registerToolsets(registry, [FileTools]);
      const { issuer, jwksUri } = as();
      const valet = createValet({
        registry,
        resource: url,
        verifier: new JwtVerifier({ issuer, audience: audience ?? url, jwksUri }),
        authorizationServers: [issuer],
      });
      const handler = createMcpHttpHandler({
        valet,
        server: () => bindToolsets(new McpServer({ name: 'files', version: '1.0.0' }), { toolsets, valet }),
      });
      handle = (req, res) => void handler(req, res);
      return handler;
    },
  };
}

function listen(server: Server): Promise<Server> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

function close(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

let as: DevAuthorizationServer;
let mcp: Awaited<ReturnType<typeof startMcpServer>>;
/** Trusts the same issuer but expects another audience: refuses every token issued for it. */
let misconfigured: Awaited<ReturnType<typeof startMcpServer>>;
/** Needs files:write for a tool, but the authorization server knows only files:read for it. */
let readOnlyAtAs: Awaited<ReturnType<typeof startMcpServer>>;
const handlers: { close(): Promise<void> }[] = [];

beforeAll(async () => {
  mcp = await startMcpServer(() => as);
  misconfigured = await startMcpServer(() => as, 'http://127.0.0.1:9/elsewhere');
  readOnlyAtAs = await startMcpServer(() => as);
  as = await startDevAuthorizationServer({
    resources: [
      { url: mcp.url, scopes: ['files:read', 'files:write'] },
      { url: misconfigured.url, scopes: ['files:read', 'files:write'] },
      { url: readOnlyAtAs.url, scopes: ['files:read'] },
    ],
    clients: [{ clientId: PREREGISTERED, redirectUris: [REDIRECT_URL] }],
  });
  handlers.push(mcp.bind(), misconfigured.bind(), readOnlyAtAs.bind());
});

afterAll(async () => {
  for (const handler of handlers) await handler.close();
  await close(mcp.server);
  await close(misconfigured.server);
  await close(readOnlyAtAs.server);
  await as.close();
});

describe('connectWithOAuth', () => {
  it('discovers from the 401, registers dynamically, authorizes with PKCE, exchanges the code, calls tools', async () => {
    const connection = await connectWithOAuth({ url: mcp.url });
    const { provider, client } = connection;
    // The challenge named the metadata, the metadata the authorization server; the client
    // registered itself and asked for the challenged scope, for this resource (RFC 8707).
    expect(provider.authorizationUrls).toHaveLength(1);
    const login = provider.authorizationUrls[0]!;
    expect(`${login.origin}${login.pathname}`).toBe(as.authorizationEndpoint);
    expect(login.searchParams.get('scope')).toBe('files:read');
    expect(login.searchParams.get('resource')).toBe(mcp.url);
    expect(login.searchParams.get('code_challenge_method')).toBe('S256');
    expect(login.searchParams.get('code_challenge')).toMatch(/^[\w-]{43}$/);
    expect(login.searchParams.get('state')).toMatch(/^[\w-]{22}$/);
    expect(provider.dynamicallyRegistered).toBe(true);
    expect(login.searchParams.get('client_id')).toBe(provider.clientInformation()?.client_id);
    expect(provider.pendingAuthorizationUrl).toBeUndefined();
    expect(provider.grantedScopes()).toEqual(['files:read']);
    expect(provider.tokens()?.token_type).toMatch(/^bearer$/i);

    expect((await client.listTools()).tools.map((tool) => tool.name)).toEqual(['whoami']);
    const result = await client.callTool({ name: 'whoami', arguments: {} });
    expect(result.content).toEqual([{ type: 'text', text: 'hello dev-user' }]);
    await connection.close();
  });

  it('connects without a new authorization when the provider already holds a working token', async () => {
    const first = await connectWithOAuth({ url: mcp.url });
    await first.close();
    const again = await connectWithOAuth({ url: mcp.url, provider: first.provider });
    expect(again.provider.authorizationUrls).toHaveLength(1);
    expect((await again.client.listTools()).tools.map((tool) => tool.name)).toEqual(['whoami']);
    await again.close();
  });

  it('explains a server that refuses the token the flow just obtained (a configuration mismatch)', async () => {
    await expect(connectWithOAuth({ url: misconfigured.url })).rejects.toThrow(
      /refused the access token the authorization server just issued \(scopes "files:read"\).*audience/,
    );
  });

  it('refuses a url that is not absolute', async () => {
    await expect(connectWithOAuth({ url: '/mcp' })).rejects.toThrow(/url must be an absolute URL/);
  });
});

describe('withStepUp', () => {
  it('steps up: 403 insufficient_scope, re-authorization for the challenged scopes, the call succeeds', async () => {
    const provider = headlessOAuthProvider({
      redirectUrl: REDIRECT_URL,
      clientInformation: { client_id: PREREGISTERED },
    });
    const connection = await connectWithOAuth({ url: mcp.url, provider });
    expect(provider.dynamicallyRegistered).toBe(false);
    expect(provider.grantedScopes()).toEqual(['files:read']);

    const result = await connection.withStepUp(() => connection.client.callTool(WRITE));
    expect(result.structuredContent).toEqual({ written: true, by: 'dev-user' });
    // The 403 named every scope the tool needs; the SDK asked for exactly those, for this resource.
    expect(provider.authorizationUrls).toHaveLength(2);
    const stepUp = provider.authorizationUrls[1]!;
    expect(stepUp.searchParams.get('scope')).toBe('files:read files:write');
    expect(stepUp.searchParams.get('resource')).toBe(mcp.url);
    expect(stepUp.searchParams.get('client_id')).toBe(PREREGISTERED);
    expect(provider.grantedScopes().sort()).toEqual(['files:read', 'files:write']);
    expect((await connection.client.listTools()).tools.map((tool) => tool.name)).toEqual([
      'whoami',
      'write_file',
    ]);
    await connection.close();
  });

  it('explains why a dynamically registered client cannot step up beyond its registered scope', async () => {
    const connection = await connectWithOAuth({ url: mcp.url, provider: headlessOAuthProvider() });
    const failure = connection.withStepUp(() => connection.client.callTool(WRITE));
    await expect(failure).rejects.toThrow(/re-authorization for "files:read files:write"/);
    await expect(failure).rejects.toThrow(/registered itself dynamically.*clientInformation/);
    expect(connection.provider.grantedScopes()).toEqual(['files:read']);
    await connection.close();
  });

  it('explains a step-up that the authorization server answered with fewer scopes than asked', async () => {
    const provider = headlessOAuthProvider({
      redirectUrl: REDIRECT_URL,
      clientInformation: { client_id: PREREGISTERED },
    });
    const connection = await connectWithOAuth({ url: readOnlyAtAs.url, provider });
    let runs = 0;
    const write = () => {
      runs += 1;
      return connection.client.callTool(WRITE);
    };
    const failure = connection.withStepUp(write);
    await expect(failure).rejects.toThrow(
      /re-authorization for "files:read files:write" did not get the call through \(.*403.*\); the tokens held grant "files:read"\.$/,
    );
    expect(runs).toBe(2);
    expect(provider.authorizationUrls).toHaveLength(2);
    await connection.close();
  });

  it('passes on a failure that asked for no authorization, and runs the call once', async () => {
    const connection = await connectWithOAuth({ url: mcp.url });
    let runs = 0;
    const failing = () => {
      runs += 1;
      return Promise.reject(new Error('the tool is broken'));
    };
    await expect(connection.withStepUp(failing)).rejects.toThrow('the tool is broken');
    expect(runs).toBe(1);
    expect(connection.provider.authorizationUrls).toHaveLength(1);
    await connection.close();
  });
});

describe('headlessOAuthProvider', () => {
  it('refuses to authorize when the SDK asked for nothing', async () => {
    await expect(headlessOAuthProvider().authorize()).rejects.toThrow(/has not asked for an authorization/);
  });

  it('refuses a redirectUrl that is not absolute', () => {
    expect(() => headlessOAuthProvider({ redirectUrl: 'callback' })).toThrow(
      /redirectUrl must be an absolute URL/,
    );
  });

  it('hands back the whole callback (code, state, iss) for SDK v2, with the state checked', async () => {
    // An authorization server that redirects straight back, as a consenting one does.
    const issuer = await listen(
      createServer((req, res) => {
        const state = new URL(req.url!, 'http://127.0.0.1').searchParams.get('state');
        res.writeHead(302, {
          location: `${REDIRECT_URL}?code=c0de&state=${state}&iss=https%3A%2F%2Fas.example`,
        });
        res.end();
      }),
    );
    const provider = headlessOAuthProvider({ redirectUrl: REDIRECT_URL });
    const state = await provider.state!();
    const { port } = issuer.address() as AddressInfo;
    await provider.redirectToAuthorization(new URL(`http://127.0.0.1:${port}/authorize?state=${state}`));
    const callback = await provider.authorizeCallback();
    expect(Object.fromEntries(callback)).toEqual({ code: 'c0de', state, iss: 'https://as.example' });
    expect(provider.pendingAuthorizationUrl).toBeUndefined();
    await expect(provider.authorizeCallback()).rejects.toThrow(/has not asked for an authorization/);
    await close(issuer);
  });

  it('keeps the discovery state until the SDK invalidates it', async () => {
    const provider = headlessOAuthProvider();
    const discovery = {
      authorizationServerUrl: 'https://as.example',
      resourceMetadataUrl: 'https://rs.example/m',
    };
    await provider.saveDiscoveryState!(discovery);
    await provider.invalidateCredentials!('tokens');
    expect(await provider.discoveryState!()).toEqual(discovery);
    await provider.invalidateCredentials!('discovery');
    expect(await provider.discoveryState!()).toBeUndefined();
  });

  it('registers as a public client using PKCE, with the redirect URL and scope given', () => {
    const provider = headlessOAuthProvider({ redirectUrl: REDIRECT_URL, scope: 'files:read' });
    expect(provider.clientMetadata).toMatchObject({
      redirect_uris: [REDIRECT_URL],
      grant_types: ['authorization_code'],
      token_endpoint_auth_method: 'none',
      scope: 'files:read',
    });
  });
});

describe('Security: forged authorization response (CSRF, injected code)', () => {
  it('refuses a redirect back whose state is not the one the client sent', async () => {
    // An authorization server that answers every request with a code for another session.
    const forger = await listen(
      createServer((_req, res) => {
        res.writeHead(302, { location: `${REDIRECT_URL}?code=injected&state=someone-elses` });
        res.end();
      }),
    );
    const provider = headlessOAuthProvider({ redirectUrl: REDIRECT_URL });
    const { port } = forger.address() as AddressInfo;
    await provider.redirectToAuthorization(
      new URL(`http://127.0.0.1:${port}/authorize?state=${provider.state!()}`),
    );
    await expect(provider.authorize()).rejects.toThrow(/state this client did not send/);
    await provider.redirectToAuthorization(
      new URL(`http://127.0.0.1:${port}/authorize?state=${provider.state!()}`),
    );
    await expect(provider.authorizeCallback()).rejects.toThrow(/state this client did not send/);
    await close(forger);
  });
});
