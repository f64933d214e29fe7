import { describe, expect, it } from '@jest/globals';
import { PolicyConfigError } from '@valet/core';
import { Type } from 'class-transformer';
import { IsOptional, IsString, ValidateNested } from 'class-validator';
import { inputSchema, validateInput, type JsonSchema } from '../src/index.js';
import { ReadFileInput, WriteFileInput, validWrite } from './fixtures/file-dtos.js';

/** The keywords inputSchema emits, for a small checker (enough to cross-check class-validator). */
interface Keywords {
  type?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean;
  items?: JsonSchema;
  maxItems?: number;
  enum?: unknown[];
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  minimum?: number;
  maximum?: number;
}

function conforms(schema: JsonSchema, value: unknown): boolean {
  const s = schema as Keywords;
  if (s.type === 'object') {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
    const record = value as Record<string, unknown>;
    const properties = s.properties ?? {};
    if ((s.required ?? []).some((key) => !(key in record))) return false;
    return Object.entries(record).every(([key, child]) =>
      key in properties ? conforms(properties[key]!, child) : s.additionalProperties !== false,
    );
  }
  if (s.type === 'array') {
    if (!Array.isArray(value)) return false;
    if (s.maxItems !== undefined && value.length > s.maxItems) return false;
    return value.every((item) => conforms(s.items ?? {}, item));
  }
  if (s.enum !== undefined && !s.enum.includes(value)) return false;
  if (s.type === 'string') {
    if (typeof value !== 'string') return false;
    if (s.minLength !== undefined && value.length < s.minLength) return false;
    if (s.maxLength !== undefined && value.length > s.maxLength) return false;
    return s.pattern === undefined || new RegExp(s.pattern).test(value);
  }
  if (s.type === 'integer' && !Number.isInteger(value)) return false;
  if (s.type === 'number' || s.type === 'integer') {
    if (typeof value !== 'number') return false;
    if (s.minimum !== undefined && value < s.minimum) return false;
    return s.maximum === undefined || value <= s.maximum;
  }
  return s.type !== 'boolean' || typeof value === 'boolean';
}

async function classValidatorAccepts(value: unknown): Promise<boolean> {
  return validateInput(WriteFileInput, value).then(
    () => true,
    () => false,
  );
}

describe('inputSchema', () => {
  it('turns a realistic DTO set into one self-contained closed object schema', () => {
    expect(inputSchema(WriteFileInput)).toEqual({
      type: 'object',
      properties: {
        path: { type: 'string', minLength: 1, maxLength: 256 },
        content: { type: 'string' },
        encoding: { type: 'string', enum: ['utf8', 'base64'] },
        priority: { type: 'integer', enum: [0, 1] },
        tags: {
          type: 'array',
          maxItems: 10,
          items: {
            type: 'object',
            properties: {
              name: { type: 'string', maxLength: 64 },
              color: { type: 'string', enum: ['red', 'green'] },
            },
            required: ['name'],
            additionalProperties: false,
          },
        },
        options: {
          type: 'object',
          properties: {
            overwrite: { type: 'boolean' },
            mode: { type: 'integer', minimum: 0, maximum: 0o777 },
          },
          required: ['mode'],
          additionalProperties: false,
        },
      },
      required: ['path', 'content', 'tags', 'options'],
      additionalProperties: false,
    });
    expect(JSON.stringify(inputSchema(WriteFileInput))).not.toContain('$ref');
  });

  it('keeps string patterns', () => {
    expect(inputSchema(ReadFileInput).properties['path']).toEqual({
      type: 'string',
      minLength: 1,
      maxLength: 256,
      pattern: '^\\/[\\w./-]*$',
    });
  });

  it('computes each schema once and freezes it', () => {
    const schema = inputSchema(WriteFileInput);
    expect(inputSchema(WriteFileInput)).toBe(schema);
    expect(Object.isFrozen(schema)).toBe(true);
    expect(Object.isFrozen(schema.properties['tags'])).toBe(true);
  });

  it('includes inherited properties and gives a DTO without rules an empty object schema', () => {
    class Named {
      @IsString() name!: string;
    }
    class Described extends Named {
      @IsOptional() @IsString() description?: string;
    }
    class Nothing {}
    expect(inputSchema(Described)).toMatchObject({
      properties: { name: { type: 'string' }, description: { type: 'string' } },
      required: ['name'],
    });
    expect(inputSchema(Nothing)).toEqual({ type: 'object', properties: {}, additionalProperties: false });
  });

  it('agrees with class-validator on what it accepts', async () => {
    const payloads: unknown[] = [
      validWrite(),
      { ...validWrite(), encoding: 'latin1' },
      { ...validWrite(), priority: 1 },
      { ...validWrite(), path: '' },
      { ...validWrite(), path: 'p'.repeat(257) },
      { ...validWrite(), extra: true },
      { ...validWrite(), tags: [{ name: 'n'.repeat(65) }] },
      { ...validWrite(), tags: [{ name: 'ok', color: 'blue' }] },
      { ...validWrite(), tags: Array.from({ length: 11 }, () => ({ name: 'x' })) },
      { ...validWrite(), options: { mode: 1.5 } },
      { ...validWrite(), options: { mode: 420, overwrite: 'yes' } },
      { ...validWrite(), options: { mode: 420, surprise: 1 } },
      { path: '/a', content: 'b', tags: [], options: { mode: 0 } },
      { path: '/a', content: 'b', tags: [] },
    ];
    for (const payload of payloads) {
      const schemaSays = conforms(inputSchema(WriteFileInput), payload);
      expect([payload, schemaSays]).toEqual([payload, await classValidatorAccepts(payload)]);
    }
  });

  it('refuses a nested DTO without @Type, since the schema cannot know the class', () => {
    class Loose {
      @ValidateNested() child!: object;
    }
    expect(() => inputSchema(Loose)).toThrow(
      new PolicyConfigError(
        'Loose.child: @ValidateNested() needs @Type(() => ChildClass) from class-transformer to know the nested DTO class.',
      ),
    );
  });

  it('refuses a DTO that contains itself: the schema must be self-contained', () => {
    class TreeNode {
      @IsString() label!: string;
      @IsOptional() @ValidateNested({ each: true }) @Type(() => TreeNode) children?: TreeNode[];
    }
    expect(() => inputSchema(TreeNode)).toThrow(
      "TreeNode contains itself through nested DTOs; a tool's inputSchema must be self-contained",
    );
  });
});
