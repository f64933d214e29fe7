import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdir, mkdtemp, readFile, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Sandbox } from '../src/sandbox.js';
import { SandboxPathError, type SandboxPathReason } from '../src/sandbox-path-error.js';

let base: string;
let root: string;
let outside: string;
let sandbox: Sandbox;

beforeAll(async () => {
  base = await realpath(await mkdtemp(join(tmpdir(), 'files-mcp-paths-')));
  root = join(base, 'root');
  outside = join(base, 'outside');
  await mkdir(join(root, 'notes'), { recursive: true });
  await mkdir(outside);
  await writeFile(join(root, 'notes', 'todo.md'), 'inside');
  await writeFile(join(outside, 'secret.txt'), 'outside');
  await symlink(join(outside, 'secret.txt'), join(root, 'secret-link'));
  await symlink(outside, join(root, 'outside-dir'));
  await symlink('../outside', join(root, 'relative-out'));
  await symlink(join(outside, 'not-yet.txt'), join(root, 'dangling-out'));
  await symlink(join(root, 'notes'), join(root, 'notes-link'));
  await symlink('loop-b', join(root, 'loop-a'));
  await symlink('loop-a', join(root, 'loop-b'));
  sandbox = new Sandbox(root);
});

afterAll(async () => {
  await rm(base, { recursive: true, force: true });
});

async function refusal(work: Promise<unknown>): Promise<SandboxPathError> {
  const error = await work.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(SandboxPathError);
  return error as SandboxPathError;
}

async function expectRefused(path: string, reason: SandboxPathReason): Promise<void> {
  for (const attempt of [
    sandbox.read(path),
    sandbox.list(path),
    sandbox.write(path, 'x'),
    sandbox.delete(path),
    sandbox.move(path, 'moved.txt'),
    sandbox.move('notes/todo.md', path),
  ]) {
    expect((await refusal(attempt)).reason).toBe(reason);
  }
}

describe('Security: path traversal with ".."', () => {
  it.each(['..', '../x', '../outside/secret.txt', 'a/../../x', 'notes/../../outside', 'notes/..', './../x'])(
    'refuses %j as parent-segment',
    async (path) => {
      await expectRefused(path, 'parent-segment');
    },
  );

  it('says why, and quotes the path', async () => {
    const error = await refusal(sandbox.read('../outside/secret.txt'));
    expect(error.message).toBe(
      'Path "../outside/secret.txt" refused: ".." is not allowed; paths cannot leave the sandbox.',
    );
  });
});

describe('Security: absolute and Windows-style paths', () => {
  it.each(['/etc/passwd', `/${'x'}`, '//server/share', '/'])('refuses %j as absolute', async (path) => {
    await expectRefused(path, 'absolute');
  });

  it.each(['C:\\Windows\\win.ini', 'c:/x', 'C:x'])('refuses %j as drive-letter', async (path) => {
    await expectRefused(path, 'drive-letter');
  });

  it.each(['..\\outside\\secret.txt', 'notes\\todo.md'])('refuses %j as backslash', async (path) => {
    await expectRefused(path, 'backslash');
  });
});

describe('Security: NUL bytes and control characters', () => {
  it('refuses a NUL byte (truncation attacks), escaped in the message', async () => {
    await expectRefused('notes/todo.md\u0000.png', 'nul-byte');
    const error = await refusal(sandbox.read('notes/todo.md\u0000.png'));
    expect(error.message).toContain('"notes/todo.md\\u0000.png"');
  });

  it.each(['notes/\ntodo.md', 'a\rb', 'bell\u0007', 'del\u007f'])(
    'refuses %j as control-character',
    async (path) => {
      await expectRefused(path, 'control-character');
    },
  );
});

