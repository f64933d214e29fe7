import { createServer } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { McpServer as McpServerV2 } from '@modelcontextprotocol/server';
import {
  TokenExchangeError,
  PolicyRegistry,
  buildManifest,
  createPrincipal,
  createValet,
  defineScopes,
  renderManifestHtml,
  renderManifestMarkdown,
  type Valet,
} from '@valet/core';
import { Downstream, RequiresScope, Tool, Toolset, registerToolsets } from '@valet/decorators';
import * as v1 from '@valet/adapters/mcp';
import * as v2 from '@valet/adapters/mcp-v2';
import { listen } from '../support/fixture.js';
import { challenge, raw, toolCall } from './support/mcp-http.js';
import { modernRequest } from '../mcp-v2/support/v2-http.js';

interface Ctx {
  readonly downstream?: {
    token(a?: string): Promise<string>;
    fetch(u: string, i?: RequestInit): Promise<Response>;
  };
}

/** No arguments. */
class Empty {}

let downstreamUrl = '';
const seen: (string | undefined)[] = [];
const exchanges: { subjectToken: string; audience: string; scopes: readonly string[] }[] = [];
let refuse: 'none' | 'consent' | 'other' = 'none';

function backupTools(audience: string) {
  @Toolset()
  @RequiresScope('files:read')
  class BackupTools {
    @Tool({ name: 'backup', description: 'Back up' })
    @Downstream(audience, ['backup:write'], { stepUpScope: 'files:backup' })
    async backup(_input: Empty, ctx: Ctx): Promise<string> {
      const res = await ctx.downstream!.fetch(`${downstreamUrl}/blobs`, { method: 'PUT' });
      return `token=${await ctx.downstream!.token()} status=${res.status}`;
    }

    @Tool({ name: 'leak', description: 'Tries another origin' })
    @Downstream(audience, ['backup:write'])
    async leak(_input: Empty, ctx: Ctx): Promise<string> {
      try {
        await ctx.downstream!.fetch('http://localhost:9/steal');
        return 'sent';
      } catch (error) {
        return `refused: ${(error as Error).message}`;
      }
    }
  }
  return BackupTools;
}

let BackupTools: ReturnType<typeof backupTools>;

const exchanger = {
  async exchange(request: { subjectToken: string; audience: string; scopes: readonly string[] }) {
    exchanges.push(request);
    if (refuse !== 'none') {
      throw new TokenExchangeError(
        refuse === 'consent' ? 'consent_or_scope' : 'refused',
        'The IdP refused the exchange.',
        {
          audience: request.audience,
          scopes: request.scopes,
          oauthError: refuse === 'consent' ? 'consent_required' : 'invalid_grant',
        },
      );
    }
    return {
      accessToken: `exchanged-for-${request.audience}`,
      tokenType: 'Bearer',
      expiresAt: Date.now() + 60_000,
      scopes: request.scopes,
    };
  },
};

let downstream: { baseUrl: string; close(): Promise<void> };
let mcp: { baseUrl: string; close(): Promise<void> };
let valet: Valet;

beforeAll(async () => {
  downstream = await listen(
    createServer((req, res) => {
      seen.push(req.headers.authorization);
      res.end('ok');
    }),
  );
  downstreamUrl = downstream.baseUrl;
  // The audience is the downstream server's URL, known only once it listens.
  BackupTools = backupTools(downstreamUrl);
});

afterAll(async () => {
  await downstream.close();
  await mcp?.close();
});

function setUp(binding: 'v1' | 'v2'): { url: string; start(): Promise<void> } {
  const state = { url: '' };
  return {
    get url() {
      return state.url;
    },
    async start() {
      const catalog = defineScopes({
        'files:read': { description: 'Read' },
        'files:backup': { description: 'Back up' },
      });
      const registry = new PolicyRegistry({ catalog });
      const toolsets = registerToolsets(registry, [BackupTools]);
      let handle: Parameters<typeof createServer>[1] = (_q, r) => r.end();
      mcp = await listen(createServer((q, r) => handle!(q, r)));
      state.url = `${mcp.baseUrl}/mcp`;
      valet = createValet({
        registry,
        resource: state.url,
        verifier: {
          verify: async (token) => createPrincipal({ token, subject: 'alice', scopes: ['files:read'] }),
        },
        authorizationServers: ['https://as.example.com'],
      });
      const handler =
        binding === 'v1'
          ? v1.createMcpHttpHandler({
              valet,
              exchanger,
              server: () => v1.bindToolsets(new McpServer({ name: 'b', version: '1' }), { toolsets, valet }),
            })
          : v2.createMcpHttpHandler({
              valet,
              exchanger,
              server: () =>
                v2.bindToolsets(new McpServerV2({ name: 'b', version: '1' }), { toolsets, valet }),
            });
      handle = (q, r) => void handler(q, r);
    },
  };
}

