import { constants } from 'node:fs';
import { lstat, mkdir, open, readdir, realpath, rename, rmdir, unlink } from 'node:fs/promises';
import { dirname, isAbsolute, join, sep } from 'node:path';
import { inject, injectable, type ServiceIdentifier } from 'inversify';
import { FileOperationError } from './file-operation-error.js';
import { readRegularFile } from './internal/read-regular-file.js';
import { resolvePath } from './internal/resolve-path.js';
import { fail, quoted, rootRefused } from './internal/file-failures.js';
import { searchTree } from './internal/search-tree.js';
import { childPath, entryType, walkTree } from './internal/walk-tree.js';
import { LIMITS } from './limits.js';
import type {
  DeleteResult,
  ListResult,
  MoveResult,
  ReadResult,
  SandboxEntry,
  SandboxUsage,
  SearchOptions,
  SearchResult,
  WriteOptions,
  WriteResult,
} from './sandbox-results.js';

/** The inversify identifier of the sandbox root directory (an absolute path) the {@link Sandbox} is built with. */
export const SandboxRoot: ServiceIdentifier<string> = Symbol.for('files-mcp.SandboxRoot');

// O_NOFOLLOW: a write keeps the last segment as a name (it is not resolved), so a symbolic link
// there would be written through, maybe to a place outside the root; the open fails (ELOOP) instead.
const WRITE_FLAGS = constants.O_WRONLY | constants.O_CREAT | constants.O_NOFOLLOW;

/**
 * The files the tools may touch: a directory tree under one root, reached only by paths relative
 * to it. Every path is checked before any I/O (no `..`, no absolute path, no NUL or control
 * characters, no backslashes; see {@link SandboxPathError}), then resolved on disk: each symbolic
 * link on the way must lead to a place inside the real root, for a file to be created as much as
 * for one that exists. Reads follow a link at the end of the path (when it stays inside); writes
 * refuse one, and moves and deletes act on the link itself, never on its target.
 *
 * It guards against what callers ask for, not against other processes changing the tree at the
 * same moment; give the server its own directory.
 *
 * @example
 * ```ts
 * const sandbox = new Sandbox('/srv/files');
 * await sandbox.write('notes/todo.md', '- ship it', { createDirs: true });
 * await sandbox.read('../etc/passwd'); // SandboxPathError, reason 'parent-segment'
 * ```
 */
@injectable()
export class Sandbox {
  /** The root directory as configured. */
  readonly root: string;
  #realRoot: Promise<string> | undefined;

  constructor(@inject(SandboxRoot) root: string) {
    if (typeof root !== 'string' || !isAbsolute(root)) {
      throw new TypeError('Sandbox: root must be an absolute directory path.');
    }
    this.root = root;
  }

