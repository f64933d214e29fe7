import { FileOperationError } from './file-operation-error.js';
import { SandboxPathError } from './sandbox-path-error.js';

/** An MCP tool error result (`CallToolResult` with `isError`): the model reads why and can try again. */
export interface ToolErrorResult {
  readonly content: readonly [{ readonly type: 'text'; readonly text: string }];
  readonly isError: true;
}

/**
 * What `work` resolves to, or, when it fails because of the caller's path or the state of the
 * files ({@link SandboxPathError}, {@link FileOperationError}), a tool error result with the
 * message. Any other failure is thrown, for the server to log (the client then hears only that
 * the tool failed).
 *
 * @example
 * ```ts
 * readFile(input: ReadFileInput) {
 *   return asToolResult(this.sandbox.read(input.path));
 * }
 * ```
 */
export async function asToolResult<T>(work: Promise<T>): Promise<T | ToolErrorResult> {
  try {
    return await work;
  } catch (error) {
    if (error instanceof SandboxPathError || error instanceof FileOperationError) {
      return { content: [{ type: 'text', text: error.message }], isError: true };
    }
    throw error;
  }
}
