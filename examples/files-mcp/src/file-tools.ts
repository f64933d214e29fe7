import { Tool, Toolset } from '@valet/decorators';
import { inject } from 'inversify';
import {
  DeleteFileInput,
  ListFilesInput,
  MoveFileInput,
  ReadFileInput,
  SearchFilesInput,
  WriteFileInput,
} from './inputs.js';
import { LIMITS } from './limits.js';
import { Sandbox } from './sandbox.js';
import type {
  DeleteResult,
  ListResult,
  MoveResult,
  ReadResult,
  SandboxUsage,
  SearchResult,
  WriteResult,
} from './sandbox-results.js';
import { RequiresScope } from './scopes.js';
import { asToolResult, type ToolErrorResult } from './tool-error-result.js';

/** Hints for clients: these tools only look. */
const READ_ONLY = { readOnlyHint: true, openWorldHint: false } as const;

/** Looking at files: `files:read` (or `files:write`, which implies it). */
@Toolset()
@RequiresScope('files:read')
export class FileReadTools {
  constructor(@inject(Sandbox) private readonly sandbox: Sandbox) {}

  @Tool({
    title: 'List files',
    description:
      'List the entries of a directory in the sandbox (name, path, type, size of files), sorted by name. ' +
      '"path" is relative to the sandbox root; omit it for the root.',
    annotations: READ_ONLY,
  })
  listFiles(input: ListFilesInput): Promise<ListResult | ToolErrorResult> {
    return asToolResult(this.sandbox.list(input.path ?? '.'));
  }

  @Tool({
    title: 'Read a file',
    description:
      `Read a file in the sandbox: up to "maxBytes" bytes (default ${LIMITS.defaultReadBytes}), as UTF-8 text, ` +
      'or base64 for binary files; "truncated" says whether there is more.',
    annotations: READ_ONLY,
  })
  readFile(input: ReadFileInput): Promise<ReadResult | ToolErrorResult> {
    return asToolResult(this.sandbox.read(input.path, input.maxBytes));
  }

  @Tool({
    title: 'Search files',
    description:
      'Find files and directories whose name contains "query", and lines of text files that contain it ' +
      '(ignoring case), under "path" (default the root). "glob" keeps only names like "*.md"; ' +
      '"contents": false searches names only.',
    annotations: READ_ONLY,
  })
  searchFiles(input: SearchFilesInput): Promise<SearchResult | ToolErrorResult> {
    return asToolResult(this.sandbox.search(input));
  }
}

/** Changing files: `files:write`. */
@Toolset()
@RequiresScope('files:write')
export class FileWriteTools {
  constructor(@inject(Sandbox) private readonly sandbox: Sandbox) {}

  @Tool({
    title: 'Write a file',
    description:
      'Create a file in the sandbox, or replace its content (unless "overwrite" is false). ' +
      '"createDirs": true creates missing parent directories.',
    annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
  })
  writeFile(input: WriteFileInput): Promise<WriteResult | ToolErrorResult> {
    const options = { createDirs: input.createDirs ?? false, overwrite: input.overwrite ?? true };
    return asToolResult(this.sandbox.write(input.path, input.content, options));
  }

  @Tool({
    title: 'Move a file',
    description:
      'Move or rename a file or directory inside the sandbox. An existing target is replaced only with ' +
      '"overwrite": true; the target directory must exist.',
    annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: false },
  })
  moveFile(input: MoveFileInput): Promise<MoveResult | ToolErrorResult> {
    return asToolResult(this.sandbox.move(input.from, input.to, { overwrite: input.overwrite ?? false }));
  }
}

/** Removing files: `files:delete`, a grant of its own (a token that may edit may not delete). */
@Toolset()
@RequiresScope('files:delete')
export class FileDeleteTools {
  constructor(@inject(Sandbox) private readonly sandbox: Sandbox) {}

  @Tool({
    title: 'Delete a file',
    description:
      'Delete a file, a symbolic link (never what it points to) or an empty directory in the sandbox.',
    annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
  })
  deleteFile(input: DeleteFileInput): Promise<DeleteResult | ToolErrorResult> {
    return asToolResult(this.sandbox.delete(input.path));
  }
}

/** What `sandbox_info` returns: the usage, and the limits every tool works within. */
export interface SandboxInfo extends SandboxUsage {
  readonly limits: typeof LIMITS;
}

/** Administration: `files:admin`. */
@Toolset()
@RequiresScope('files:admin')
export class FileAdminTools {
  constructor(@inject(Sandbox) private readonly sandbox: Sandbox) {}

  @Tool({
    title: 'Sandbox info',
    description:
      'Where the sandbox lives on the server, how many files and directories it holds, their total size, ' +
      'and the limits of every file tool. For administrators.',
    annotations: READ_ONLY,
  })
  async sandboxInfo(): Promise<SandboxInfo> {
    return { ...(await this.sandbox.usage()), limits: LIMITS };
  }
}

/** Every toolset of the server, in the order their tools are listed. */
export const fileToolsets = [FileReadTools, FileWriteTools, FileDeleteTools, FileAdminTools] as const;
