import { PolicyConfigError } from '@valet/core';
import 'reflect-metadata';
import { targetConstructorToSchema } from 'class-validator-jsonschema';
import type { InputClass } from './input-class.js';
import { deepFreeze } from './internal/deep-freeze.js';
import { schemaConverters, schemaOptions } from './internal/schema-converters.js';

/** A JSON Schema (draft 2020-12) as plain data. */
export type JsonSchema = { readonly [keyword: string]: unknown };

/** The JSON Schema of a tool's input: always a closed object schema, self-contained (no `$ref`). */
export interface InputSchema extends JsonSchema {
  readonly type: 'object';
  readonly properties: { readonly [property: string]: JsonSchema };
  /** Absent when every property is optional. */
  readonly required?: readonly string[];
  readonly additionalProperties: false;
}

const cache = new WeakMap<object, InputSchema>();
const building = new Set<object>();

/**
 * The JSON Schema of a DTO class, from its class-validator decorators (through
 * class-validator-jsonschema): types, `required` (every property without `@IsOptional()`),
 * string lengths and patterns, enums, number bounds, integers, arrays and their items, and
 * nested DTOs (`@ValidateNested()` with `@Type(() => Child)`) inlined, each object closed with
 * `additionalProperties: false` as {@link validateInput} refuses unknown properties. Computed
 * once per class and frozen. A nested DTO without `@Type`, or one that contains itself, is a
 * {@link PolicyConfigError}: an MCP `inputSchema` must be self-contained.
 *
 * @example
 * ```ts
 * class WriteFileInput {
 *   @IsString() @MaxLength(256) path!: string;
 *   @IsString() content!: string;
 *   @IsOptional() @IsBoolean() overwrite?: boolean;
 * }
 * inputSchema(WriteFileInput);
 * // { type: 'object', properties: { path: { type: 'string', maxLength: 256 }, content: { type: 'string' },
 * //   overwrite: { type: 'boolean' } }, required: ['path', 'content'], additionalProperties: false }
 * ```
 */
export function inputSchema(dto: InputClass): InputSchema {
  const known = cache.get(dto);
  if (known !== undefined) return known;
  if (building.has(dto)) {
    throw new PolicyConfigError(
      `${dto.name} contains itself through nested DTOs; a tool's inputSchema must be self-contained, so recursive input is not supported. Flatten the input or limit its depth with distinct classes.`,
    );
  }
  building.add(dto);
  let raw: Record<string, unknown>;
  try {
    raw = targetConstructorToSchema(dto, {
      ...schemaOptions,
      additionalConverters: schemaConverters(inputSchema),
    }) as Record<string, unknown>;
  } finally {
    building.delete(dto);
  }
  const {
    properties = {},
    required,
    ...rest
  } = raw as {
    properties?: Record<string, JsonSchema>;
    required?: string[];
  };
  delete (rest as { type?: unknown }).type;
  const schema = deepFreeze({
    ...rest,
    type: 'object' as const,
    properties,
    ...(required !== undefined && required.length > 0 ? { required } : {}),
    additionalProperties: false as const,
  });
  cache.set(dto, schema);
  return schema;
}
