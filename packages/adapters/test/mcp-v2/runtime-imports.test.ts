import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import ts from 'typescript';

const SRC = path.resolve(__dirname, '../../src');
/** `import … from '…'`, `export … from '…'`, `import '…'` and `import('…')` in emitted JavaScript. */
const IMPORT =
  /^\s*(?:(?:import|export)\s[^;]*?\sfrom\s*|import\s*)['"]([^'"]+)['"]|\bimport\(\s*['"]([^'"]+)['"]/gm;

/**
 * The packages `entry` loads at run time: the imports left in the JavaScript TypeScript emits for
 * it and, recursively, for the source files it imports (type-only imports are gone by then).
 */
function runtimePackages(entry: string): Set<string> {
  const packages = new Set<string>();
  const seen = new Set<string>();
  const visit = (file: string): void => {
    if (seen.has(file)) return;
    seen.add(file);
    const { outputText } = ts.transpileModule(readFileSync(file, 'utf8'), {
      compilerOptions: {
        module: ts.ModuleKind.ESNext,
        target: ts.ScriptTarget.ES2022,
        verbatimModuleSyntax: true,
        experimentalDecorators: true,
      },
    });
    for (const [, statement, dynamic] of outputText.matchAll(IMPORT)) {
      const specifier = (statement ?? dynamic)!;
      if (specifier.startsWith('.'))
        visit(path.resolve(path.dirname(file), specifier.replace(/\.js$/, '.ts')));
      else packages.add(specifier);
    }
  };
  visit(path.join(SRC, entry));
  return packages;
}

describe('@valet/adapters/mcp-v2 loads without SDK v1 installed', () => {
  it('loads @modelcontextprotocol/server and /node besides Valet, never @modelcontextprotocol/sdk', () => {
    expect([...runtimePackages('mcp-v2/index.ts')].sort()).toEqual([
      '@modelcontextprotocol/node',
      '@modelcontextprotocol/server',
      '@valet/core',
      '@valet/decorators',
    ]);
  });

  it('the check sees what it guards: the SDK v1 binding does import @modelcontextprotocol/sdk', () => {
    const packages = [...runtimePackages('mcp/index.ts')];
    expect(packages.some((name) => name.startsWith('@modelcontextprotocol/sdk'))).toBe(true);
  });
});
