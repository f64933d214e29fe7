/** What a directory entry is. Symbolic links are reported as such, never followed when listing. */
export type EntryType = 'file' | 'directory' | 'symlink' | 'other';

/** One entry of a directory listing. */
export interface SandboxEntry {
  readonly name: string;
  /** Relative to the sandbox root, `/`-separated. */
  readonly path: string;
  readonly type: EntryType;
  /** Size in bytes, for files. */
  readonly size?: number;
}

/** What {@link Sandbox.list} returns. */
export interface ListResult {
  /** The directory, relative to the sandbox root (`.` for the root). */
  readonly path: string;
  /** Sorted by name; at most `LIMITS.maxListEntries`. */
  readonly entries: readonly SandboxEntry[];
  /** True when the directory has more entries than were returned. */
  readonly truncated: boolean;
}

/** What {@link Sandbox.read} returns. */
export interface ReadResult {
  readonly path: string;
  /** The whole file's size in bytes. */
  readonly size: number;
  /** `utf-8` for text; `base64` when the bytes read contain a NUL byte (binary data). */
  readonly encoding: 'utf-8' | 'base64';
  readonly content: string;
  /** True when the file is longer than the bytes returned. */
  readonly truncated: boolean;
}

/** What {@link Sandbox.search} looks for. */
export interface SearchOptions {
  /** Matched, ignoring case, against file names and (unless `contents` is false) lines of text files. */
  readonly query: string;
  /** The directory to search in, relative to the sandbox root. Default `.`. */
  readonly path?: string;
  /** Only files whose name matches this pattern (`*` any characters, `?` one), e.g. `*.md`. */
  readonly glob?: string;
  /** Also search inside text files. Default true. */
  readonly contents?: boolean;
  /** Most matches returned. Default `LIMITS.defaultSearchResults`, at most `LIMITS.maxSearchResults`. */
  readonly maxResults?: number;
}

/** One search hit: a file whose name matches, or a line of a file. */
export interface SearchMatch {
  readonly path: string;
  readonly kind: 'name' | 'content';
  /** The 1-based line number, for content matches. */
  readonly line?: number;
  /** The matching line, trimmed and cut at 200 characters, for content matches. */
  readonly text?: string;
}

/** What {@link Sandbox.search} returns. */
export interface SearchResult {
  readonly matches: readonly SearchMatch[];
  /** How many files were looked at. */
  readonly filesScanned: number;
  /** True when the search stopped at a limit (results, files, entries or depth) before looking everywhere. */
  readonly truncated: boolean;
}

/** Options of {@link Sandbox.write}. */
export interface WriteOptions {
  /** Create missing parent directories. Default false. */
  readonly createDirs?: boolean;
  /** Replace an existing file. Default true. */
  readonly overwrite?: boolean;
}

/** What {@link Sandbox.write} returns. */
export interface WriteResult {
  readonly path: string;
  /** Bytes written (UTF-8). */
  readonly bytes: number;
  /** True when the file did not exist before. */
  readonly created: boolean;
}

/** What {@link Sandbox.move} returns. */
export interface MoveResult {
  readonly from: string;
  readonly to: string;
  /** True when an existing file at `to` was replaced. */
  readonly replaced: boolean;
}

/** What {@link Sandbox.delete} returns. */
export interface DeleteResult {
  readonly path: string;
  /** What was deleted (a symbolic link is deleted itself, never its target). */
  readonly type: EntryType;
}

/** What {@link Sandbox.usage} returns. */
export interface SandboxUsage {
  /** Where the sandbox lives on the server (its real path): for administrators only. */
  readonly root: string;
  readonly files: number;
  readonly directories: number;
  /** Total size of the files, in bytes. */
  readonly bytes: number;
  /** True when counting stopped at `LIMITS.maxWalkEntries` entries or `LIMITS.maxDepth` levels. */
  readonly truncated: boolean;
}
