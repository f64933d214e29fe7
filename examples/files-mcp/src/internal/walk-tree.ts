import type { Dirent } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { LIMITS } from '../limits.js';
import type { EntryType } from '../sandbox-results.js';

/** An entry met while walking a directory tree. */
export interface TreeEntry {
  /** Relative to the sandbox root, `/`-separated. */
  readonly relative: string;
  /** The real path on disk. */
  readonly absolute: string;
  readonly name: string;
  readonly type: EntryType;
}

/** The type of a directory entry, without following symbolic links. */
export function entryType(entry: Pick<Dirent, 'isFile' | 'isDirectory' | 'isSymbolicLink'>): EntryType {
  if (entry.isSymbolicLink()) return 'symlink';
  if (entry.isFile()) return 'file';
  if (entry.isDirectory()) return 'directory';
  return 'other';
}

/** The path of `name` inside the directory `relative` (`.` is the root). */
export function childPath(relative: string, name: string): string {
  return relative === '.' ? name : `${relative}/${name}`;
}

/**
 * Visits every entry under a directory, breadth first and sorted by name, never following
 * symbolic links (a link is visited as a `symlink`, its target is not). `visit` returns false to
 * stop. Resolves to true when the walk stopped early: `visit` said so, or a directory lay deeper
 * than `LIMITS.maxDepth`.
 */
export async function walkTree(
  start: { readonly absolute: string; readonly relative: string },
  visit: (entry: TreeEntry) => boolean | Promise<boolean>,
): Promise<boolean> {
  let level = [start];
  for (let depth = 0; level.length > 0; depth++) {
    if (depth >= LIMITS.maxDepth) return true;
    const next: { absolute: string; relative: string }[] = [];
    for (const directory of level) {
      const entries = await readdir(directory.absolute, { withFileTypes: true }).catch(vanished);
      entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      for (const dirent of entries) {
        const entry: TreeEntry = {
          relative: childPath(directory.relative, dirent.name),
          absolute: join(directory.absolute, dirent.name),
          name: dirent.name,
          type: entryType(dirent),
        };
        if (!(await visit(entry))) return true;
        if (entry.type === 'directory') next.push(entry);
      }
    }
    level = next;
  }
  return false;
}

/** A directory removed while the walk was under way has no entries (any other failure is thrown). */
function vanished(error: unknown): Dirent[] {
  if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
  throw error;
}
