/** Where a stream of the CLI writes: `process.stdout`, or anything with `write(text)`. */
export interface CliStream {
  write(text: string): unknown;
}

/**
 * The CLI's connection to the world, injectable for tests and embedding.
 *
 * @example
 * ```ts
 * let out = '';
 * const code = await run(['manifest', 'dist/server.js'], {
 *   stdout: { write: (text) => (out += text) },
 *   stderr: process.stderr,
 * });
 * ```
 */
export interface CliIo {
  readonly stdout: CliStream;
  readonly stderr: CliStream;
  /** The directory module and file paths are relative to. Default `process.cwd()`. */
  readonly cwd?: string;
}
