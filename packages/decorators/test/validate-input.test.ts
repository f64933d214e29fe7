import { describe, expect, it } from '@jest/globals';
import { errorResponse, isValetError } from '@valet/core';
import { IsString } from 'class-validator';
import { InputValidationError, validateInput } from '../src/index.js';
import { FileOptions, Tag, WriteFileInput, validWrite } from './fixtures/file-dtos.js';

async function violationsOf(dto: new () => object, input: unknown): Promise<InputValidationError> {
  try {
    await validateInput(dto, input);
  } catch (error) {
    expect(error).toBeInstanceOf(InputValidationError);
    return error as InputValidationError;
  }
  throw new Error('validateInput accepted the input');
}

describe('validateInput', () => {
  it('resolves to a DTO instance, nested DTOs included', async () => {
    const input = await validateInput(WriteFileInput, validWrite());
    expect(input).toBeInstanceOf(WriteFileInput);
    expect(input.tags[0]).toBeInstanceOf(Tag);
    expect(input.options).toBeInstanceOf(FileOptions);
    expect(input.tags.map((tag) => tag.name)).toEqual(['home', 'errand']);
  });

  it('lists every violation with its path, without the property name repeated', async () => {
    const error = await violationsOf(WriteFileInput, {
      content: 42,
      tags: [{ name: 'a' }, { name: 'b' }, { name: 'n'.repeat(65), shade: 'dark' }],
      options: { mode: 1.5 },
      extra: true,
    });
    expect(error.violations).toEqual([
      { path: 'extra', constraint: 'whitelistValidation', message: 'should not exist' },
      { path: 'path', constraint: 'isDefined', message: 'is required' },
      { path: 'content', constraint: 'isString', message: 'must be a string' },
      { path: 'tags[2].shade', constraint: 'whitelistValidation', message: 'should not exist' },
      {
        path: 'tags[2].name',
        constraint: 'maxLength',
        message: 'must be shorter than or equal to 64 characters',
      },
      { path: 'options.mode', constraint: 'isInt', message: 'must be an integer number' },
    ]);
    expect(error.message).toBe(
      'Invalid input (6 violations):\n' +
        '- extra: should not exist\n' +
        '- path: is required\n' +
        '- content: must be a string\n' +
        '- tags[2].shade: should not exist\n' +
        '- tags[2].name: must be shorter than or equal to 64 characters\n' +
        '- options.mode: must be an integer number',
    );
  });

  it('requires a nested DTO that is not @IsOptional(), as the schema does', async () => {
    const { options: _options, ...withoutOptions } = validWrite();
    const error = await violationsOf(WriteFileInput, withoutOptions);
    expect(error.violations).toEqual([{ path: 'options', constraint: 'isDefined', message: 'is required' }]);
  });

  it.each([
    [null, 'must be an object, not null'],
    [[validWrite()], 'must be an object, not an array'],
    ['{"path":"/a"}', 'must be an object, not a string'],
    [42, 'must be an object, not a number'],
  ])('refuses %p as input with the same error, not a TypeError', async (input, message) => {
    const error = await violationsOf(WriteFileInput, input);
    expect(error.violations).toEqual([{ path: '', constraint: 'isObject', message }]);
    expect(error.message).toBe(`Invalid input (1 violation):\n- input: ${message}`);
  });

  it('treats missing arguments as an empty object', async () => {
    class Optional {}
    await expect(validateInput(Optional, undefined)).resolves.toBeInstanceOf(Optional);
    const error = await violationsOf(WriteFileInput, undefined);
    expect(error.violations.map((v) => v.path)).toContain('path');
  });

  it('accepts {} for a DTO without rules and refuses any property', async () => {
    class Nothing {}
    await expect(validateInput(Nothing, {})).resolves.toBeInstanceOf(Nothing);
    const error = await violationsOf(Nothing, { a: 1 });
    expect(error.violations).toEqual([
      { path: 'a', constraint: 'whitelistValidation', message: 'should not exist' },
    ]);
  });

  it('is a 400 ValetError with code ERR_INVALID_INPUT and no bearer challenge', async () => {
    const error = await violationsOf(WriteFileInput, null);
    expect(isValetError(error)).toBe(true);
    expect(error.code).toBe('ERR_INVALID_INPUT');
    expect(error.status).toBe(400);
    expect(error.challenge).toBeUndefined();
    const response = errorResponse(error);
    expect(response.status).toBe(400);
    expect(response.headers['www-authenticate']).toBeUndefined();
    expect(response.body).toEqual({ error: 'invalid_request', error_description: error.message });
  });
});

describe('Security: prototype pollution through tool input', () => {
  it('refuses a __proto__ key at any depth and leaves every prototype alone', async () => {
    const input = JSON.parse(
      '{"path":"/a","content":"b","tags":[{"name":"x","__proto__":{"polluted":true}}],' +
        '"options":{"mode":1},"__proto__":{"polluted":true}}',
    ) as unknown;
    const error = await violationsOf(WriteFileInput, input);
    expect(error.violations).toEqual([
      { path: 'tags[0].__proto__', constraint: 'whitelistValidation', message: 'should not exist' },
      { path: '__proto__', constraint: 'whitelistValidation', message: 'should not exist' },
    ]);
    expect(({} as { polluted?: boolean }).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(await validateInput(WriteFileInput, validWrite()))).toBe(
      WriteFileInput.prototype,
    );
  });
});

describe('Security: input values echoed in error messages', () => {
  it('never puts the offending value in the message', async () => {
    class Login {
      @IsString() user!: string;
    }
    const secret = 'sk_live_1234567890abcdef';
    const error = await violationsOf(Login, { user: 1, password: secret });
    expect(error.message).not.toContain(secret);
    expect(JSON.stringify(error.violations)).not.toContain(secret);
  });
  it('says a missing field is required, not what its absent value breaks', async () => {
    const { path: _path, content: _content, ...rest } = validWrite();
    const error = await violationsOf(WriteFileInput, { ...rest, tags: [{ color: 'red' }] });
    expect(error.violations).toEqual([
      { path: 'path', constraint: 'isDefined', message: 'is required' },
      { path: 'content', constraint: 'isDefined', message: 'is required' },
      { path: 'tags[0].name', constraint: 'isDefined', message: 'is required' },
    ]);
    expect(error.message).toBe(
      'Invalid input (3 violations):\n- path: is required\n- content: is required\n- tags[0].name: is required',
    );
  });

  it('keeps the rules of a field given as null or empty: it is there, and wrong', async () => {
    const error = await violationsOf(WriteFileInput, { ...validWrite(), path: '', content: null });
    expect(error.violations.map((v) => v.message)).not.toContain('is required');
    expect(error.violations).toContainEqual({
      path: 'content',
      constraint: 'isString',
      message: 'must be a string',
    });
  });
});
