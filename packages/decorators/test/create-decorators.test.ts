import { describe, expect, it } from '@jest/globals';
import { OptionsError, defineScopes, describePolicy, type ScopeCatalog } from '@valet/core';
import { Tool, Toolset, collectToolsets, createDecorators } from '../src/index.js';

const scopes = defineScopes({
  'files:read': { description: 'Read files' },
  'files:write': { description: 'Write files', implies: ['files:read'] },
});
const { RequiresScope, RequiresAnyScope } = createDecorators(scopes);

describe('createDecorators', () => {
  it("types the scope decorators to the catalog's names", () => {
    @Toolset()
    @RequiresScope('files:read')
    class FileTools {
      @Tool({ description: 'w' })
      @RequiresAnyScope('files:write', 'files:read')
      write(): void {}

      @Tool({ description: 'x' })
      // @ts-expect-error "file:write" is not a scope of the catalog: a typo is a compile error.
      @RequiresScope('file:write')
      typo(): void {}
    }
    // At run time the untyped caller's typo is still caught, against the catalog.
    expect(() => collectToolsets([FileTools], { catalog: scopes })).toThrow(
      '@RequiresScope("file:write") on FileTools.typo: unknown scope "file:write". Did you mean "files:write"?',
    );
  });

  it('builds the same policies as the plain decorators', () => {
    @Toolset()
    @RequiresScope('files:read')
    class FileTools {
      @Tool({ description: 'w' }) @RequiresAnyScope('files:write') write(): void {}
    }
    const [definition] = collectToolsets([FileTools], { catalog: scopes });
    expect(describePolicy(definition!.operations[0]!.policy)).toBe('files:read and files:write');
  });

  it('refuses something that is not a ScopeCatalog', () => {
    expect(() => createDecorators({} as ScopeCatalog)).toThrow(
      new OptionsError('catalog', 'createDecorators() needs a ScopeCatalog made by defineScopes().'),
    );
  });
});
