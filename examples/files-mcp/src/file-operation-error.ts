/**
 * Why a file operation on an accepted path failed:
 *
 * - `not-found`: nothing at the path (or a directory on the way is missing)
 * - `not-a-directory`, `not-a-file`: the path names the wrong kind of entry
 * - `exists`: the target exists and the call did not ask to overwrite it
 * - `not-empty`: a directory to delete still has entries
 * - `symlink`: writing, moving or deleting through a symbolic link's name is refused;
 *   name its target instead
 * - `root`: the sandbox root itself cannot be moved, deleted or written
 * - `invalid-move`: a directory cannot be moved into itself
 * - `too-large`: the file is larger than the operation takes (`backup_file`)
 * - `backup-refused`: the backup API did not accept the copy
 */
export type FileOperationCode =
  | 'not-found'
  | 'not-a-directory'
  | 'not-a-file'
  | 'exists'
  | 'not-empty'
  | 'symlink'
  | 'root'
  | 'invalid-move'
  | 'too-large'
  | 'backup-refused';

/**
 * A file operation on a path inside the sandbox that could not be done, with a message for the
 * caller that names the path as the caller wrote it (relative to the sandbox root), never where
 * the sandbox lives on the server. The file system's own error stays reachable as `cause`.
 *
 * @example
 * ```ts
 * try {
 *   await sandbox.write('notes/new/plan.md', 'ship it');
 * } catch (error) {
 *   if (error instanceof FileOperationError && error.code === 'not-found') {
 *     await sandbox.write('notes/new/plan.md', 'ship it', { createDirs: true });
 *   }
 * }
 * ```
 */
export class FileOperationError extends Error {
  /** What went wrong. */
  readonly code: FileOperationCode;
  /** The path, relative to the sandbox root. */
  readonly path: string;

  constructor(code: FileOperationCode, path: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'FileOperationError';
    this.code = code;
    this.path = path;
  }
}
