import { LIMITS } from './limits.js';

/**
 * Why the {@link Sandbox} refused a path. Stable strings: tests and logs branch on them.
 *
 * - `not-a-string`, `empty`, `too-long` (over `LIMITS.maxPathLength` characters),
 *   `segment-too-long` (a name over 255 bytes)
 * - `nul-byte`, `control-character`: names with bytes the file system or a terminal misreads
 * - `absolute` (`/etc/passwd`), `drive-letter` (`C:\x`), `backslash` (a Windows separator,
 *   which would be part of the name here): only paths relative to the sandbox root are accepted
 * - `parent-segment` (`..`), `empty-segment` (`a//b`): the path must name each directory once
 * - `symlink-escape`: a symbolic link on the way leads outside the sandbox root
 * - `dangling-symlink`: a symbolic link on the way leads nowhere, so where it goes cannot be checked
 */
export type SandboxPathReason =
  | 'not-a-string'
  | 'empty'
  | 'too-long'
  | 'segment-too-long'
  | 'nul-byte'
  | 'control-character'
  | 'absolute'
  | 'drive-letter'
  | 'backslash'
  | 'parent-segment'
  | 'empty-segment'
  | 'symlink-escape'
  | 'dangling-symlink';

const EXPLANATIONS: Readonly<Record<SandboxPathReason, string>> = {
  'not-a-string': 'a path must be a string',
  empty: 'the path is empty; use "." for the sandbox root',
  'too-long': `the path is longer than ${LIMITS.maxPathLength} characters`,
  'segment-too-long': 'a file or directory name is longer than 255 bytes',
  'nul-byte': 'the path contains a NUL byte',
  'control-character': 'the path contains a control character',
  absolute: 'absolute paths are not allowed; give a path relative to the sandbox root, like "notes/todo.md"',
  'drive-letter':
    'drive letters are not allowed; give a path relative to the sandbox root, like "notes/todo.md"',
  backslash: 'backslashes are not allowed; separate directories with "/"',
  'parent-segment': '".." is not allowed; paths cannot leave the sandbox',
  'empty-segment': 'the path has an empty segment ("//" or a leading "/")',
  'symlink-escape': 'a symbolic link in the path leads outside the sandbox',
  'dangling-symlink': 'a symbolic link in the path leads to nothing',
};

const SHOWN_CHARACTERS = 64;

/**
 * A path the {@link Sandbox} will not touch, with the {@link SandboxPathReason}. The message
 * quotes at most the first 64 characters of the path (escaped, so a NUL byte or a newline shows
 * as `\u0000` or `\n`) and never the sandbox's location on the server.
 *
 * @example
 * ```ts
 * try {
 *   await sandbox.read('../etc/passwd');
 * } catch (error) {
 *   if (error instanceof SandboxPathError) error.reason; // 'parent-segment'
 * }
 * ```
 */
export class SandboxPathError extends Error {
  /** Why the path was refused. */
  readonly reason: SandboxPathReason;

  constructor(reason: SandboxPathReason, path: unknown) {
    super(`Path ${shown(path)} refused: ${EXPLANATIONS[reason]}.`);
    this.name = 'SandboxPathError';
    this.reason = reason;
  }
}

function shown(path: unknown): string {
  if (typeof path !== 'string') return `of type ${path === null ? 'null' : typeof path}`;
  if (path.length <= SHOWN_CHARACTERS) return JSON.stringify(path);
  return `${JSON.stringify(path.slice(0, SHOWN_CHARACTERS))}... (${path.length} characters)`;
}
