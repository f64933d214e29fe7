import { lstat, realpath } from 'node:fs/promises';
import { join, sep } from 'node:path';
import { SandboxPathError } from '../sandbox-path-error.js';
import { relativeSegments } from './relative-segments.js';

/** A path checked and resolved: as the caller wrote it (normalized) and where it is on disk. */
export interface ResolvedPath {
  /** `/`-separated, relative to the root; `.` for the root. */
  readonly relative: string;
  readonly absolute: string;
  readonly isRoot: boolean;
}

/**
 * Checks `path` (see `relativeSegments`) and finds it under `root`, a real path. Every existing
 * part of it is resolved through its symbolic links and must lie inside `root`; the parts that do
 * not exist yet are appended to that. With `followLast` false the last segment is kept as a name
 * in its resolved directory, so a link there is not followed.
 */
export async function resolvePath(root: string, path: unknown, followLast: boolean): Promise<ResolvedPath> {
  const segments = relativeSegments(path);
  if (segments.length === 0) return { relative: '.', absolute: root, isRoot: true };
  const relative = segments.join('/');
  if (followLast) return { relative, absolute: await realPrefix(root, segments, path), isRoot: false };
  const directory = await realPrefix(root, segments.slice(0, -1), path);
  return { relative, absolute: join(directory, segments.at(-1)!), isRoot: false };
}

/**
 * `segments` under `root`, with the deepest part that exists replaced by its real path, which
 * must be `root` or lie inside it.
 */
async function realPrefix(root: string, segments: readonly string[], path: unknown): Promise<string> {
  const inside = root.endsWith(sep) ? root : root + sep;
  for (let i = segments.length; i > 0; i--) {
    const candidate = join(root, ...segments.slice(0, i));
    if (!(await exists(candidate))) continue;
    let real: string;
    try {
      real = await realpath(candidate);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ELOOP') throw new SandboxPathError('dangling-symlink', path);
      throw error;
    }
    if (real !== root && !real.startsWith(inside)) throw new SandboxPathError('symlink-escape', path);
    return join(real, ...segments.slice(i));
  }
  return join(root, ...segments);
}

/** Whether something (a link included, even a dangling one) is at `path`. */
async function exists(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return false;
    throw error;
  }
}
