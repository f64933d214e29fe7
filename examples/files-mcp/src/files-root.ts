import { mkdir, mkdtemp, realpath, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OptionsError } from '@valet/core';
import type { FilesConfig } from './config.js';

/** The sandbox directory the server works in. */
export interface FilesRoot {
  /** Its real path (no symbolic links). */
  readonly path: string;
  /** True when it is a fresh temporary directory made for this run (remove it on shutdown). */
  readonly temporary: boolean;
}

/** The files a temporary sandbox starts with, so there is something to list, read and search. */
export const SAMPLE_FILES: Readonly<Record<string, string>> = Object.freeze({
  'README.md':
    '# Sandbox\n\nThe files this MCP server lets its tools touch. Paths are relative to this directory;\n' +
    'nothing outside it can be reached, not even through a symbolic link.\n',
  'notes/todo.md': '# To do\n\n- read the scope manifest\n- ask for files:write before writing\n',
  'notes/ideas.md': '# Ideas\n\n- a valet key starts the car but does not open the trunk\n',
  'data/planets.csv': 'name,moons\nMercury,0\nVenus,0\nEarth,1\nMars,2\n',
});

/**
 * The sandbox directory for `config`: `FILES_ROOT` when set (it must be an existing directory,
 * else an {@link OptionsError} for `FILES_ROOT`), otherwise a fresh temporary directory holding
 * {@link SAMPLE_FILES}.
 *
 * @example
 * ```ts
 * const root = await filesRootFor(loadConfig(process.env));
 * process.on('exit', () => root.temporary && rmSync(root.path, { recursive: true, force: true }));
 * ```
 */
export async function filesRootFor(config: Pick<FilesConfig, 'filesRoot'>): Promise<FilesRoot> {
  if (config.filesRoot === undefined) return { path: await createSampleRoot(), temporary: true };
  const isDirectory = await stat(config.filesRoot).then(
    (stats) => stats.isDirectory(),
    () => false,
  );
  if (!isDirectory) {
    throw new OptionsError('FILES_ROOT', 'FILES_ROOT must name an existing directory; create it first.');
  }
  return { path: await realpath(config.filesRoot), temporary: false };
}

/** A new temporary directory with {@link SAMPLE_FILES}; resolves to its real path. */
export async function createSampleRoot(): Promise<string> {
  const root = await realpath(await mkdtemp(join(tmpdir(), 'valet-files-')));
  for (const [path, content] of Object.entries(SAMPLE_FILES)) {
    const file = join(root, ...path.split('/'));
    await mkdir(join(file, '..'), { recursive: true });
    await writeFile(file, content);
  }
  return root;
}