  /** The entries of a directory, sorted by name. */
  async list(path = '.'): Promise<ListResult> {
    const dir = await resolvePath(await this.#root(), path, true);
    const names = await readdir(dir.absolute, { withFileTypes: true }).catch((error: unknown) =>
      fail(error, dir, 'list'),
    );
    names.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const entries: SandboxEntry[] = [];
    for (const dirent of names.slice(0, LIMITS.maxListEntries)) {
      const type = entryType(dirent);
      const entry = { name: dirent.name, path: childPath(dir.relative, dirent.name), type };
      const size = type === 'file' ? await fileSize(join(dir.absolute, dirent.name)) : undefined;
      entries.push(size === undefined ? entry : { ...entry, size });
    }
    return { path: dir.relative, entries, truncated: names.length > entries.length };
  }

  /** Up to `maxBytes` (default `LIMITS.defaultReadBytes`, at most `LIMITS.maxReadBytes`) of a file. */
  async read(path: string, maxBytes: number = LIMITS.defaultReadBytes): Promise<ReadResult> {
    const limit = bounded(maxBytes, LIMITS.maxReadBytes, 'maxBytes');
    const file = await resolvePath(await this.#root(), path, true);
    const read = await readRegularFile(file.absolute, limit).catch((error: unknown) =>
      fail(error, file, 'read'),
    );
    if (read === undefined) {
      throw new FileOperationError(
        'not-a-file',
        file.relative,
        `${quoted(file)} is not a file; list it instead.`,
      );
    }
    const binary = read.data.includes(0);
    return {
      path: file.relative,
      size: read.size,
      encoding: binary ? 'base64' : 'utf-8',
      content: read.data.toString(binary ? 'base64' : 'utf8'),
      truncated: read.size > read.data.length,
    };
  }

  /** Files and directories under `options.path` whose name, or a line of which, contains the query. */
  async search(options: SearchOptions): Promise<SearchResult> {
    const query = options.query;
    if (typeof query !== 'string' || query.length === 0 || query.length > LIMITS.maxQueryLength) {
      throw new RangeError(`query must be 1 to ${LIMITS.maxQueryLength} characters.`);
    }
    if (
      options.glob !== undefined &&
      (options.glob.length === 0 || options.glob.length > LIMITS.maxGlobLength)
    ) {
      throw new RangeError(`glob must be 1 to ${LIMITS.maxGlobLength} characters.`);
    }
    const maxResults = bounded(
      options.maxResults ?? LIMITS.defaultSearchResults,
      LIMITS.maxSearchResults,
      'maxResults',
    );
    const dir = await resolvePath(await this.#root(), options.path ?? '.', true);
    const stats = await lstat(dir.absolute).catch((error: unknown) => fail(error, dir, 'search'));
    if (!stats.isDirectory()) {
      throw new FileOperationError('not-a-directory', dir.relative, `${quoted(dir)} is not a directory.`);
    }
    return searchTree(dir, { query, glob: options.glob, contents: options.contents ?? true, maxResults });
  }

  /** Creates or replaces a file with `content` (UTF-8). */
  async write(path: string, content: string, options: WriteOptions = {}): Promise<WriteResult> {
    if (typeof content !== 'string' || content.length > LIMITS.maxWriteCharacters) {
      throw new RangeError(`content must be a string of at most ${LIMITS.maxWriteCharacters} characters.`);
    }
    const file = await resolvePath(await this.#root(), path, false);
    if (file.isRoot) throw rootRefused(file, 'written');
    if (options.createDirs === true) {
      await mkdir(dirname(file.absolute), { recursive: true }).catch((error: unknown) =>
        fail(error, file, 'create directories for'),
      );
    }
    const existed = await lstat(file.absolute).then(
      () => true,
      () => false,
    );
    const flags = WRITE_FLAGS | (options.overwrite === false ? constants.O_EXCL : constants.O_TRUNC);
    const handle = await open(file.absolute, flags, 0o644).catch((error: unknown) =>
      fail(error, file, 'write'),
    );
    try {
      await handle.writeFile(content, 'utf8');
    } finally {
      await handle.close();
    }
    return { path: file.relative, bytes: Buffer.byteLength(content), created: !existed };
  }

  /** Renames a file, directory or link; an existing `to` is replaced only with `overwrite`. */
  async move(from: string, to: string, options: { readonly overwrite?: boolean } = {}): Promise<MoveResult> {
    const source = await resolvePath(await this.#root(), from, false);
    const target = await resolvePath(await this.#root(), to, false);
    if (source.isRoot) throw rootRefused(source, 'moved');
    if (target.isRoot) throw rootRefused(target, 'replaced');
    await lstat(source.absolute).catch((error: unknown) => fail(error, source, 'move'));
    if (target.absolute.startsWith(source.absolute + sep)) {
      throw new FileOperationError(
        'invalid-move',
        source.relative,
        `${quoted(source)} cannot be moved into itself.`,
      );
    }
    const replaced = await lstat(target.absolute).then(
      () => true,
      () => false,
    );
    if (replaced && options.overwrite !== true && target.absolute !== source.absolute) {
      throw new FileOperationError(
        'exists',
        target.relative,
        `${quoted(target)} exists; pass overwrite: true to replace it.`,
      );
    }
    await rename(source.absolute, target.absolute).catch((error: unknown) => fail(error, target, 'move'));
    return {
      from: source.relative,
      to: target.relative,
      replaced: replaced && target.absolute !== source.absolute,
    };
  }

  /** Deletes a file, a symbolic link (not its target) or an empty directory. */
  async delete(path: string): Promise<DeleteResult> {
    const entry = await resolvePath(await this.#root(), path, false);
    if (entry.isRoot) throw rootRefused(entry, 'deleted');
    const stats = await lstat(entry.absolute).catch((error: unknown) => fail(error, entry, 'delete'));
    const type = entryType(stats);
    await (type === 'directory' ? rmdir(entry.absolute) : unlink(entry.absolute)).catch((error: unknown) =>
      fail(error, entry, 'delete'),
    );
    return { path: entry.relative, type };
  }

  /** How many files and directories the sandbox holds and their total size. */
  async usage(): Promise<SandboxUsage> {
    const root = await resolvePath(await this.#root(), '.', true);
    let files = 0;
    let directories = 0;
    let bytes = 0;
    const truncated = await walkTree(root, async (entry) => {
      if (entry.type === 'directory') directories++;
      if (entry.type === 'file') {
        files++;
        bytes += (await fileSize(entry.absolute)) ?? 0;
      }
      return files + directories < LIMITS.maxWalkEntries;
    });
    return { root: root.absolute, files, directories, bytes, truncated };
  }

  #root(): Promise<string> {
    this.#realRoot ??= realpath(this.root).catch((error: unknown) => {
      this.#realRoot = undefined;
      throw error;
    });
    return this.#realRoot;
  }
}

async function fileSize(path: string): Promise<number | undefined> {
  return lstat(path).then(
    (stats) => stats.size,
    () => undefined,
  );
}

function bounded(value: number, max: number, name: string): number {
  if (!Number.isSafeInteger(value) || value < 1 || value > max) {
    throw new RangeError(`${name} must be an integer from 1 to ${max}.`);
  }
  return value;
}
