import { IsBoolean, IsOptional, IsString, Matches, MaxLength } from 'class-validator';

/** Every tool's `path`: absolute, no `..`, at most 256 characters. */
export class PathInput {
  @IsString()
  @MaxLength(256)
  @Matches(/^(\/(?!\.{1,2}(\/|$))[\w.-]+)+$/, {
    message: 'must be an absolute path like /notes/todo.txt, without "." or ".." segments',
  })
  path!: string;
}

export class ReadFileInput extends PathInput {}

export class WriteFileInput extends PathInput {
  @IsString()
  @MaxLength(10_000)
  content!: string;

  @IsOptional()
  @IsBoolean()
  overwrite?: boolean;
}

export class DeleteFileInput extends PathInput {}
