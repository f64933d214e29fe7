import { describe, expect, it } from '@jest/globals';
import {
  Authorizer,
  OptionsError,
  PolicyConfigError,
  PolicyRegistry,
  allOf,
  and,
  check,
  createPrincipal,
  defineScopes,
  or,
  type Decision,
} from '@valet/core';
import {
  Prompt,
  Public,
  Requires,
  RequiresScope,
  Resource,
  Tool,
  Toolset,
  registerToolsets,
} from '../src/index.js';
import { ReadFileInput, WriteFileInput } from './fixtures/file-dtos.js';

const scopes = defineScopes({
  'files:read': { description: 'Read files' },
  'files:write': { description: 'Write files', implies: ['files:read'] },
  'files:delete': { description: 'Delete files' },
});

@Toolset()
@RequiresScope('files:read')
class FileTools {
  @Tool({ title: 'Read', description: 'Read a file', annotations: { readOnlyHint: true } })
  readFile(input: ReadFileInput): string {
    return input.path;
  }

  @Tool({ description: 'Write a file' })
  @RequiresScope('files:write')
  writeFile(input: WriteFileInput): string {
    return input.path;
  }

  @Resource({ uri: 'files://index', description: 'Every file', mimeType: 'text/plain' })
  index(): string {
    return '';
  }

  @Prompt({ description: 'Summarize a file', arguments: [{ name: 'path', required: true }] })
  summarize(): string {
    return '';
  }
}

@Toolset()
@Public()
class HealthTools {
  @Tool({ description: 'Ping' })
  ping(): string {
    return 'pong';
  }
}

function principal(...granted: string[]) {
  return createPrincipal({ subject: 'alice', scopes: granted, token: 't' });
}

describe('registerToolsets', () => {
  it('registers every tool, resource and prompt with its policy, source and metadata', () => {
    const registry = new PolicyRegistry({ catalog: scopes });
    const definitions = registerToolsets(registry, [FileTools, HealthTools]);
    expect(definitions.map((d) => d.name)).toEqual(['FileTools', 'HealthTools']);
    expect(registry.operations().map((op) => [op.id, op.kind, op.source])).toEqual([
      ['read_file', 'tool', 'FileTools.readFile'],
      ['write_file', 'tool', 'FileTools.writeFile'],
      ['resource:files://index', 'resource', 'FileTools.index'],
      ['prompt:summarize', 'prompt', 'FileTools.summarize'],
      ['ping', 'tool', 'HealthTools.ping'],
    ]);
    const write = registry.get('write_file')!;
    expect(write.policy).toEqual(and(allOf('files:read'), allOf('files:write')));
    expect(write.description).toBe('Write a file');
    expect(write.meta).toMatchObject({ toolset: 'FileTools', method: 'writeFile', name: 'write_file' });
    expect((write.meta!['inputSchema'] as { required: string[] }).required).toContain('content');
    expect(registry.get('read_file')).toMatchObject({
      title: 'Read',
      meta: { annotations: { readOnlyHint: true } },
    });
    expect(registry.get('resource:files://index')!.meta).toMatchObject({
      uri: 'files://index',
      mimeType: 'text/plain',
    });
    expect(registry.get('prompt:summarize')!.meta).toMatchObject({
      arguments: [{ name: 'path', required: true }],
    });
    expect(registry.frozen).toBe(false);
  });

  it('decides by the decorated policies once the Authorizer freezes the registry', () => {
    const registry = new PolicyRegistry({ catalog: scopes });
    registerToolsets(registry, [FileTools, HealthTools]);
    const authorizer = new Authorizer(registry);
    const decide = (id: string, ...granted: string[]): Decision =>
      authorizer.authorizeSync(principal(...granted), id);
    expect(decide('read_file', 'files:read').allowed).toBe(true);
    // files:write implies files:read: the class requirement is met through the catalog.
    expect(decide('write_file', 'files:write').allowed).toBe(true);
    const refused = decide('write_file', 'files:read');
    expect(refused).toMatchObject({ allowed: false, missing: ['files:write'] });
    expect(authorizer.authorizeSync(null, 'read_file').allowed).toBe(false);
    expect(authorizer.authorizeSync(null, 'ping').allowed).toBe(true);
  });

  it("checks decorator scopes against the registry's catalog, naming the decorator and method", () => {
    @Toolset()
    class Typo {
      @Tool({ description: 'w' }) @RequiresScope('file:write') write(): void {}
    }
    expect(() => registerToolsets(new PolicyRegistry({ catalog: scopes }), [Typo])).toThrow(
      new PolicyConfigError(
        '@RequiresScope("file:write") on Typo.write: unknown scope "file:write". Did you mean "files:write"?',
      ),
    );
  });

  it('leaves scopes inside @Requires(policy) to the registry, whose freeze names the method', () => {
    const owner = check('owner', () => true);
    @Toolset()
    class Deep {
      @Tool({ description: 'd' }) @Requires(or(allOf('files:delte'), owner)) remove(): void {}
    }
    const registry = new PolicyRegistry({ catalog: scopes });
    registerToolsets(registry, [Deep]);
    expect(() => registry.freeze()).toThrow(
      '@RequiresScope("files:delte") on Deep.remove: unknown scope. Did you mean "files:delete"?',
    );
  });

  it('refuses a tool whose name is already registered, naming both sources', () => {
    const registry = new PolicyRegistry().register({
      id: 'ping',
      kind: 'tool',
      policy: allOf('x'),
      source: 'routes.ts',
    });
    expect(() => registerToolsets(registry, [HealthTools])).toThrow(
      'Tool "ping" is declared twice: by routes.ts and by HealthTools.ping.',
    );
  });

  it('refuses a registry that is not a PolicyRegistry', () => {
    expect(() => registerToolsets({} as PolicyRegistry, [HealthTools])).toThrow(OptionsError);
  });
});
