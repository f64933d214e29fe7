import { describe, expect, it } from '@jest/globals';
import { PolicyConfigError, defineScopes } from '@valet/core';
import {
  Public,
  RequiresScope,
  Resource,
  Tool,
  Toolset,
  collectToolsets,
  type ToolsetClass,
} from '../src/index.js';
import { ReadFileInput, WriteFileInput } from './fixtures/file-dtos.js';

const scopes = defineScopes({
  'files:read': { description: 'Read files' },
  'files:write': { description: 'Write files', implies: ['files:read'] },
  admin: {},
});

function collectError(classes: ToolsetClass[], options = {}): string {
  try {
    collectToolsets(classes, options);
  } catch (error) {
    expect(error).toBeInstanceOf(PolicyConfigError);
    return (error as Error).message;
  }
  throw new Error('collectToolsets did not throw');
}

describe('collectToolsets: start-up errors', () => {
  it('refuses a policy decorator on a method that is not a @Tool', () => {
    @Toolset()
    class FileTools {
      @Tool({ description: 'r' }) @Public() read(): void {}
      @RequiresScope('files:read') helper(): void {}
    }
    expect(collectError([FileTools])).toBe(
      '@RequiresScope on FileTools.helper: the method is not a @Tool; add @Tool(...) or move the requirement to the class.',
    );
  });

  it('refuses a policy decorator on a static method that is not a @Tool, as on any other', () => {
    @Toolset()
    class FileTools {
      @Tool({ description: 'r' }) @Public() read(): void {}
      @RequiresScope('files:read') static helper(): void {}
    }
    expect(collectError([FileTools])).toBe(
      '@RequiresScope on FileTools.helper: the method is not a @Tool; add @Tool(...) or move the requirement to the class.',
    );
  });

  it('refuses two tools with one name, naming both', () => {
    @Toolset()
    @Public()
    class FileTools {
      @Tool({ description: 'r' }) readFile(): void {}
    }
    @Toolset()
    @Public()
    class OtherTools {
      @Tool({ name: 'read_file', description: 'r' }) read(): void {}
    }
    expect(collectError([FileTools, OtherTools])).toBe(
      'Tool "read_file" is declared twice: by FileTools.readFile and by OtherTools.read. ' +
        'Names must be unique; rename one with @Tool({ name }).',
    );
  });

  it('refuses a tool without a policy (default deny)', () => {
    @Toolset()
    class FileTools {
      @Tool({ description: 'x' }) x(): void {}
    }
    expect(collectError([FileTools])).toBe(
      'Tool "x" (FileTools.x) has no policy; add @RequiresScope(...) or @Public().',
    );
  });

  it('refuses an unknown scope against the catalog, with a did-you-mean, once per decorator', () => {
    @Toolset()
    @RequiresScope('file:read')
    class FileTools {
      @Tool({ description: 'r' }) read(): void {}
      @Tool({ description: 'w' }) @RequiresScope('files:wirte') write(): void {}
    }
    expect(collectError([FileTools], { catalog: scopes })).toBe(
      'The toolsets have 2 problems:\n' +
        '- @RequiresScope("file:read") on FileTools: unknown scope "file:read". Did you mean "files:read"?\n' +
        '- @RequiresScope("files:wirte") on FileTools.write: unknown scope "files:wirte". Did you mean "files:write"?',
    );
  });

  it('refuses @Tool on a class not marked @Toolset()', () => {
    @Public()
    class FileTools {
      @Tool({ description: 'r' }) read(): void {}
    }
    expect(collectError([FileTools])).toBe(
      'FileTools has @Tool methods but is not marked @Toolset(); add @Toolset() to the class.',
    );
  });

  it('refuses @Public() together with a requirement on the same member or class', () => {
    @Toolset()
    @Public()
    @RequiresScope('admin')
    class Both {
      @Tool({ description: 'x' }) @Public() @RequiresScope('files:read') x(): void {}
    }
    expect(collectError([Both])).toBe(
      'The toolsets have 2 problems:\n' +
        '- @Public() on Both contradicts @RequiresScope("admin") on Both: a class cannot be public and restricted at once. Remove one of them.\n' +
        '- @Public() on Both.x contradicts @RequiresScope("files:read") on Both.x: a member cannot be public and restricted at once. Remove one of them.',
    );
  });

  it('refuses invalid names and options, naming the method', () => {
    @Toolset()
    @Public()
    class Bad {
      @Tool({ name: 'read file', description: 'r' }) read(): void {}
      @Tool({ description: '' }) empty(): void {}
      @Resource({ uri: 'no scheme', description: 'x' }) res(): void {}
      @Tool({ description: 'a' }) @Resource({ uri: 'a://b', description: 'b' }) twice(): void {}
      @Tool({ description: 's' }) static helper(): void {}
    }
    expect(collectError([Bad, Bad])).toBe(
      'The toolsets have 6 problems:\n' +
        '- Tool name "read file" (Bad.read) is not valid: use 1 to 128 characters from A-Z, a-z, 0-9, "_", "-" and ".".\n' +
        '- @Tool on Bad.empty: "description" must be a non-empty string; it tells clients and models what the tool is for.\n' +
        '- @Resource on Bad.res: "uri" must be a URI with a scheme, like "config://app"; got "no scheme".\n' +
        '- Bad.twice has both @Tool and @Resource; a method is one operation, so keep one.\n' +
        '- @Tool on static Bad.helper: operations are instance methods (the toolset is resolved from the container); remove "static".\n' +
        '- Bad is listed twice among the toolsets; list it once.',
    );
  });

  it('refuses a tool name longer than 128 characters', () => {
    @Toolset()
    @Public()
    class Long {
      @Tool({ name: 'x'.repeat(129), description: 'x' }) long(): void {}
    }
    expect(collectError([Long])).toContain('is not valid: use 1 to 128 characters');
  });

  it('refuses an input that is not a DTO class, and an input that contradicts the parameter', () => {
    interface Shape {
      path: string;
    }
    @Toolset()
    @Public()
    class Inputs {
      @Tool({ description: 'i' }) byInterface(input: Shape): string {
        return input.path;
      }
      @Tool({ description: 's' }) byString(path: string): string {
        return path;
      }
      @Tool({ description: 'm', input: WriteFileInput }) mismatch(input: ReadFileInput): string {
        return input.path;
      }
    }
    expect(collectError([Inputs])).toBe(
      'The toolsets have 3 problems:\n' +
        '- Tool "by_interface" (Inputs.byInterface): the type of its first parameter is not a class (an interface, a type literal, or a class imported with `import type`), so its input cannot be validated. Declare it as a DTO class imported as a value, or pass @Tool({ input: Dto }).\n' +
        '- Tool "by_string" (Inputs.byString): its first parameter is a string, but tool input is a JSON object. Declare a DTO class for it, or pass @Tool({ input: Dto }).\n' +
        '- Tool "mismatch" (Inputs.mismatch): @Tool({ input: WriteFileInput }) but its first parameter is declared as ReadFileInput; make them the same class.',
    );
  });
  it('refuses a tool method that takes a parameter but was compiled without emitDecoratorMetadata', () => {
    @Toolset()
    class NoteTools {
      @Tool({ description: 'Add a note' })
      @Public()
      add(input: ReadFileInput): string {
        return input.path;
      }
      @Tool({ description: 'Count notes' })
      @Public()
      count(): number {
        return 0;
      }
    }
    // What tsx, esbuild or tsc without the flag produce: the decorators ran, no types were emitted.
    Reflect.deleteMetadata('design:paramtypes', NoteTools.prototype, 'add');
    Reflect.deleteMetadata('design:paramtypes', NoteTools.prototype, 'count');
    const message = collectError([NoteTools]);
    expect(message).toContain(
      'Tool "add" (NoteTools.add): the method takes a parameter but has no emitted type metadata (design:paramtypes)',
    );
    expect(message).toContain('"emitDecoratorMetadata": true');
    expect(message).not.toContain('"count"');
  });

  it('accepts a method without metadata when @Tool({ input }) names its DTO', () => {
    @Toolset()
    class NoteTools {
      @Tool({ description: 'Add a note', input: ReadFileInput })
      @Public()
      add(input: ReadFileInput): string {
        return input.path;
      }
    }
    Reflect.deleteMetadata('design:paramtypes', NoteTools.prototype, 'add');
    const [definition] = collectToolsets([NoteTools]);
    expect(definition?.operations[0]).toMatchObject({ kind: 'tool', input: ReadFileInput });
  });
});
