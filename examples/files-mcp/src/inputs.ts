import {
  IsBoolean,
  IsInt,
  IsOptional,
  IsString,
  Length,
  Matches,
  Max,
  MaxLength,
  Min,
} from 'class-validator';
import { LIMITS } from './limits.js';

// eslint-disable-next-line no-control-regex -- control characters are what the rule excludes
const NO_CONTROL_CHARACTERS = /^[^\u0000-\u001f\u007f]*$/;
// eslint-disable-next-line no-control-regex -- as above, and no directory separators
const FILE_NAME_PATTERN = /^[^/\\\u0000-\u001f\u007f]*$/;

/**
 * A path inside the sandbox: a string of 1 to `LIMITS.maxPathLength` characters without NUL or
 * other control characters. Where it may point (no `..`, nothing absolute, no link out of the
 * sandbox) the {@link Sandbox} decides, with a message saying why.
 */
function SandboxPath(): PropertyDecorator {
  return (target, key) => {
    IsString()(target, key);
    Length(1, LIMITS.maxPathLength)(target, key);
    Matches(NO_CONTROL_CHARACTERS, { message: 'must not contain NUL bytes or other control characters' })(
      target,
      key,
    );
  };
}

/** Input of `list_files`. */
export class ListFilesInput {
  /** The directory, relative to the sandbox root. Default `.` (the root). */
  @IsOptional()
  @SandboxPath()
  path?: string;
}

/** Input of `read_file`. */
export class ReadFileInput {
  /** The file, relative to the sandbox root. */
  @SandboxPath()
  path!: string;

  /** Most bytes to return. Default `LIMITS.defaultReadBytes`. */
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(LIMITS.maxReadBytes)
  maxBytes?: number;
}

/** Input of `backup_file`. */
export class BackupFileInput {
  /** The file, relative to the sandbox root. */
  @SandboxPath()
  path!: string;
}

/** Input of `search_files`. */
export class SearchFilesInput {
  /** Text to find, ignoring case, in names and lines. */
  @IsString()
  @Length(1, LIMITS.maxQueryLength)
  @Matches(NO_CONTROL_CHARACTERS, { message: 'must not contain control characters' })
  query!: string;

  /** The directory to search in. Default `.`. */
  @IsOptional()
  @SandboxPath()
  path?: string;

  /** Only names matching this pattern (`*`, `?`), e.g. `*.md`. */
  @IsOptional()
  @IsString()
  @Length(1, LIMITS.maxGlobLength)
  @Matches(FILE_NAME_PATTERN, {
    message: 'must be a file name pattern, without "/", "\\" or control characters',
  })
  glob?: string;

  /** Also search inside text files. Default true. */
  @IsOptional()
  @IsBoolean()
  contents?: boolean;

  /** Most matches to return. Default `LIMITS.defaultSearchResults`. */
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(LIMITS.maxSearchResults)
  maxResults?: number;
}

/** Input of `write_file`. */
export class WriteFileInput {
  /** The file, relative to the sandbox root. */
  @SandboxPath()
  path!: string;

  /** The whole new content, as text. */
  @IsString()
  @MaxLength(LIMITS.maxWriteCharacters)
  content!: string;

  /** Create missing parent directories. Default false. */
  @IsOptional()
  @IsBoolean()
  createDirs?: boolean;

  /** Replace the file if it exists. Default true. */
  @IsOptional()
  @IsBoolean()
  overwrite?: boolean;
}

/** Input of `move_file`. */
export class MoveFileInput {
  /** What to move, relative to the sandbox root. */
  @SandboxPath()
  from!: string;

  /** Where to, relative to the sandbox root. */
  @SandboxPath()
  to!: string;

  /** Replace what is at `to`. Default false. */
  @IsOptional()
  @IsBoolean()
  overwrite?: boolean;
}

/** Input of `delete_file`. */
export class DeleteFileInput {
  /** The file, link or empty directory, relative to the sandbox root. */
  @SandboxPath()
  path!: string;
}
