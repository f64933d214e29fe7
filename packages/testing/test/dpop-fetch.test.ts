import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { JwtVerifier, PolicyRegistry, createValet, defineScopes, type DpopOptions } from '@valet/core';
import { RequiresScope, Tool, Toolset, registerToolsets } from '@valet/decorators';
import { bindToolsets, createMcpHttpHandler, type ToolContext } from '@valet/adapters/mcp';
import { startDevAuthorizationServer, type DevAuthorizationServer } from '../src/dev-authorization-server.js';
import { createDpopKey, type DpopKey } from '../src/dpop-key.js';
import { dpopFetch, type DpopFetch } from '../src/dpop-fetch.js';
import { challengeParams } from '../src/internal/www-authenticate.js';

class NoInput {}

@Toolset()
@RequiresScope('files:read')
class FileTools {
  @Tool({ description: 'Who is calling' })
  whoami(_input: NoInput, ctx: ToolContext): string {
    return `hello ${ctx.principal?.subject ?? 'nobody'}`;
  }
}

const NONCE_SECRET = 'dpop-fetch-test-nonce-secret-32-bytes!';

/** A real MCP endpoint behind Valet on 127.0.0.1, bound once the authorization server runs. */
async function startMcpServer(dpop?: DpopOptions) {
  let handler: ReturnType<typeof createMcpHttpHandler> | undefined;
  const server = createServer((req, res) => (handler === undefined ? res.end() : void handler(req, res)));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`;
  return {
    url,
    server,
    bind(as: DevAuthorizationServer) {
      const registry = new PolicyRegistry({
        catalog: defineScopes({ 'files:read': { description: 'Read files', basic: true } }),
      });
      const toolsets = registerToolsets(registry, [FileTools]);
      const valet = createValet({
        registry,
        resource: url,
        verifier: new JwtVerifier({ issuer: as.issuer, audience: url, jwksUri: as.jwksUri }),
        authorizationServers: [as.issuer],
        ...(dpop === undefined ? {} : { dpop }),
      });
      handler = createMcpHttpHandler({
        valet,
        server: () => bindToolsets(new McpServer({ name: 'files', version: '1.0.0' }), { toolsets, valet }),
      });
      return handler;
    },
  };
}

function close(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

/** A fetch that records the status of every response it passes on. */
function recording(): { fetch: DpopFetch; statuses: number[] } {
  const statuses: number[] = [];
  return {
    statuses,
    fetch: async (input, init) => {
      const response = await fetch(input, init);
      statuses.push(response.status);
      return response;
    },
  };
}

async function connect(url: string, fetchFn: DpopFetch): Promise<Client> {
  const client = new Client({ name: 'dpop-test', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(url), { fetch: fetchFn }));
  return client;
}

/** An MCP `initialize` request, as a client without the SDK would send it. */
function initialize(url: string, authorization: string, dpop?: string): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: {
      authorization,
      ...(dpop === undefined ? {} : { dpop }),
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
    },
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
    }),
  });
}

describe('dpopFetch against a Valet-protected MCP server, with tokens from the dev authorization server', () => {
  let as: DevAuthorizationServer;
  let mcp: Awaited<ReturnType<typeof startMcpServer>>;
  let withNonces: Awaited<ReturnType<typeof startMcpServer>>;
  let key: DpopKey;
  const handlers: { close(): Promise<void> }[] = [];

  beforeAll(async () => {
    mcp = await startMcpServer();
    withNonces = await startMcpServer({ nonce: { secret: NONCE_SECRET } });
    as = await startDevAuthorizationServer({
      resources: [
        { url: mcp.url, scopes: ['files:read'] },
        { url: withNonces.url, scopes: ['files:read'] },
      ],
    });
    handlers.push(mcp.bind(as), withNonces.bind(as));
    key = await createDpopKey();
  });

  afterAll(async () => {
    for (const handler of handlers) await handler.close();
    await close(mcp.server);
    await close(withNonces.server);
    await as.close();
  });

  it('lets the SDK client list and call tools with a DPoP-bound client_credentials token', async () => {
    const token = await as.clientCredentialsToken({ resource: mcp.url, scope: 'files:read', dpop: key });
    expect(decodeJwt(token)['cnf']).toEqual({ jkt: key.jkt });
    const client = await connect(mcp.url, dpopFetch(key, token));
    expect((await client.listTools()).tools.map((tool) => tool.name)).toEqual(['whoami']);
    const result = await client.callTool({ name: 'whoami', arguments: {} });
    expect(result.content).toEqual([{ type: 'text', text: 'hello dev-client' }]);
    await client.close();
  });

  it("lets the SDK client call tools with a DPoP-bound user's token (authorization code)", async () => {
    const token = await as.authorizationCodeToken({ resource: mcp.url, scope: 'files:read', dpop: key });
    const client = await connect(mcp.url, dpopFetch(key, token));
    const result = await client.callTool({ name: 'whoami', arguments: {} });
    expect(result.content).toEqual([{ type: 'text', text: 'hello dev-user' }]);
    await client.close();
  });

  describe('Security: stolen DPoP-bound tokens', () => {
    it('refuses the bound token sent as a Bearer token (401 invalid_token)', async () => {
      const token = await as.clientCredentialsToken({ resource: mcp.url, scope: 'files:read', dpop: key });
      const response = await initialize(mcp.url, `Bearer ${token}`);
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toMatch(/error="invalid_token"/);
      expect(await response.json()).toMatchObject({
        error_description: expect.stringMatching(/bound to a key/),
      });
    });

    it('refuses the bound token presented with a proof from another key (401)', async () => {
      const token = await as.clientCredentialsToken({ resource: mcp.url, scope: 'files:read', dpop: key });
      const thief = await createDpopKey();
      const response = await initialize(
        mcp.url,
        `DPoP ${token}`,
        await thief.proof({ method: 'POST', url: mcp.url, accessToken: token }),
      );
      expect(response.status).toBe(401);
      expect(challengeParams(response.headers.get('www-authenticate'), 'DPoP')?.get('error')).toBe(
        'invalid_token',
      );
      await expect(connect(mcp.url, dpopFetch(thief, token))).rejects.toThrow(
        /another key than the one the token is bound to/,
      );
    });

    it('still serves an unbound Bearer token (DPoP allowed, not required)', async () => {
      const token = await as.clientCredentialsToken({ resource: mcp.url, scope: 'files:read' });
      expect((await initialize(mcp.url, `Bearer ${token}`)).status).toBe(200);
    });
  });

  describe('server nonces (Valet with dpop.nonce)', () => {
    it('retries once on 401 use_dpop_nonce with the DPoP-Nonce, then reuses the nonce for its origin', async () => {
      const token = await as.clientCredentialsToken({
        resource: withNonces.url,
        scope: 'files:read',
        dpop: key,
      });
      const wire = recording();
      const client = await connect(withNonces.url, dpopFetch(key, token, { fetch: wire.fetch }));
      expect(wire.statuses[0]).toBe(401);
      expect(wire.statuses[1]).toBe(200);
      const result = await client.callTool({ name: 'whoami', arguments: {} });
      expect(result.content).toEqual([{ type: 'text', text: 'hello dev-client' }]);
      expect(wire.statuses.slice(1).every((status) => status !== 401)).toBe(true);
      await client.close();
    });

    it('does not retry twice when the nonce it was given is refused too', async () => {
      const token = await as.clientCredentialsToken({
        resource: withNonces.url,
        scope: 'files:read',
        dpop: key,
      });
      const forging: DpopFetch = async (input, init) => {
        const response = await fetch(input, init);
        const headers = new Headers(response.headers);
        if (headers.has('dpop-nonce')) headers.set('dpop-nonce', `0.forged${Math.random()}`);
        return new Response(response.body, { status: response.status, headers });
      };
      const wire: number[] = [];
      const counting: DpopFetch = async (input, init) => {
        const response = await forging(input, init);
        wire.push(response.status);
        return response;
      };
      const response = await dpopFetch(key, token, { fetch: counting })(withNonces.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
        body: '{}',
      });
      expect(response.status).toBe(401);
      expect(wire).toEqual([401, 401]);
    });
  });
});

describe('dpopFetch', () => {
  let key: DpopKey;
  beforeAll(async () => {
    key = await createDpopKey();
  });

  /** A base fetch answering from `answers` in turn and keeping each request it was given. */
  function scripted(...answers: (() => Response)[]) {
    const requests: Request[] = [];
    const bodies: string[] = [];
    const fetchFn: DpopFetch = async (input, init) => {
      const request = new Request(input, init);
      requests.push(request);
      bodies.push(await request.text());
      return answers[Math.min(requests.length - 1, answers.length - 1)]!();
    };
    return { fetch: fetchFn, requests, bodies };
  }
  const ok = () => new Response('ok');
  const nonceChallenge = (nonce: string) => () =>
    new Response(null, {
      status: 401,
      headers: {
        'www-authenticate': `Bearer resource_metadata="x", DPoP algs="ES256", error="use_dpop_nonce", error_description="use the nonce"`,
        'dpop-nonce': nonce,
      },
    });

  it('sends Authorization: DPoP and a proof naming the method, the URL without query or fragment, and the token', async () => {
    const wire = scripted(ok);
    await dpopFetch(key, 'the-token', { fetch: wire.fetch })('https://api.example/mcp?session=1#top', {
      method: 'POST',
      headers: { authorization: 'Bearer something-else' },
      body: 'x',
    });
    const [request] = wire.requests;
    expect(request!.headers.get('authorization')).toBe('DPoP the-token');
    const proof = request!.headers.get('dpop')!;
    expect(decodeProtectedHeader(proof)).toMatchObject({ typ: 'dpop+jwt', alg: 'ES256', jwk: key.publicJwk });
    expect(decodeJwt(proof)).toMatchObject({
      htm: 'POST',
      htu: 'https://api.example/mcp',
      ath: createHash('sha256').update('the-token').digest('base64url'),
    });
    expect(decodeJwt(proof)['nonce']).toBeUndefined();
  });

  it('makes a fresh proof (new jti) for every request', async () => {
    const wire = scripted(ok);
    const send = dpopFetch(key, 't', { fetch: wire.fetch });
    await send('https://api.example/a');
    await send(new Request('https://api.example/a', { method: 'DELETE' }));
    const [first, second] = wire.requests.map((request) => decodeJwt(request.headers.get('dpop')!));
    expect(first!.jti).not.toBe(second!.jti);
    expect([first!['htm'], second!['htm']]).toEqual(['GET', 'DELETE']);
  });

  it('retries a use_dpop_nonce 401 once with the nonce and the same body, and keeps the nonce per origin', async () => {
    const wire = scripted(nonceChallenge('n-1'), ok);
    const send = dpopFetch(key, 't', { fetch: wire.fetch });
    const response = await send('https://api.example/mcp', { method: 'POST', body: '{"id":1}' });
    expect(response.status).toBe(200);
    expect(wire.bodies).toEqual(['{"id":1}', '{"id":1}']);
    expect(wire.requests.map((request) => decodeJwt(request.headers.get('dpop')!)['nonce'])).toEqual([
      undefined,
      'n-1',
    ]);
    await send('https://api.example/other');
    await send('https://elsewhere.example/mcp');
    expect(decodeJwt(wire.requests[2]!.headers.get('dpop')!)['nonce']).toBe('n-1');
    expect(decodeJwt(wire.requests[3]!.headers.get('dpop')!)['nonce']).toBeUndefined();
  });

  it('takes up a nonce a successful response sends', async () => {
    const wire = scripted(() => new Response('ok', { headers: { 'dpop-nonce': 'n-2' } }), ok);
    const send = dpopFetch(key, 't', { fetch: wire.fetch });
    await send('https://api.example/mcp');
    await send('https://api.example/mcp');
    expect(decodeJwt(wire.requests[1]!.headers.get('dpop')!)['nonce']).toBe('n-2');
  });

  it('returns other 401s as they are, without retrying', async () => {
    const refusal = () =>
      new Response(null, {
        status: 401,
        headers: { 'www-authenticate': 'DPoP algs="ES256", error="invalid_token"', 'dpop-nonce': 'n-3' },
      });
    const wire = scripted(refusal, ok);
    const response = await dpopFetch(key, 't', { fetch: wire.fetch })('https://api.example/mcp');
    expect(response.status).toBe(401);
    expect(wire.requests).toHaveLength(1);
  });

  it('does not take a Bearer challenge with error="use_dpop_nonce" for a DPoP one', async () => {
    const bearerOnly = () =>
      new Response(null, {
        status: 401,
        headers: {
          'www-authenticate': 'Bearer error="use_dpop_nonce", DPoP algs="ES256"',
          'dpop-nonce': 'n',
        },
      });
    const wire = scripted(bearerOnly, ok);
    expect((await dpopFetch(key, 't', { fetch: wire.fetch })('https://api.example/mcp')).status).toBe(401);
    expect(wire.requests).toHaveLength(1);
  });

  it('refuses a missing token or a key that is not a DpopKey, when created', () => {
    expect(() => dpopFetch(key, '')).toThrow(/accessToken must be a non-empty string/);
    expect(() => dpopFetch({} as DpopKey, 't')).toThrow(/key must be a DpopKey/);
  });
});
