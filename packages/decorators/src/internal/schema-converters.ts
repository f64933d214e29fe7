import { PolicyConfigError } from '@valet/core';
import { defaultMetadataStorage } from 'class-transformer/cjs/storage.js';
import {
  IS_DIVISIBLE_BY,
  IS_ENUM,
  IS_INT,
  IS_NEGATIVE,
  IS_POSITIVE,
  MAX,
  MIN,
  ValidationTypes,
  getMetadataStorage,
  type MetadataStorage,
} from 'class-validator';
import type { InputClass } from '../input-class.js';

type ValidationMetadata = ReturnType<MetadataStorage['getTargetValidationMetadatas']>[number];
type Schema = Record<string, unknown>;
type Converter = (meta: ValidationMetadata) => Schema;

/** The options every `targetConstructorToSchema` call gets: @Type, @Exclude and @Expose are honoured. */
export const schemaOptions = { classTransformerMetadataStorage: defaultMetadataStorage };

const PRIMITIVES = new Map<unknown, Schema>([
  [String, { type: 'string' }],
  [Number, { type: 'number' }],
  [Boolean, { type: 'boolean' }],
]);

const NOT_A_DTO = new Set<unknown>([
  Object,
  Array,
  String,
  Number,
  Boolean,
  Symbol,
  BigInt,
  Function,
  Promise,
  Map,
  Set,
]);

/**
 * class-validator-jsonschema's converters, corrected where its defaults do not fit a
 * self-contained MCP `inputSchema`: nested DTOs inlined through `schemaOf` instead of `$ref`;
 * custom validators typed from `design:type` only for primitives; numeric enums listed by value
 * (not by member name too); bounds on an `@IsInt()` property kept `integer` in whatever order the
 * decorators are written (the library's merge lets the last `type` win).
 */
export function schemaConverters(schemaOf: (dto: InputClass) => Schema): Record<string, Converter> {
  const bound = (keyword: string, value: (meta: ValidationMetadata) => unknown): Converter => {
    return (meta) => ({ [keyword]: value(meta), type: numericType(meta) });
  };
  return {
    [ValidationTypes.NESTED_VALIDATION]: (meta) => schemaOf(nestedClass(meta)),
    [ValidationTypes.CUSTOM_VALIDATION]: (meta) => ({ ...PRIMITIVES.get(designType(meta)) }),
    [IS_ENUM]: (meta) => enumSchema(meta.constraints[0] as Record<string, unknown>),
    [MIN]: bound('minimum', (meta) => meta.constraints[0]),
    [MAX]: bound('maximum', (meta) => meta.constraints[0]),
    [IS_POSITIVE]: bound('exclusiveMinimum', () => 0),
    [IS_NEGATIVE]: bound('exclusiveMaximum', () => 0),
    [IS_DIVISIBLE_BY]: bound('multipleOf', (meta) => meta.constraints[0]),
  };
}

function designType(meta: ValidationMetadata): unknown {
  return typeof meta.target === 'function'
    ? Reflect.getMetadata('design:type', meta.target.prototype as object, meta.propertyName)
    : undefined;
}

function nestedClass(meta: ValidationMetadata): InputClass {
  const owner = meta.target as InputClass;
  const declared = defaultMetadataStorage.findTypeMetadata(owner, meta.propertyName)?.typeFunction();
  const type = declared ?? designType(meta);
  if (typeof type === 'function' && !NOT_A_DTO.has(type)) return type as InputClass;
  throw new PolicyConfigError(
    `${owner.name}.${meta.propertyName}: @ValidateNested() needs @Type(() => ${meta.each ? 'ItemClass' : 'ChildClass'}) from class-transformer to know the nested DTO class.`,
  );
}

function numericType(meta: ValidationMetadata): 'integer' | 'number' {
  if (typeof meta.target !== 'function') return 'number';
  const isInt = getMetadataStorage()
    .getTargetValidationMetadatas(meta.target, '', true, false)
    .some((m) => m.propertyName === meta.propertyName && m.name === IS_INT && m.each === meta.each);
  return isInt ? 'integer' : 'number';
}

function enumSchema(enumObject: Record<string, unknown>): Schema {
  // A numeric TypeScript enum maps values back to names under numeric keys: skip those.
  const values = Object.entries(enumObject)
    .filter(([key]) => !/^\d+$/.test(key))
    .map(([, value]) => value);
  const types = new Set(values.map((value) => (Number.isInteger(value) ? 'integer' : typeof value)));
  const type = types.size === 1 ? [...types][0] : undefined;
  return type === 'string' || type === 'integer' || type === 'number'
    ? { enum: values, type }
    : { enum: values };
}