describe.each(['v1', 'v2'] as const)('@Downstream on MCP %s over HTTP', (binding) => {
  const fixture = setUp(binding);
  const call = (name: string) => {
    if (binding === 'v1') return raw(fixture.url, { token: 'caller-token', body: toolCall(1, name) });
    const modern = modernRequest(1, 'tools/call', { name, arguments: {} });
    return raw(fixture.url, { token: 'caller-token', headers: modern.headers, body: modern.body });
  };
  const text = (messages: readonly Record<string, unknown>[]) =>
    JSON.stringify(messages.map((m) => (m['result'] as { content?: unknown })?.content));

  beforeAll(async () => {
    await mcp?.close();
    await fixture.start();
  });

  it('a tool gets a token for exactly its audience and scope; the downstream never sees the caller token', async () => {
    refuse = 'none';
    exchanges.length = 0;
    seen.length = 0;
    const res = await call('backup');
    expect(res.status).toBe(200);
    expect(exchanges).toEqual([
      { subjectToken: 'caller-token', audience: downstreamUrl, scopes: ['backup:write'] },
    ]);
    expect(seen).toEqual([`Bearer exchanged-for-${downstreamUrl}`]);
    expect(text(res.messages)).toContain(`token=exchanged-for-${downstreamUrl} status=200`);
  });

  it('Security: token forwarding to another origin: fetch refuses and sends nothing', async () => {
    refuse = 'none';
    seen.length = 0;
    const res = await call('leak');
    expect(text(res.messages)).toContain('refused:');
    expect(text(res.messages)).toContain('is not one of them');
    expect(seen).toEqual([]);
  });

  it('a refusal for want of consent is a 403 step-up naming the declared scope, before the tool runs', async () => {
    refuse = 'consent';
    seen.length = 0;
    const res = await call('backup');
    expect(res.status).toBe(403);
    expect(challenge(res.headers.get('www-authenticate'))).toMatchObject({
      error: 'insufficient_scope',
      scope: 'files:backup',
    });
    expect(seen).toEqual([]);
  });

  it('any other refusal is a tool error without internals', async () => {
    refuse = 'other';
    const res = await call('backup');
    expect(res.status).toBe(200);
    const result = res.messages[0]!['result'] as { isError?: boolean; content: { text: string }[] };
    expect(result.isError).toBe(true);
    expect(result.content[0]!.text).toContain('could not obtain a token');
    expect(result.content[0]!.text).not.toContain('invalid_grant');
  });

  it('the manifest shows the delegation in JSON, Markdown and HTML', () => {
    const manifest = buildManifest(valet.registry);
    expect(manifest.operations.find((op) => op.id === 'backup')?.downstream).toEqual([
      { audience: downstreamUrl, scopes: ['backup:write'] },
    ]);
    expect(renderManifestMarkdown(manifest)).toContain("Acts on the caller's behalf");
    expect(renderManifestMarkdown(manifest)).toContain(`${downstreamUrl} (backup:write)`);
    expect(renderManifestHtml(manifest)).toMatch(/Acts on the caller.{1,6}s behalf/);
  });
});

describe('@Downstream at start-up', () => {
  it('a handler without an exchanger is refused, naming the tool and the option', () => {
    const registry = new PolicyRegistry();
    registerToolsets(registry, [BackupTools]);
    const v = createValet({
      registry,
      resource: 'http://127.0.0.1:1/mcp',
      verifier: { verify: async (token) => createPrincipal({ token }) },
      authorizationServers: ['https://as.example.com'],
    });
    expect(() =>
      v1.createMcpHttpHandler({ valet: v, server: () => new McpServer({ name: 'x', version: '1' }) }),
    ).toThrow(/BackupTools\.backup \("backup"\) declares @Downstream: .*exchanger/);
  });

  it('an audience that is not https (nor loopback http) is refused', () => {
    @Toolset()
    class Bad {
      @Tool({ description: 'x' })
      @RequiresScope('files:read')
      @Downstream('http://backup.example.com', ['backup:write'])
      run(): string {
        return '';
      }
    }
    const registry = new PolicyRegistry();
    registerToolsets(registry, [Bad]);
    expect(() => registry.freeze()).toThrow(/must use https/);
  });
});
