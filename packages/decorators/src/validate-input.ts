import { plainToInstance } from 'class-transformer';
import { getMetadataStorage, validate, type ValidationError } from 'class-validator';
import type { InputClass } from './input-class.js';
import { inputSchema } from './input-schema.js';
import { InputValidationError, type InputViolation } from './input-validation-error.js';
import { missingRequired } from './internal/missing-required.js';

const VALIDATOR_OPTIONS = {
  whitelist: true,
  forbidNonWhitelisted: true,
  forbidUnknownValues: true,
  // `value` tells arrays from objects for the paths; it never reaches a message.
  validationError: { target: false, value: true },
} as const;

/**
 * Turns a call's JSON arguments into an instance of its DTO and validates it (class-transformer
 * `plainToInstance`, then class-validator with `whitelist` and `forbidNonWhitelisted`, nested
 * DTOs included). Resolves to the instance; rejects with {@link InputValidationError} listing
 * every violation with its path, also when the input is not an object at all (null, an array,
 * a string). `undefined` counts as `{}` (MCP clients may omit `arguments`). A `__proto__` key
 * is refused like any unknown property. Every property the DTO does not mark `@IsOptional()` is
 * required, as {@link inputSchema} says, also a nested DTO that class-validator alone would let
 * through when missing; a missing one is reported as `title: is required`, not with the rules its
 * absent value breaks. Throws {@link PolicyConfigError} for a DTO `inputSchema` refuses.
 *
 * @example
 * ```ts
 * try {
 *   const input = await validateInput(WriteFileInput, request.params.arguments);
 *   return tools.writeFile(input);
 * } catch (error) {
 *   if (error instanceof InputValidationError) return { isError: true, content: [{ type: 'text', text: error.message }] };
 *   throw error;
 * }
 * ```
 */
export async function validateInput<T extends object>(dto: InputClass<T>, input: unknown): Promise<T> {
  const plain = input === undefined ? {} : input;
  if (typeof plain !== 'object' || plain === null || Array.isArray(plain)) {
    throw new InputValidationError([
      { path: '', constraint: 'isObject', message: `must be an object, not ${kindOf(plain)}` },
    ]);
  }
  const schema = inputSchema(dto);
  const violations: InputViolation[] = [];
  findProtoKeys(plain, '', violations, new WeakSet());
  const instance = plainToInstance(dto, plain);
  if (hasRules(dto)) {
    flatten(await validate(instance, VALIDATOR_OPTIONS), '', false, violations);
  } else {
    // class-validator refuses an instance of a class without rules as an "unknown value".
    for (const key of Object.keys(plain)) violations.push(unknownProperty(key));
  }
  const reported = withRequired(violations, missingRequired(schema, plain));
  if (reported.length > 0) throw new InputValidationError(reported);
  return instance;
}

/**
 * A missing required property gets one violation, `is required`, in place of what
 * class-validator said about its absent value (`should not be empty`, `must be a string`): the
 * caller left it out, and is told so. Also added where class-validator said nothing (a nested
 * DTO without `@IsDefined()`), since the schema, and the DTO's author, call it required.
 */
function withRequired(violations: readonly InputViolation[], missing: readonly string[]): InputViolation[] {
  if (missing.length === 0) return [...violations];
  const paths = new Set(missing);
  const left = new Set(missing);
  const out: InputViolation[] = [];
  for (const violation of violations) {
    if (!paths.has(violation.path)) out.push(violation);
    else if (left.delete(violation.path)) out.push(required(violation.path));
  }
  for (const path of left) out.push(required(path));
  return out;
}

function required(path: string): InputViolation {
  return { path, constraint: 'isDefined', message: 'is required' };
}

const ruled = new WeakMap<InputClass, boolean>();

function hasRules(dto: InputClass): boolean {
  let known = ruled.get(dto);
  if (known === undefined) {
    known = getMetadataStorage().getTargetValidationMetadatas(dto, '', true, false).length > 0;
    ruled.set(dto, known);
  }
  return known;
}

function flatten(
  errors: readonly ValidationError[],
  parent: string,
  inArray: boolean,
  out: InputViolation[],
): void {
  for (const error of errors) {
    const path = inArray
      ? `${parent}[${error.property}]`
      : parent === ''
        ? error.property
        : `${parent}.${error.property}`;
    for (const [constraint, message] of Object.entries(error.constraints ?? {})) {
      out.push({ path, constraint, message: withoutSubject(message, error.property) });
    }
    if (error.children !== undefined && error.children.length > 0) {
      flatten(error.children, path, Array.isArray(error.value), out);
    }
  }
}

/** class-validator writes `name must be ...`; the path already says which property. */
function withoutSubject(message: string, property: string): string {
  for (const subject of [`${property} `, `property ${property} `, `nested property ${property} `]) {
    if (message.startsWith(subject)) return message.slice(subject.length);
  }
  return message.replace(`each value in ${property} `, 'each value ');
}

function unknownProperty(path: string): InputViolation {
  return { path, constraint: 'whitelistValidation', message: 'should not exist' };
}

/** JSON.parse makes `__proto__` an own key; class-transformer drops it silently. Refuse it instead. */
function findProtoKeys(value: object, path: string, out: InputViolation[], seen: WeakSet<object>): void {
  if (seen.has(value)) return;
  seen.add(value);
  const isArray = Array.isArray(value);
  for (const key of Object.keys(value)) {
    const child = isArray ? `${path}[${key}]` : path === '' ? key : `${path}.${key}`;
    if (key === '__proto__') out.push(unknownProperty(child));
    const nested = (value as Record<string, unknown>)[key];
    if (typeof nested === 'object' && nested !== null) findProtoKeys(nested, child, out, seen);
  }
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}
