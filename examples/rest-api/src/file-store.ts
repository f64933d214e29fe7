/** A file's listing entry. */
export interface FileEntry {
  readonly name: string;
  /** Length of the content in bytes (UTF-8). */
  readonly size: number;
  /** When the file was last written, as an ISO 8601 string. */
  readonly updatedAt: string;
}

/** A stored file: its entry and content. */
export interface StoredFile extends FileEntry {
  readonly content: string;
}

/** An in-memory file store: text files by name. */
export interface FileStore {
  list(): readonly FileEntry[];
  get(name: string): StoredFile | undefined;
  /** Writes a file; returns true when it was created, false when replaced. */
  put(name: string, content: string): boolean;
  /** Removes a file; returns false when there was none. */
  delete(name: string): boolean;
  stats(): { readonly files: number; readonly bytes: number };
}

/**
 * Creates a {@link FileStore} holding `initial` (name -> content). Nothing is persisted: the
 * store lives as long as the process.
 *
 * @example
 * ```ts
 * const store = createFileStore({ 'welcome.txt': 'Hello' });
 * store.put('notes.txt', 'Buy milk'); // true: created
 * ```
 */
export function createFileStore(initial: Readonly<Record<string, string>> = {}): FileStore {
  const files = new Map<string, StoredFile>();
  const put = (name: string, content: string): boolean => {
    const created = !files.has(name);
    const size = Buffer.byteLength(content);
    files.set(name, { name, size, updatedAt: new Date().toISOString(), content });
    return created;
  };
  for (const [name, content] of Object.entries(initial)) put(name, content);
  return {
    list: () => [...files.values()].map(({ name, size, updatedAt }) => ({ name, size, updatedAt })),
    get: (name) => files.get(name),
    put,
    delete: (name) => files.delete(name),
    stats: () => ({
      files: files.size,
      bytes: [...files.values()].reduce((sum, file) => sum + file.size, 0),
    }),
  };
}
