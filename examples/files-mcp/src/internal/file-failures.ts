import { FileOperationError, type FileOperationCode } from '../file-operation-error.js';
import type { ResolvedPath } from './resolve-path.js';

/** What the sandbox was doing, in words that fit "... the file it points to instead". */
export type Operation = 'list' | 'read' | 'search' | 'write' | 'create directories for' | 'move' | 'delete';

/** The caller's path, quoted for a message. */
export function quoted(entry: ResolvedPath): string {
  return `"${entry.relative}"`;
}

/** The sandbox root cannot be `what` (written, moved, deleted, ...). */
export function rootRefused(entry: ResolvedPath, what: string): FileOperationError {
  return new FileOperationError('root', entry.relative, `The sandbox root cannot be ${what}.`);
}

/**
 * Turns a file system error into a {@link FileOperationError} that names the caller's path and
 * keeps the error as `cause`; any other error is rethrown as it is.
 */
export function fail(error: unknown, entry: ResolvedPath, operation: Operation): never {
  const code = (error as NodeJS.ErrnoException).code;
  const at = quoted(entry);
  const failure = (kind: FileOperationCode, message: string) =>
    new FileOperationError(kind, entry.relative, message, { cause: error });
  switch (code) {
    case 'ENOENT':
      throw failure(
        'not-found',
        operation === 'write'
          ? `The directory of ${at} does not exist; pass createDirs: true to create it.`
          : operation === 'move'
            ? `${at} or the directory it goes to does not exist.`
            : `Nothing at ${at}.`,
      );
    case 'ENOTDIR':
      throw failure('not-a-directory', `${at} is not a directory, or a part of its path is a file.`);
    case 'EISDIR':
      throw failure('not-a-file', `${at} is a directory.`);
    case 'EEXIST':
      throw operation === 'write'
        ? failure('exists', `${at} exists; pass overwrite: true to replace it.`)
        : failure('not-a-directory', `${at} is not a directory, or a part of its path is a file.`);
    case 'ENOTEMPTY':
      throw failure('not-empty', `${at} is a directory that is not empty.`);
    case 'ELOOP':
      throw failure('symlink', `${at} is a symbolic link; ${operation} the file it points to instead.`);
    case 'EINVAL':
      throw failure('invalid-move', `${at} cannot be moved into itself.`);
    default:
      throw error;
  }
}
