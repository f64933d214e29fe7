import { describe, expect, it } from '@jest/globals';
import { PolicyConfigError, allOf, and, anyOf, check, describePolicy, publicAccess } from '@valet/core';
import {
  Prompt,
  Public,
  Requires,
  RequiresAnyScope,
  RequiresScope,
  Resource,
  Tool,
  Toolset,
  collectToolsets,
  type OperationDeclaration,
  type ToolDeclaration,
  type ToolsetClass,
} from '../src/index.js';
import { ReadFileInput, WriteFileInput } from './fixtures/file-dtos.js';

function collectError(classes: ToolsetClass[], options = {}): string {
  try {
    collectToolsets(classes, options);
  } catch (error) {
    expect(error).toBeInstanceOf(PolicyConfigError);
    return (error as Error).message;
  }
  throw new Error('collectToolsets did not throw');
}

function operations(target: ToolsetClass): Record<string, OperationDeclaration> {
  const [definition] = collectToolsets([target]);
  return Object.fromEntries(definition!.operations.map((op) => [op.id, op]));
}

describe('collectToolsets: operations', () => {
  it('names tools after their method in snake_case unless a name is given', () => {
    @Toolset()
    @Public()
    class Names {
      @Tool({ description: 'a' }) readFile(): void {}
      @Tool({ description: 'b' }) getHTTPStatus(): void {}
      @Tool({ description: 'c' }) already_snake(): void {}
      @Tool({ name: 'files.list', description: 'd' }) list(): void {}
    }
    expect(Object.keys(operations(Names))).toEqual([
      'read_file',
      'get_http_status',
      'already_snake',
      'files.list',
    ]);
  });

  it('describes a tool: title, annotations, method, source, input DTO and schema', () => {
    @Toolset()
    class FileTools {
      @Tool({ title: 'Read', description: 'Read a file', annotations: { readOnlyHint: true } })
      @RequiresScope('files:read')
      readFile(input: ReadFileInput): string {
        return input.path;
      }
    }
    const tool = operations(FileTools)['read_file'] as ToolDeclaration;
    expect(tool).toMatchObject({
      kind: 'tool',
      id: 'read_file',
      name: 'read_file',
      title: 'Read',
      description: 'Read a file',
      annotations: { readOnlyHint: true },
      method: 'readFile',
      source: 'FileTools.readFile',
      toolset: FileTools,
      input: ReadFileInput,
      policy: allOf('files:read'),
    });
    expect(tool.inputSchema.required).toEqual(['path']);
    expect(Object.isFrozen(tool)).toBe(true);
  });

  it('takes the input from @Tool({ input }) and gives a tool without parameters an empty object schema', () => {
    @Toolset()
    @Public()
    class Inputs {
      @Tool({ description: 'w', input: WriteFileInput }) write(input: unknown): unknown {
        return input;
      }
      @Tool({ description: 'l' }) list(): string[] {
        return [];
      }
    }
    const ops = operations(Inputs) as Record<string, ToolDeclaration>;
    expect(ops['write']!.input).toBe(WriteFileInput);
    expect(ops['list']!.input).toBeUndefined();
    expect(ops['list']!.inputSchema).toEqual({ type: 'object', properties: {}, additionalProperties: false });
  });

  it('collects resources as resource:<uri> and prompts as prompt:<name>', () => {
    @Toolset()
    @RequiresScope('files:read')
    class Docs {
      @Resource({ uri: 'config://app', description: 'The configuration', mimeType: 'application/json' })
      config(): string {
        return '{}';
      }
      @Prompt({ description: 'Summarize', arguments: [{ name: 'path', required: true }] })
      summarizeFile(): string {
        return '';
      }
    }
    const ops = operations(Docs);
    expect(ops['resource:config://app']).toMatchObject({
      kind: 'resource',
      name: 'config',
      uri: 'config://app',
      mimeType: 'application/json',
      policy: allOf('files:read'),
    });
    expect(ops['prompt:summarize_file']).toMatchObject({
      kind: 'prompt',
      name: 'summarize_file',
      arguments: [{ name: 'path', required: true }],
    });
  });
});

