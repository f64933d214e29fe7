import { afterEach, describe, expect, it } from '@jest/globals';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import {
  Authorizer,
  OptionsError,
  PolicyConfigError,
  PolicyRegistry,
  createValet,
  type Principal,
  type TokenVerifier,
} from '@valet/core';
import { RequiresScope, Tool, Toolset, valetContainerModule } from '@valet/decorators';
import { Container, inject, injectable } from 'inversify';
import { bindToolsets, type BindToolsetsOptions, type ToolContext } from '@valet/adapters/mcp';
import { FileTools, NoInput, PublicTools, fileToolsets, scopes } from './support/file-toolsets.js';
import { connectInMemory, principal, text } from './support/in-memory.js';

let client: Client;

async function connect(options: Partial<BindToolsetsOptions> = {}): Promise<Client> {
  return (client = await connectInMemory(options));
}

afterEach(async () => {
  await client?.close();
});

@injectable()
class Greeter {
  greet(name: string): string {
    return `hello ${name}`;
  }
}

@Toolset()
@RequiresScope('files:read')
class GreetingTools {
  constructor(@inject(Greeter) private readonly greeter: Greeter) {}

  @Tool({ description: 'Greets the caller' })
  greet(_input: NoInput, ctx: ToolContext): string {
    return this.greeter.greet(ctx.principal?.subject ?? 'nobody');
  }
}

const unusedVerifier: TokenVerifier = { verify: () => Promise.reject(new Error('not used')) };

describe('bindToolsets: set-up', () => {
  it('resolves toolsets, their services and the authorizer from an inversify container', async () => {
    const container = new Container();
    container.bind(Greeter).toSelf();
    container.load(valetContainerModule({ toolsets: [GreetingTools], catalog: scopes }));
    await connect({
      container,
      authorizer: undefined,
      toolsets: undefined,
      principal: principal(['files:read']),
    });
    expect(text(await client.callTool({ name: 'greet', arguments: {} }))).toBe('hello alice');
  });

  it('registers toolset classes into a registry not frozen yet, so one list serves both', async () => {
    const registry = new PolicyRegistry({ catalog: scopes });
    const valet = createValet({
      registry,
      resource: 'https://files.example.test/mcp',
      verifier: unusedVerifier,
      authorizationServers: ['https://as.example.test'],
    });
    await connect({
      toolsets: [FileTools, PublicTools],
      valet,
      authorizer: undefined,
      principal: principal(['files:read']),
    });
    expect(registry.has('read_file')).toBe(true);
    expect(text(await client.callTool({ name: 'read_file', arguments: { path: 'a' } }))).toBe(
      'contents of a for alice',
    );
  });

  it('refuses toolsets whose operations are not in a frozen registry', () => {
    const registry = new PolicyRegistry({ catalog: scopes }).freeze();
    expect(() =>
      bindToolsets(new McpServer({ name: 'x', version: '1' }), {
        toolsets: [PublicTools],
        authorizer: new Authorizer(registry),
      }),
    ).toThrow(
      new PolicyConfigError(
        'PublicTools.ping ("ping") is not in the registry the Valet decides with; register its toolset there (registerToolsets(registry, toolsets)) before binding.',
      ),
    );
  });

  it('refuses a toolset with constructor arguments when there is no container to build it', () => {
    const registry = new PolicyRegistry({ catalog: scopes });
    expect(() =>
      bindToolsets(new McpServer({ name: 'x', version: '1' }), {
        toolsets: [GreetingTools],
        authorizer: { registry } as Authorizer,
      }),
    ).toThrow(OptionsError);
  });

  it('refuses to bind beside tools registered on the McpServer directly (they would bypass authorization)', () => {
    const { registry, toolsets } = fileToolsets();
    const server = new McpServer({ name: 'x', version: '1' });
    server.registerTool('raw', { description: 'unprotected' }, () => ({ content: [] }));
    expect(() => bindToolsets(server, { toolsets, authorizer: new Authorizer(registry) })).toThrow(
      /already handles tools\/list/,
    );
    const bound = bindToolsets(new McpServer({ name: 'x', version: '1' }), {
      toolsets,
      authorizer: new Authorizer(registry),
    });
    expect(() => bound.registerTool('raw', { description: 'unprotected' }, () => ({ content: [] }))).toThrow(
      /already exists/,
    );
  });

  it('refuses contradictory or missing options, naming the field', () => {
    const { registry, toolsets } = fileToolsets();
    const valet = createValet({
      registry,
      resource: 'https://files.example.test/mcp',
      verifier: unusedVerifier,
      authorizationServers: ['https://as.example.test'],
    });
    const server = () => new McpServer({ name: 'x', version: '1' });
    const field = (options: BindToolsetsOptions) => {
      try {
        bindToolsets(server(), options);
      } catch (error) {
        return (error as OptionsError).field;
      }
      return undefined;
    };
    expect(field({ toolsets, valet, authorizer: new Authorizer(registry) })).toBe('authorizer');
    expect(field({ toolsets })).toBe('valet');
    expect(field({ valet, toolsets: [] })).toBe('toolsets');
    expect(field({ toolsets, valet, listing: 'some' as 'all' })).toBe('listing');
    expect(field({ toolsets, valet, principal: {} as Principal })).toBe('principal');
  });

  it('refuses to bind a server that is already connected', async () => {
    const { registry, toolsets } = fileToolsets();
    const server = new McpServer({ name: 'x', version: '1' });
    await server.connect(InMemoryTransport.createLinkedPair()[1]);
    expect(() => bindToolsets(server, { toolsets, authorizer: new Authorizer(registry) })).toThrow(
      'bindToolsets() must run before server.connect()',
    );
    await server.close();
  });
});
