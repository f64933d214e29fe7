import type { JsonSchema } from '../input-schema.js';
import type { InputViolation } from '../input-validation-error.js';

/** What {@link missingRequired} leaves out, and where it adds the violations it finds. */
export interface RequiredSearch {
  /** Paths class-validator already reported. */
  readonly reported: ReadonlySet<string>;
  readonly out: InputViolation[];
}

/**
 * Adds a violation for every property the schema requires but `value` lacks, where
 * class-validator reported nothing at that path: it lets a missing `@ValidateNested()` (or
 * `@Allow()`) property through, while the schema, and the DTO's author, call it required.
 */
export function missingRequired(
  schema: JsonSchema,
  value: unknown,
  path: string,
  search: RequiredSearch,
): void {
  if (typeof value !== 'object' || value === null) return;
  if (Array.isArray(value)) {
    const items = schema['items'] as JsonSchema | undefined;
    if (items !== undefined)
      value.forEach((item, index) => missingRequired(items, item, `${path}[${index}]`, search));
    return;
  }
  const record = value as Record<string, unknown>;
  const properties = (schema['properties'] ?? {}) as Record<string, JsonSchema>;
  for (const key of (schema['required'] ?? []) as string[]) {
    const at = path === '' ? key : `${path}.${key}`;
    if (record[key] === undefined && !search.reported.has(at)) {
      search.out.push({ path: at, constraint: 'isDefined', message: 'should not be null or undefined' });
    }
  }
  for (const [key, child] of Object.entries(properties)) {
    if (Object.hasOwn(record, key))
      missingRequired(child, record[key], path === '' ? key : `${path}.${key}`, search);
  }
}
