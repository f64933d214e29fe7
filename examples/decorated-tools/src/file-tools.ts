import { Tool, Toolset } from '@valet/decorators';
import { inject } from 'inversify';
import { DeleteFileInput, ReadFileInput, WriteFileInput } from './file-inputs.js';
import { FileStore } from './file-store.js';
import { RequiresScope } from './scopes.js';

/** File tools: reading needs `files:read`; writing and deleting need more on top of it. */
@Toolset()
@RequiresScope('files:read')
export class FileTools {
  constructor(@inject(FileStore) private readonly store: FileStore) {}

  @Tool({ description: 'List every file', annotations: { readOnlyHint: true } })
  listFiles(): string[] {
    return this.store.list();
  }

  @Tool({ description: 'Read a file', annotations: { readOnlyHint: true } })
  readFile(input: ReadFileInput): string {
    return this.store.read(input.path) ?? `No file at ${input.path}.`;
  }

  @Tool({ description: 'Create or replace a file' })
  @RequiresScope('files:write')
  writeFile(input: WriteFileInput): string {
    if (input.overwrite === false && this.store.read(input.path) !== undefined) {
      return `${input.path} exists; pass overwrite: true to replace it.`;
    }
    this.store.write(input.path, input.content);
    return `Wrote ${input.content.length} characters to ${input.path}.`;
  }

  @Tool({ description: 'Delete a file', annotations: { destructiveHint: true } })
  @RequiresScope('files:delete')
  deleteFile(input: DeleteFileInput): string {
    return this.store.delete(input.path) ? `Deleted ${input.path}.` : `No file at ${input.path}.`;
  }
}
