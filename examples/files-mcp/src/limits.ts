/**
 * The bounds of every file operation, in one place: the DTOs refuse larger inputs before a tool
 * runs, the {@link Sandbox} enforces them again for direct callers, and `sandbox_info` reports
 * them. They keep one call from reading, scanning or writing without end.
 */
export const LIMITS = Object.freeze({
  /** Longest accepted path, in characters. */
  maxPathLength: 1024,
  /** Most bytes `read_file` returns. */
  maxReadBytes: 1024 * 1024,
  /** Bytes `read_file` returns when the call does not say. */
  defaultReadBytes: 64 * 1024,
  /** Longest content `write_file` accepts, in characters. */
  maxWriteCharacters: 1024 * 1024,
  /** Most entries `list_files` returns. */
  maxListEntries: 1000,
  /** Most matches `search_files` returns. */
  maxSearchResults: 200,
  /** Matches `search_files` returns when the call does not say. */
  defaultSearchResults: 50,
  /** Most files one search looks at. */
  maxSearchFiles: 10_000,
  /** Larger files are matched by name only. */
  maxSearchFileBytes: 1024 * 1024,
  /** Deepest directory level a search or a usage count descends to. */
  maxDepth: 32,
  /** Longest search query, in characters. */
  maxQueryLength: 200,
  /** Longest file name pattern, in characters. */
  maxGlobLength: 100,
  /** Most directory entries one search or usage count walks past. */
  maxWalkEntries: 100_000,
});
