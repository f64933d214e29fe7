/** The toolset the MCP benches and the soak serve: one tool, `read_file`, needing `files:read`. */
import { RequiresScope, Tool, Toolset } from '@valet/decorators';
import { IsString, MaxLength } from 'class-validator';

class ReadFileInput {
  @IsString()
  @MaxLength(64)
  path!: string;
}

/** `readFile` (`read_file`): answers with a line naming the path; scope `files:read`. */
@Toolset()
export class FileTools {
  @Tool({ description: 'Read a file' })
  @RequiresScope('files:read')
  readFile(input: ReadFileInput): string {
    return `contents of ${input.path}`;
  }
}