describe('Security: malformed paths', () => {
  it('refuses the empty path, empty segments and non-strings', async () => {
    await expectRefused('', 'empty');
    await expectRefused('notes//todo.md', 'empty-segment');
    expect((await refusal(sandbox.read(42 as unknown as string))).reason).toBe('not-a-string');
  });

  it('refuses a very long path before scanning it, and never echoes it whole', async () => {
    const long = `${'a/'.repeat(100_000)}x`;
    const error = await refusal(sandbox.read(long));
    expect(error.reason).toBe('too-long');
    expect(error.message.length).toBeLessThan(200);
    expect(error.message).toContain('(200001 characters)');
  });

  it('refuses a name longer than 255 bytes', async () => {
    await expectRefused(`notes/${'é'.repeat(128)}`, 'segment-too-long');
  });
});

describe('Security: symbolic links out of the sandbox', () => {
  it('refuses reading through a link to a file outside', async () => {
    expect((await refusal(sandbox.read('secret-link'))).reason).toBe('symlink-escape');
  });

  it('refuses listing and reading through a link to a directory outside (absolute or relative)', async () => {
    for (const path of ['outside-dir', 'outside-dir/secret.txt', 'relative-out/secret.txt']) {
      expect((await refusal(sandbox.read(path))).reason).toBe('symlink-escape');
      expect((await refusal(sandbox.list(path))).reason).toBe('symlink-escape');
    }
  });

  it('refuses creating a file through a directory link that leads outside', async () => {
    expect((await refusal(sandbox.write('outside-dir/planted.txt', 'x'))).reason).toBe('symlink-escape');
    expect(
      (await refusal(sandbox.write('outside-dir/new/deeper.txt', 'x', { createDirs: true }))).reason,
    ).toBe('symlink-escape');
    expect((await refusal(sandbox.move('notes/todo.md', 'relative-out/todo.md'))).reason).toBe(
      'symlink-escape',
    );
    await expect(readFile(join(outside, 'planted.txt'))).rejects.toThrow('ENOENT');
  });

  it('refuses going through a dangling link, whose target could be created outside', async () => {
    expect((await refusal(sandbox.read('dangling-out'))).reason).toBe('dangling-symlink');
    expect((await refusal(sandbox.write('dangling-out/x', 'x'))).reason).toBe('dangling-symlink');
    expect((await refusal(sandbox.list('loop-a'))).reason).toBe('dangling-symlink');
  });

  it('does not write through a dangling link at the end of the path', async () => {
    await expect(sandbox.write('dangling-out', 'planted')).rejects.toMatchObject({ code: 'symlink' });
    await expect(readFile(join(outside, 'not-yet.txt'))).rejects.toThrow('ENOENT');
  });

  it('does not write through a link to a file outside, and leaves that file alone', async () => {
    await expect(sandbox.write('secret-link', 'overwritten')).rejects.toMatchObject({ code: 'symlink' });
    expect(await readFile(join(outside, 'secret.txt'), 'utf8')).toBe('outside');
  });

  it('deletes a link that leads outside, never its target', async () => {
    await symlink(join(outside, 'secret.txt'), join(root, 'doomed-link'));
    await expect(sandbox.delete('doomed-link')).resolves.toEqual({ path: 'doomed-link', type: 'symlink' });
    expect(await readFile(join(outside, 'secret.txt'), 'utf8')).toBe('outside');
  });

  it('still follows links that stay inside', async () => {
    await expect(sandbox.read('notes-link/todo.md')).resolves.toMatchObject({ content: 'inside' });
    const listing = await sandbox.list('notes-link');
    expect(listing.entries.map((e) => e.name)).toEqual(['todo.md']);
  });

  it('never names the sandbox location in a refusal', async () => {
    const error = await refusal(sandbox.read('outside-dir/secret.txt'));
    expect(error.message).not.toContain(base);
    expect(error.message).toBe(
      'Path "outside-dir/secret.txt" refused: a symbolic link in the path leads outside the sandbox.',
    );
  });
});

describe('Security: a root reached through a link', () => {
  it('resolves the root itself once, so links inside it are judged against its real path', async () => {
    await symlink(root, join(base, 'root-link'));
    const viaLink = new Sandbox(join(base, 'root-link'));
    await expect(viaLink.read('notes/todo.md')).resolves.toMatchObject({ content: 'inside' });
    expect((await refusal(viaLink.read('secret-link'))).reason).toBe('symlink-escape');
  });
});