describe('collectToolsets: policies', () => {
  it('ANDs class-level requirements with member-level ones, in the order written', () => {
    @Toolset()
    @RequiresScope('files:read')
    class FileTools {
      @Tool({ description: 'r' }) read(): void {}
      @Tool({ description: 'w' })
      @RequiresScope('files:write')
      @RequiresAnyScope('admin', 'owner')
      write(): void {}
    }
    const ops = operations(FileTools);
    expect(ops['read']!.policy).toEqual(allOf('files:read'));
    expect(ops['write']!.policy).toEqual(
      and(allOf('files:read'), allOf('files:write'), anyOf('admin', 'owner')),
    );
    expect(describePolicy(ops['write']!.policy)).toBe('files:read and files:write and (admin or owner)');
  });

  it('gives a member of a public class exactly its own requirement (public AND x is x)', () => {
    @Toolset()
    @Public()
    class Open {
      @Tool({ description: 'h' }) health(): void {}
      @Tool({ description: 's' }) @RequiresScope('admin') shutdown(): void {}
    }
    const ops = operations(Open);
    expect(ops['health']!.policy).toEqual(publicAccess());
    expect(ops['shutdown']!.policy).toEqual(allOf('admin'));
  });

  it('takes any core policy through @Requires, and @Requires(publicAccess()) as @Public()', () => {
    const owner = check('owner', () => true);
    @Toolset()
    class Checked {
      @Tool({ description: 'd' }) @Requires(owner) @RequiresScope('files:write') remove(): void {}
      @Tool({ description: 'p' }) @Requires(publicAccess()) ping(): void {}
    }
    const ops = operations(Checked);
    expect(ops['remove']!.policy).toEqual(and(owner, allOf('files:write')));
    expect(ops['ping']!.policy).toEqual(publicAccess());
  });
});

describe('collectToolsets: inheritance', () => {
  @Toolset()
  @RequiresScope('files:read')
  class FileTools {
    @Tool({ description: 'r' }) read(): string {
      return 'base';
    }
    @Tool({ description: 'w' }) @RequiresScope('files:write') write(): void {}
  }

  it('inherits tools and requirements; a subclass adds tools and tightens, base first', () => {
    @Toolset()
    @RequiresScope('admin')
    class AdminFileTools extends FileTools {
      @Tool({ description: 'p' }) purge(): void {}
      @RequiresScope('audit') override write(): void {}
    }
    const [definition] = collectToolsets([AdminFileTools]);
    expect(definition!.operations.map((op) => [op.id, describePolicy(op.policy), op.source])).toEqual([
      ['read', 'files:read and admin', 'AdminFileTools.read'],
      ['write', 'files:read and admin and files:write and audit', 'AdminFileTools.write'],
      ['purge', 'files:read and admin', 'AdminFileTools.purge'],
    ]);
    // The base toolset is unchanged by its subclass.
    expect(describePolicy(operations(FileTools)['write']!.policy)).toBe('files:read and files:write');
  });

  it('lets a subclass redeclare a tool (its options win) but never loosen it with @Public()', () => {
    @Toolset()
    class Renamed extends FileTools {
      @Tool({ name: 'read_file', description: 'Read a file' }) override read(): string {
        return 'sub';
      }
    }
    expect(Object.keys(operations(Renamed))).toEqual(['read_file', 'write']);
    @Toolset()
    class Loosened extends FileTools {
      @Public() override read(): string {
        return 'open';
      }
    }
    expect(collectError([Loosened])).toBe(
      '@Public() on Loosened.read contradicts @RequiresScope("files:read") on FileTools: a member cannot loosen ' +
        "its class's requirement. Move read to a toolset without class-level requirements, or remove @Public().",
    );
  });

  it('refuses a subclass without its own @Toolset()', () => {
    class Unmarked extends FileTools {}
    expect(collectError([Unmarked])).toBe(
      'Unmarked is not marked @Toolset(); its base FileTools is, but a subclass needs its own @Toolset().',
    );
  });
});
