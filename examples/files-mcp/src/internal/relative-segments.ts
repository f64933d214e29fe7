import { LIMITS } from '../limits.js';
import { SandboxPathError } from '../sandbox-path-error.js';

const MAX_NAME_BYTES = 255;
// eslint-disable-next-line no-control-regex -- control characters are what this looks for
const CONTROL = /[\u0001-\u001f\u007f]/;

/**
 * The segments of a path relative to the sandbox root, checked without touching the disk:
 * `notes/./todo.md` -> `['notes', 'todo.md']`, `.` -> `[]`. A single trailing `/` is allowed
 * (`notes/`). Throws {@link SandboxPathError} for anything that is not a plain relative path;
 * the length is checked first, so a huge input is never scanned.
 */
export function relativeSegments(path: unknown): string[] {
  if (typeof path !== 'string') throw new SandboxPathError('not-a-string', path);
  if (path.length === 0) throw new SandboxPathError('empty', path);
  if (path.length > LIMITS.maxPathLength) throw new SandboxPathError('too-long', path);
  if (path.includes('\u0000')) throw new SandboxPathError('nul-byte', path);
  if (CONTROL.test(path)) throw new SandboxPathError('control-character', path);
  if (/^[A-Za-z]:/.test(path)) throw new SandboxPathError('drive-letter', path);
  if (path.startsWith('/')) throw new SandboxPathError('absolute', path);
  if (path.includes('\\')) throw new SandboxPathError('backslash', path);
  const parts = path.endsWith('/') ? path.slice(0, -1).split('/') : path.split('/');
  const segments: string[] = [];
  for (const part of parts) {
    if (part === '..') throw new SandboxPathError('parent-segment', path);
    if (part === '') throw new SandboxPathError('empty-segment', path);
    if (Buffer.byteLength(part) > MAX_NAME_BYTES) throw new SandboxPathError('segment-too-long', path);
    if (part !== '.') segments.push(part);
  }
  return segments;
}
