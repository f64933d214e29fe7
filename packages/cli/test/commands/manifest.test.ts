import { describe, expect, it } from '@jest/globals';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Manifest } from '@valet/core';
import { cli, fixture, tempDir } from '../cli-harness.js';

const TOOLSETS = fixture('file-toolsets');

describe('valet manifest: output formats', () => {
  it('writes the JSON manifest of exported toolsets, with the exported catalog, to stdout', async () => {
    const { code, stdout, stderr } = await cli(['manifest', TOOLSETS]);
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    const manifest = JSON.parse(stdout) as Manifest;
    expect(manifest.title).toBe('Scope manifest');
    expect(manifest.scopes.map((s) => [s.name, s.description, s.implies])).toEqual([
      ['admin', 'Administer the server', []],
      ['files:delete', 'Delete files', []],
      ['files:read', 'Read files', []],
      ['files:write', 'Write files', ['files:read']],
    ]);
    expect(manifest.operations.map((op) => [op.id, op.policyText, op.public])).toEqual([
      ['health', 'public', true],
      ['list_files', 'files:read', false],
      ['purge', 'files:delete or admin', false],
      ['write_file', 'files:read and files:write', false],
    ]);
    expect(stdout.endsWith('}\n')).toBe(true);
  });

  it('documents an exported PolicyRegistry as it is', async () => {
    const { code, stdout } = await cli(['manifest', fixture('route-registry'), '--title', 'Orders API']);
    expect(code).toBe(0);
    const manifest = JSON.parse(stdout) as Manifest;
    expect(manifest.title).toBe('Orders API');
    expect(manifest.operations.map((op) => [op.kind, op.id, op.policyText])).toEqual([
      ['route', 'GET /health', 'public'],
      ['route', 'GET /orders', 'orders:read'],
    ]);
    expect(manifest.scopes).toEqual([
      {
        name: 'orders:read',
        description: 'Read orders',
        implies: [],
        impliedBy: [],
        operations: ['GET /orders'],
      },
    ]);
  });

  it('documents the routes of an Express app built from a registry alone, with no issuer running', async () => {
    const entry = join(__dirname, '..', '..', '..', '..', 'examples', 'rest-api', 'src', 'manifest.ts');
    const { code, stdout, stderr } = await cli(['manifest', entry, '--format', 'md', '--title', 'Files API']);
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(stdout).toMatch(/^# Files API\n/);
    expect(stdout).toContain('| GET /files/:name | files:read | Read a file |');
    expect(stdout).toContain('| DELETE /files/:name | files:delete | Delete a file |');
    expect(stdout).toContain('| GET /health (public) | public | Say the API is up |');
    const json = await cli(['manifest', entry]);
    const manifest = JSON.parse(json.stdout) as Manifest;
    expect(manifest.operations.map((op) => [op.id, op.description])).toEqual([
      ['DELETE /files/:name', 'Delete a file'],
      ['GET /admin/stats', 'Count the files and their bytes'],
      ['GET /files', 'List the files'],
      ['GET /files/:name', 'Read a file'],
      ['GET /health', 'Say the API is up'],
      ['PUT /files/:name', 'Create or replace a file'],
    ]);
  });

  it('renders Markdown with --format md', async () => {
    const { code, stdout } = await cli(['manifest', TOOLSETS, '--format', 'md', '--title', 'Files']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^# Files\n/);
    expect(stdout).toContain('| write\\_file | files:read and files:write | Write a file |');
    expect(stdout).toContain('| tool purge | ◐ | ◐ |  |  |');
  });

  it('renders HTML with --format html', async () => {
    const { code, stdout } = await cli(['manifest', TOOLSETS, '-f', 'html']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^<!doctype html>/);
    expect(stdout).toContain('<table class="matrix">');
  });

  it('writes to --out, creating the directory, and takes the format from the extension', async () => {
    const dir = tempDir();
    const { code, stdout } = await cli(['manifest', TOOLSETS, '--out', 'docs/scopes.md'], dir);
    expect(code).toBe(0);
    expect(stdout).toBe(
      'Wrote docs/scopes.md (md): 4 scopes and 4 operations from toolsets AdminTools, FileTools with catalog "scopes".\n',
    );
    const written = readFileSync(join(dir, 'docs/scopes.md'), 'utf8');
    expect(written).toBe((await cli(['manifest', TOOLSETS, '--format', 'md'])).stdout);
  });

  it('chooses one of several registries with --export', async () => {
    const { code, stdout } = await cli(['manifest', fixture('two-registries'), '--export', 'external']);
    expect(code).toBe(0);
    expect((JSON.parse(stdout) as Manifest).operations.map((op) => op.id)).toEqual(['GET /items']);
  });

  it('prefers an exported registry to exported toolsets, and says what it documented', async () => {
    const { code, stdout } = await cli(['manifest', TOOLSETS, fixture('route-registry'), '-o', 'm.json']);
    expect(code).toBe(0);
    expect(stdout).toBe('Wrote m.json (json): 1 scope and 2 operations from policy registry "registry".\n');
  });

  it('chooses one of several catalogs with --export, and works without any catalog', async () => {
    const { code, stdout } = await cli(['manifest', fixture('two-catalogs'), '--export', 'beta']);
    expect(code).toBe(0);
    expect((JSON.parse(stdout) as Manifest).scopes[0]!.description).toBe('Read notes (beta)');
    const bare = await cli(['manifest', fixture('bare-toolset'), '--out', 'm.md']);
    expect(bare.stdout).toBe(
      'Wrote m.md (md): 1 scope and 1 operation from toolsets PingTools (no scope catalog exported).\n',
    );
  });

  it('pools the exports of several modules and documents only the toolsets named by --export', async () => {
    const { code, stdout } = await cli(['manifest', TOOLSETS, fixture('route-registry'), '-e', 'AdminTools']);
    expect(code).toBe(0);
    const manifest = JSON.parse(stdout) as Manifest;
    expect(manifest.operations.map((op) => op.id)).toEqual(['health', 'purge']);
    expect(manifest.scopes.find((s) => s.name === 'admin')?.description).toBe('Administer the server');
  });
});

describe('valet manifest --check', () => {
  async function committed(format: string, content?: (text: string) => string): Promise<string> {
    const dir = tempDir();
    const { stdout } = await cli(['manifest', TOOLSETS, '--format', format]);
    writeFileSync(join(dir, `manifest.${format}`), content === undefined ? stdout : content(stdout));
    return dir;
  }

  it('exits 0 and says so when the file is up to date', async () => {
    for (const format of ['json', 'md', 'html']) {
      const dir = await committed(format);
      const result = await cli(['manifest', TOOLSETS, '--check', `manifest.${format}`], dir);
      expect(result).toEqual({
        code: 0,
        stdout: `manifest.${format} is up to date: 4 scopes and 4 operations from toolsets AdminTools, FileTools with catalog "scopes".\n`,
        stderr: '',
      });
    }
  });

  it('exits 1 with a unified diff and the command to regenerate when the file is stale', async () => {
    const dir = await committed('md', (text) =>
      text.replace('| files:write | Write files |', '| files:write | Write any file |'),
    );
    const { code, stdout, stderr } = await cli(
      ['manifest', TOOLSETS, '--title', 'Scope manifest', '--check', 'manifest.md'],
      dir,
    );
    expect(code).toBe(1);
    expect(stdout).toBe('');
    const lines = stderr.split('\n');
    expect(lines[0]).toBe('manifest.md is stale: it differs from the manifest generated now.');
    expect(lines).toContain('--- manifest.md (committed)');
    expect(lines).toContain('+++ manifest.md (generated)');
    expect(lines.filter((l) => /^[-+]\|/.test(l))).toEqual([
      '-| files:write | Write any file | files:read |  | write\\_file |',
      '+| files:write | Write files | files:read |  | write\\_file |',
    ]);
    expect(lines.some((l) => /^@@ -\d+,7 \+\d+,7 @@$/.test(l))).toBe(true);
    expect(stderr).toContain(
      `Regenerate it with:\n  valet manifest ${TOOLSETS} --title 'Scope manifest' --out manifest.md\n`,
    );
  });

  it('exits 1 when the file is missing, with the command to generate it', async () => {
    const { code, stderr } = await cli(['manifest', TOOLSETS, '-f', 'json', '--check', 'none.json']);
    expect(code).toBe(1);
    expect(stderr).toBe(
      `none.json does not exist. Generate it with:\n  valet manifest ${TOOLSETS} --format json --out none.json\n`,
    );
  });

  it('says so when the file differs only in line endings', async () => {
    const dir = await committed('json', (text) => text.replace(/\n/g, '\r\n'));
    const { code, stderr } = await cli(['manifest', TOOLSETS, '--check', 'manifest.json'], dir);
    expect(code).toBe(1);
    expect(stderr).toContain('It differs only in line endings (CRLF)');
  });
});

describe('valet manifest: errors', () => {
  it('reports a module that does not exist, in one message without a stack trace', async () => {
    const dir = tempDir();
    const { code, stdout, stderr } = await cli(['manifest', 'dist/server.js'], dir);
    expect({ code, stdout }).toEqual({ code: 2, stdout: '' });
    expect(stderr).toBe(
      `valet: Cannot find module dist/server.js (looked for ${join(dir, 'dist/server.js')}).\n` +
        'Give the path of the built .js file, e.g. dist/server.js, and build first.\n',
    );
  });

  it('reports a module that exports nothing it can document, listing what it exports', async () => {
    const { code, stderr } = await cli(['manifest', fixture('nothing-usable')]);
    expect(code).toBe(2);
    expect(stderr).toContain(
      'exports nothing to document: no PolicyRegistry and no class marked @Toolset(). The exports are: FileStore, greeting.',
    );
    expect(stderr).not.toMatch(/\n\s+at /);
  });

  it('reports a module that throws while loading', async () => {
    const { code, stderr } = await cli(['manifest', fixture('throws-on-load')]);
    expect(code).toBe(2);
    expect(stderr).toMatch(/^valet: Loading .*throws-on-load\.ts failed: the database is not configured\n$/);
  });

  it('reports a misspelt scope as the PolicyConfigError says it, with a did-you-mean', async () => {
    const { code, stderr } = await cli(['manifest', fixture('misspelt-scope')]);
    expect(code).toBe(2);
    expect(stderr).toMatch(/^valet: .*@RequiresScope\("file:write"\) on Misspelt\.writeFile.*"files:write"/);
    expect(stderr.split('\n')).toHaveLength(2);
  });

  it('asks for --export when several registries are exported, and reports an unknown export', async () => {
    const two = await cli(['manifest', fixture('two-registries')]);
    expect(two.code).toBe(2);
    expect(two.stderr).toBe(
      'valet: Found 2 policy registries: external, internal.\nChoose one with --export NAME.\n',
    );
    const unknown = await cli(['manifest', fixture('two-registries'), '--export', 'public']);
    expect(unknown.stderr).toBe('valet: No module exports "public". The exports are: external, internal.\n');
    const wrongKind = await cli(['manifest', TOOLSETS, '--export', 'Helper']);
    expect(wrongKind.stderr).toBe(
      'valet: Export "Helper" is not a PolicyRegistry, a ScopeCatalog or a class marked @Toolset().\n',
    );
  });

  it('asks for --export when several catalogs are exported, and refuses a registry named with toolsets', async () => {
    const catalogs = await cli(['manifest', fixture('two-catalogs')]);
    expect(catalogs).toEqual({
      code: 2,
      stdout: '',
      stderr:
        'valet: Found 2 scope catalogs: alpha, beta.\nChoose the one the toolsets use with --export NAME.\n',
    });
    const both = await cli([
      'manifest',
      TOOLSETS,
      fixture('route-registry'),
      '-e',
      'registry',
      '-e',
      'FileTools',
    ]);
    expect(both.stderr).toBe(
      'valet: --export names both a policy registry (registry) and toolsets (FileTools); name one or the other.\n',
    );
  });

  it('reports a file it cannot write as the system says it, without calling it unexpected', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'docs'), 'a file where a directory is needed');
    const { code, stderr } = await cli(['manifest', TOOLSETS, '--out', 'docs/scopes.json'], dir);
    expect(code).toBe(2);
    expect(stderr).toMatch(/^valet: (EEXIST|ENOTDIR): .*docs/);
    expect(stderr).not.toContain('unexpected');
  });

  it('recognises a registry from another copy of @valet/core and says how to fix it', async () => {
    const { code, stderr } = await cli(['manifest', fixture('foreign-registry')]);
    expect(code).toBe(2);
    expect(stderr).toMatch(
      /^valet: Export "registry" of .*foreign-registry\.ts is a PolicyRegistry from another copy of @valet\/core than the one valet uses\.\nInstall @valet\/cli in the project of the module/,
    );
  });

  it('refuses an unknown format, a missing module argument and --out with --check', async () => {
    const cases: [string[], string][] = [
      [
        ['manifest', TOOLSETS, '--format', 'yaml'],
        'valet: --format must be one of json, md, html; got "yaml".',
      ],
      [['manifest'], 'valet: Give the module to document, e.g. "valet manifest dist/server.js".'],
      [
        ['manifest', TOOLSETS, '--out', 'a.json', '--check', 'a.json'],
        'valet: --out and --check exclude each other: write the file, or check it.',
      ],
      [['manifest', TOOLSETS, '--title', ' '], 'valet: title must be a non-empty string.'],
    ];
    for (const [args, message] of cases) {
      const { code, stderr } = await cli(args);
      expect({ code, first: stderr.split('\n')[0] }).toEqual({ code: 2, first: message });
    }
  });
});
