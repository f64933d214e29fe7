import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import valet from './scripts/eslint-plugin-valet.mjs';

// Every public entry point of the workspace's packages ('@valet/core', '@valet/adapters/mcp', …),
// read from their package.json "exports": anything else under @valet/ is a package's internals.
const packagesDir = path.join(import.meta.dirname, 'packages');
const entryPoints = readdirSync(packagesDir, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .flatMap((entry) => {
    const pkg = JSON.parse(readFileSync(path.join(packagesDir, entry.name, 'package.json'), 'utf8'));
    return Object.keys(pkg.exports ?? { '.': null })
      .filter((subpath) => subpath !== './package.json')
      .map((subpath) => (subpath === '.' ? pkg.name : `${pkg.name}/${subpath.slice(2)}`));
  });
const escape = (text) => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

const packageInternals = [
  {
    regex: `^(?!(?:${entryPoints.map(escape).join('|')})$)@valet/`,
    message: `Import @valet packages only through their entry points (${entryPoints.join(', ')}), never another package's src/, dist/ or other files.`,
  },
];

// @valet/core stays framework-free: HTTP frameworks, the MCP SDK and the decorator stack belong
// to @valet/adapters and @valet/decorators.
const coreForbidden = [
  'express',
  'fastify',
  'fastify-plugin',
  '@fastify',
  '@modelcontextprotocol',
  'reflect-metadata',
  'inversify',
  '@inversifyjs',
  'class-validator',
  'class-transformer',
];
const coreForbiddenSource = `^(?:${coreForbidden.map(escape).join('|')})(?:/|$)`;
const coreForbiddenMessage =
  '@valet/core must not depend on express, fastify, the MCP SDK, reflect-metadata, inversify or class-validator/class-transformer; put that code in @valet/adapters or @valet/decorators.';

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', '.jest-cache/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'off',
      eqeqeq: ['error', 'always'],
    },
  },
  {
    // Mirrors tsconfig: consistent-type-imports then leaves files with decorators alone, where a
    // class used only in a decorated signature must stay a value import (design:paramtypes).
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { experimentalDecorators: true, emitDecoratorMetadata: true } },
  },
  {
    files: ['**/*.mjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
  },
  {
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { module: 'writable', require: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  // Package boundaries. A test imports its own package's src/ by relative path; nothing imports
  // another package's files.
  {
    files: ['**/*.{ts,mts,cts,js,mjs,cjs}'],
    plugins: { valet },
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', { patterns: packageInternals }],
      'valet/no-relative-import-outside-package': 'error',
    },
  },
  {
    files: ['packages/core/src/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        { patterns: [...packageInternals, { regex: coreForbiddenSource, message: coreForbiddenMessage }] },
      ],
      // no-restricted-imports sees import and export declarations, not import() or import('…').T.
      'no-restricted-syntax': [
        'error',
        {
          selector: `ImportExpression[source.value=/${coreForbiddenSource.replaceAll('/', '\\/')}/]`,
          message: coreForbiddenMessage,
        },
        {
          selector: `TSImportType[argument.literal.value=/${coreForbiddenSource.replaceAll('/', '\\/')}/]`,
          message: coreForbiddenMessage,
        },
      ],
    },
  },
  // No import cycles in any package's src, type-only imports included.
  {
    files: ['packages/*/src/**/*.ts'],
    rules: { 'valet/no-import-cycle': 'error' },
  },
);
