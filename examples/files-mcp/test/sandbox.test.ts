import 'reflect-metadata';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { mkdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FileOperationError, type FileOperationCode } from '../src/file-operation-error.js';
import { createSampleRoot } from '../src/files-root.js';
import { LIMITS } from '../src/limits.js';
import { Sandbox } from '../src/sandbox.js';

let root: string;
let sandbox: Sandbox;

beforeEach(async () => {
  root = await createSampleRoot();
  sandbox = new Sandbox(root);
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

async function failure(work: Promise<unknown>, code: FileOperationCode): Promise<FileOperationError> {
  const error = await work.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(FileOperationError);
  expect((error as FileOperationError).code).toBe(code);
  expect((error as FileOperationError).message).not.toContain(root);
  return error as FileOperationError;
}

describe('Sandbox.list', () => {
  it('lists a directory sorted by name, with types and file sizes', async () => {
    await symlink('notes', join(root, 'shortcut'));
    const listing = await sandbox.list();
    expect(listing).toEqual({
      path: '.',
      truncated: false,
      entries: [
        { name: 'README.md', path: 'README.md', type: 'file', size: expect.any(Number) },
        { name: 'data', path: 'data', type: 'directory' },
        { name: 'notes', path: 'notes', type: 'directory' },
        { name: 'shortcut', path: 'shortcut', type: 'symlink' },
      ],
    });
    expect((await sandbox.list('notes/')).entries.map((e) => e.path)).toEqual([
      'notes/ideas.md',
      'notes/todo.md',
    ]);
  });

  it('says when a directory is missing or is a file', async () => {
    await failure(sandbox.list('nowhere'), 'not-found');
    await failure(sandbox.list('README.md'), 'not-a-directory');
  });
});

describe('Sandbox.read', () => {
  it('reads text, and reports size and truncation', async () => {
    await expect(sandbox.read('data/planets.csv')).resolves.toEqual({
      path: 'data/planets.csv',
      size: 44,
      encoding: 'utf-8',
      content: 'name,moons\nMercury,0\nVenus,0\nEarth,1\nMars,2\n',
      truncated: false,
    });
    await expect(sandbox.read('./data/planets.csv', 10)).resolves.toMatchObject({
      content: 'name,moons',
      size: 44,
      truncated: true,
    });
  });

  it('returns binary data as base64', async () => {
    await writeFile(join(root, 'blob.bin'), Buffer.from([0, 1, 2, 255]));
    await expect(sandbox.read('blob.bin')).resolves.toMatchObject({
      encoding: 'base64',
      content: 'AAEC/w==',
    });
  });

  it('refuses directories, FIFOs and missing files, and bounds maxBytes', async () => {
    await failure(sandbox.read('notes'), 'not-a-file');
    await failure(sandbox.read('.'), 'not-a-file');
    await failure(sandbox.read('missing.txt'), 'not-found');
    execFileSync('mkfifo', [join(root, 'pipe')]);
    await failure(sandbox.read('pipe'), 'not-a-file');
    await expect(sandbox.read('README.md', LIMITS.maxReadBytes + 1)).rejects.toThrow(RangeError);
    await expect(sandbox.read('README.md', 0)).rejects.toThrow(RangeError);
  });
});

describe('Sandbox.search', () => {
  it('finds names and lines, ignoring case', async () => {
    const result = await sandbox.search({ query: 'TODO' });
    expect(result.matches).toEqual([{ path: 'notes/todo.md', kind: 'name' }]);
    const lines = await sandbox.search({ query: 'scope' });
    expect(lines.matches).toEqual([
      { path: 'notes/todo.md', kind: 'content', line: 3, text: '- read the scope manifest' },
    ]);
    expect(lines).toMatchObject({ filesScanned: 4, truncated: false });
  });

  it('narrows by glob and directory, searches names only on request, and stops at maxResults', async () => {
    expect((await sandbox.search({ query: 'e', glob: '*.CSV' })).matches).toEqual([
      { path: 'data/planets.csv', kind: 'name' },
      { path: 'data/planets.csv', kind: 'content', line: 1, text: 'name,moons' },
      { path: 'data/planets.csv', kind: 'content', line: 2, text: 'Mercury,0' },
      { path: 'data/planets.csv', kind: 'content', line: 3, text: 'Venus,0' },
      { path: 'data/planets.csv', kind: 'content', line: 4, text: 'Earth,1' },
    ]);
    expect((await sandbox.search({ query: 'a', path: 'notes', contents: false })).matches).toEqual([
      { path: 'notes/ideas.md', kind: 'name' },
    ]);
    const capped = await sandbox.search({ query: 'e', maxResults: 2 });
    expect(capped.matches).toHaveLength(2);
    expect(capped.truncated).toBe(true);
  });

  it('skips binary files and does not follow links', async () => {
    await writeFile(join(root, 'blob.bin'), Buffer.from('needle\u0000'));
    await mkdir(join(root, 'deep'));
    await symlink(join(root, 'notes'), join(root, 'deep', 'again'));
    const result = await sandbox.search({ query: 'valet key' });
    expect(result.matches.map((m) => m.path)).toEqual(['notes/ideas.md']);
    expect((await sandbox.search({ query: 'needle' })).matches).toEqual([]);
  });

  it('refuses empty or oversized queries and a search of a file', async () => {
    await expect(sandbox.search({ query: '' })).rejects.toThrow(RangeError);
    await expect(sandbox.search({ query: 'x'.repeat(LIMITS.maxQueryLength + 1) })).rejects.toThrow(
      RangeError,
    );
    await failure(sandbox.search({ query: 'x', path: 'README.md' }), 'not-a-directory');
  });
});

describe('Sandbox.write', () => {
  it('creates, replaces, and says which', async () => {
    await expect(sandbox.write('notes/plan.md', 'ship it')).resolves.toEqual({
      path: 'notes/plan.md',
      bytes: 7,
      created: true,
    });
    await expect(sandbox.write('notes/plan.md', 'shipped ✓')).resolves.toMatchObject({
      bytes: 11,
      created: false,
    });
    expect(await readFile(join(root, 'notes', 'plan.md'), 'utf8')).toBe('shipped ✓');
  });

  it('keeps an existing file when overwrite is false', async () => {
    const error = await failure(sandbox.write('README.md', 'gone', { overwrite: false }), 'exists');
    expect(error.message).toBe('"README.md" exists; pass overwrite: true to replace it.');
    expect(await readFile(join(root, 'README.md'), 'utf8')).toContain('# Sandbox');
  });

  it('creates parent directories only when asked', async () => {
    const error = await failure(sandbox.write('a/b/c.txt', 'x'), 'not-found');
    expect(error.message).toContain('createDirs: true');
    await expect(sandbox.write('a/b/c.txt', 'x', { createDirs: true })).resolves.toMatchObject({
      created: true,
    });
    expect(await readFile(join(root, 'a', 'b', 'c.txt'), 'utf8')).toBe('x');
  });

  it('refuses the root, a directory, a path through a file, and oversized content', async () => {
    await failure(sandbox.write('.', 'x'), 'root');
    await failure(sandbox.write('notes', 'x'), 'not-a-file');
    await failure(sandbox.write('README.md/x', 'x'), 'not-a-directory');
    await failure(sandbox.write('README.md/x/y', 'x', { createDirs: true }), 'not-a-directory');
    await expect(sandbox.write('big.txt', 'x'.repeat(LIMITS.maxWriteCharacters + 1))).rejects.toThrow(
      RangeError,
    );
  });
});

describe('Sandbox.move', () => {
  it('renames files and directories', async () => {
    await expect(sandbox.move('notes/todo.md', 'done.md')).resolves.toEqual({
      from: 'notes/todo.md',
      to: 'done.md',
      replaced: false,
    });
    await sandbox.move('data', 'archive');
    expect((await sandbox.list()).entries.map((e) => e.name)).toEqual([
      'README.md',
      'archive',
      'done.md',
      'notes',
    ]);
  });

  it('replaces an existing target only with overwrite', async () => {
    await failure(sandbox.move('notes/todo.md', 'notes/ideas.md'), 'exists');
    await expect(sandbox.move('notes/todo.md', 'notes/ideas.md', { overwrite: true })).resolves.toMatchObject(
      {
        replaced: true,
      },
    );
    expect(await readFile(join(root, 'notes', 'ideas.md'), 'utf8')).toContain('# To do');
  });

  it('refuses missing sources, missing target directories, the root and moving into itself', async () => {
    await failure(sandbox.move('missing', 'x'), 'not-found');
    await failure(sandbox.move('README.md', 'nowhere/README.md'), 'not-found');
    await failure(sandbox.move('.', 'x'), 'root');
    await failure(sandbox.move('README.md', '.'), 'root');
    await failure(sandbox.move('notes', 'notes/inner'), 'invalid-move');
  });
});

describe('Sandbox.delete', () => {
  it('deletes files and empty directories, refuses non-empty ones and the root', async () => {
    await expect(sandbox.delete('notes/todo.md')).resolves.toEqual({ path: 'notes/todo.md', type: 'file' });
    await failure(sandbox.delete('notes'), 'not-empty');
    await sandbox.delete('notes/ideas.md');
    await expect(sandbox.delete('notes')).resolves.toEqual({ path: 'notes', type: 'directory' });
    await failure(sandbox.delete('notes'), 'not-found');
    await failure(sandbox.delete('.'), 'root');
  });
});

describe('Sandbox.usage', () => {
  it('counts files, directories and bytes, and names the real root', async () => {
    await expect(sandbox.usage()).resolves.toEqual({
      root,
      files: 4,
      directories: 2,
      bytes: expect.any(Number),
      truncated: false,
    });
  });
});

describe('Sandbox construction', () => {
  it('needs an absolute root', () => {
    expect(() => new Sandbox('relative/dir')).toThrow('root must be an absolute directory path');
  });
});
