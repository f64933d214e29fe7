import type { ToolContext } from '@valet/adapters/mcp';
import { Downstream, Tool, Toolset } from '@valet/decorators';
import { inject } from 'inversify';
import { FileOperationError } from './file-operation-error.js';
import { BackupFileInput } from './inputs.js';
import { LIMITS } from './limits.js';
import { Sandbox } from './sandbox.js';
import { RequiresScope } from './scopes.js';
import { asToolResult, type ToolErrorResult } from './tool-error-result.js';

/** The scope `backup_file`'s exchanged tokens carry at the backup API. */
export const BACKUP_SCOPE = 'backup:write';

/** What `backup_file` returns. */
export interface BackupResult {
  readonly path: string;
  /** Bytes copied. */
  readonly size: number;
  /** Where the copy went: `<FILES_BACKUP_URL>/files/<path>`. */
  readonly location: string;
}

/** A toolset class; one per backup URL, since `@Downstream` names its audience at declaration. */
export type BackupToolset = new (sandbox: Sandbox) => object;

/**
 * The `backup_file` toolset for the backup API at `backupUrl` (`FILES_BACKUP_URL`, no trailing
 * slash): it PUTs a file's bytes to `<backupUrl>/files/<path>` with a token for `backupUrl`
 * (scope `backup:write`) exchanged for the caller's, never the caller's own. A class per URL
 * because the audience comes from the environment and decorators take it when the class is declared.
 *
 * @example
 * ```ts
 * const toolsets = [...fileToolsets, backupToolset('https://backup.example.com')];
 * ```
 */
export function backupToolset(backupUrl: string): BackupToolset {
  @Toolset()
  @RequiresScope('files:backup')
  class FileBackupTools {
    constructor(@inject(Sandbox) private readonly sandbox: Sandbox) {}

    @Tool({
      title: 'Back up a file',
      description:
        `Copy a file of the sandbox (at most ${LIMITS.maxReadBytes} bytes) to the backup API, as the caller: ` +
        'the copy replaces an earlier one of the same path.',
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: true },
    })
    @Downstream(backupUrl, [BACKUP_SCOPE])
    backupFile(input: BackupFileInput, ctx: ToolContext): Promise<BackupResult | ToolErrorResult> {
      return asToolResult(this.#copy(input.path, ctx));
    }

    async #copy(path: string, ctx: ToolContext): Promise<BackupResult> {
      const file = await this.sandbox.read(path, LIMITS.maxReadBytes);
      if (file.truncated) {
        throw new FileOperationError(
          'too-large',
          file.path,
          `"${file.path}" is ${file.size} bytes; backup_file copies files of at most ${LIMITS.maxReadBytes} bytes.`,
        );
      }
      const body = Buffer.from(file.content, file.encoding === 'base64' ? 'base64' : 'utf8');
      const location = `${backupUrl}/files/${file.path.split('/').map(encodeURIComponent).join('/')}`;
      const response = await ctx.downstream!.fetch(location, {
        method: 'PUT',
        headers: { 'content-type': 'application/octet-stream' },
        body,
        signal: ctx.signal,
      });
      if (!response.ok) {
        throw new FileOperationError(
          'backup-refused',
          file.path,
          `The backup API answered ${response.status} for "${file.path}"; it was not backed up.`,
        );
      }
      return { path: file.path, size: body.length, location };
    }
  }
  return FileBackupTools;
}
