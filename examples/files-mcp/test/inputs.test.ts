import 'reflect-metadata';
import { describe, expect, it } from '@jest/globals';
import { InputValidationError, inputSchema, validateInput, type InputClass } from '@valet/decorators';
import {
  DeleteFileInput,
  ListFilesInput,
  MoveFileInput,
  ReadFileInput,
  SearchFilesInput,
  WriteFileInput,
} from '../src/inputs.js';
import { LIMITS } from '../src/limits.js';

async function violations(dto: InputClass, input: unknown): Promise<string[]> {
  const error = await validateInput(dto, input).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(InputValidationError);
  return (error as InputValidationError).violations.map((v) => `${v.path}: ${v.constraint}`);
}

describe('file tool inputs', () => {
  it('accept well-formed calls and build the DTO instances', async () => {
    const write = await validateInput(WriteFileInput, { path: 'notes/a.md', content: '', createDirs: true });
    expect(write).toBeInstanceOf(WriteFileInput);
    expect(write).toEqual({ path: 'notes/a.md', content: '', createDirs: true });
    await expect(validateInput(ListFilesInput, undefined)).resolves.toEqual({});
    await expect(validateInput(ReadFileInput, { path: 'a', maxBytes: 10 })).resolves.toEqual({
      path: 'a',
      maxBytes: 10,
    });
    await expect(
      validateInput(MoveFileInput, { from: 'a', to: 'b', overwrite: false }),
    ).resolves.toBeInstanceOf(MoveFileInput);
    await expect(
      validateInput(SearchFilesInput, { query: 'todo', glob: '*.md', contents: false, maxResults: 5 }),
    ).resolves.toBeInstanceOf(SearchFilesInput);
  });

  it('refuse NUL bytes and control characters in paths before the sandbox sees them', async () => {
    expect(await violations(ReadFileInput, { path: 'notes/todo.md\u0000.png' })).toEqual(['path: matches']);
    expect(await violations(DeleteFileInput, { path: 'a\nb' })).toEqual(['path: matches']);
    expect(await violations(MoveFileInput, { from: 'a', to: '\u0007' })).toEqual(['to: matches']);
  });

  it('refuse missing, empty, oversized and mistyped paths', async () => {
    expect(await violations(ReadFileInput, {})).toEqual(['path: isDefined']);
    expect(await violations(ReadFileInput, { path: '' })).toEqual(['path: isLength']);
    expect(await violations(ReadFileInput, { path: 'a'.repeat(LIMITS.maxPathLength + 1) })).toEqual([
      'path: isLength',
    ]);
    expect(await violations(ListFilesInput, { path: 42 })).toContain('path: isString');
  });

  it('bound content, byte counts, queries, patterns and result counts', async () => {
    expect(
      await violations(WriteFileInput, { path: 'a', content: 'x'.repeat(LIMITS.maxWriteCharacters + 1) }),
    ).toEqual(['content: maxLength']);
    expect(await violations(ReadFileInput, { path: 'a', maxBytes: LIMITS.maxReadBytes + 1 })).toEqual([
      'maxBytes: max',
    ]);
    expect(await violations(ReadFileInput, { path: 'a', maxBytes: 1.5 })).toEqual(['maxBytes: isInt']);
    expect(await violations(SearchFilesInput, { query: '' })).toEqual(['query: isLength']);
    expect(await violations(SearchFilesInput, { query: 'x', glob: 'notes/*.md' })).toEqual(['glob: matches']);
    expect(await violations(SearchFilesInput, { query: 'x', maxResults: 0 })).toEqual(['maxResults: min']);
    expect(await violations(WriteFileInput, { path: 'a', content: 'x', overwrite: 'yes' })).toEqual([
      'overwrite: isBoolean',
    ]);
  });

  it('refuse properties a tool does not take', async () => {
    expect(await violations(DeleteFileInput, { path: 'a', recursive: true })).toEqual([
      'recursive: whitelistValidation',
    ]);
  });

  it('publish their rules as the tools’ JSON Schema', () => {
    expect(inputSchema(WriteFileInput)).toMatchObject({
      type: 'object',
      required: ['path', 'content'],
      additionalProperties: false,
      properties: {
        path: { type: 'string', minLength: 1, maxLength: LIMITS.maxPathLength },
        content: { type: 'string', maxLength: LIMITS.maxWriteCharacters },
        createDirs: { type: 'boolean' },
        overwrite: { type: 'boolean' },
      },
    });
    const path = inputSchema(ReadFileInput).properties['path'] as { pattern: string };
    expect(new RegExp(path.pattern).test('ok/path.md')).toBe(true);
    expect(new RegExp(path.pattern).test('bad\u0000')).toBe(false);
    expect(inputSchema(ListFilesInput).required).toBeUndefined();
  });
});
