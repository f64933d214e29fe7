import { lstat } from 'node:fs/promises';
import { LIMITS } from '../limits.js';
import type { SearchMatch, SearchResult } from '../sandbox-results.js';
import { globMatch } from './glob-match.js';
import { readRegularFile } from './read-regular-file.js';
import { walkTree, type TreeEntry } from './walk-tree.js';

const MAX_LINE_CHARACTERS = 200;

/** A search already checked: the query is non-empty and the bounds are within `LIMITS`. */
export interface SearchPlan {
  readonly query: string;
  readonly glob: string | undefined;
  readonly contents: boolean;
  readonly maxResults: number;
}

/**
 * Searches the tree under `start` (see `walkTree`: symbolic links are never followed) for names
 * and, in text files up to `LIMITS.maxSearchFileBytes`, lines that contain the query, ignoring
 * case. Files that vanish or turn into links during the search are skipped.
 */
export async function searchTree(
  start: { readonly absolute: string; readonly relative: string },
  plan: SearchPlan,
): Promise<SearchResult> {
  const needle = plan.query.toLowerCase();
  const matches: SearchMatch[] = [];
  let filesScanned = 0;
  let seen = 0;
  const full = () => matches.length >= plan.maxResults;
  const truncated = await walkTree(start, async (entry) => {
    if (++seen > LIMITS.maxWalkEntries) return false;
    if (entry.type !== 'file' && entry.type !== 'directory') return true;
    if (plan.glob !== undefined && !globMatch(plan.glob, entry.name)) return true;
    if (entry.name.toLowerCase().includes(needle)) matches.push({ path: entry.relative, kind: 'name' });
    if (entry.type === 'file' && !full()) {
      if (filesScanned >= LIMITS.maxSearchFiles) return false;
      filesScanned++;
      if (plan.contents) await searchLines(entry, needle, matches, plan.maxResults);
    }
    return !full();
  });
  return { matches, filesScanned, truncated };
}

async function searchLines(
  entry: TreeEntry,
  needle: string,
  matches: SearchMatch[],
  maxResults: number,
): Promise<void> {
  let text: string;
  try {
    if ((await lstat(entry.absolute)).size > LIMITS.maxSearchFileBytes) return;
    const file = await readRegularFile(entry.absolute, LIMITS.maxSearchFileBytes);
    if (file === undefined || file.data.includes(0)) return;
    text = file.data.toString('utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ELOOP') return;
    throw error;
  }
  const lines = text.split('\n');
  for (let i = 0; i < lines.length && matches.length < maxResults; i++) {
    const line = lines[i]!;
    if (!line.toLowerCase().includes(needle)) continue;
    const trimmed = line.trim();
    matches.push({
      path: entry.relative,
      kind: 'content',
      line: i + 1,
      text: trimmed.length > MAX_LINE_CHARACTERS ? `${trimmed.slice(0, MAX_LINE_CHARACTERS)}...` : trimmed,
    });
  }
}
