import type { JsonSchema } from '../input-schema.js';

/**
 * The paths of every property the schema requires but `value` lacks (absent or `undefined`),
 * nested DTOs and array items included: `title`, `options.mode`, `tags[2].name`. A property given
 * as `null` is not missing; its rules say what is wrong with it.
 */
export function missingRequired(schema: JsonSchema, value: unknown, path = '', out: string[] = []): string[] {
  if (typeof value !== 'object' || value === null) return out;
  if (Array.isArray(value)) {
    const items = schema['items'] as JsonSchema | undefined;
    if (items !== undefined)
      value.forEach((item, index) => missingRequired(items, item, `${path}[${index}]`, out));
    return out;
  }
  const record = value as Record<string, unknown>;
  const properties = (schema['properties'] ?? {}) as Record<string, JsonSchema>;
  for (const key of (schema['required'] ?? []) as string[]) {
    if (record[key] === undefined) out.push(path === '' ? key : `${path}.${key}`);
  }
  for (const [key, child] of Object.entries(properties)) {
    if (Object.hasOwn(record, key))
      missingRequired(child, record[key], path === '' ? key : `${path}.${key}`, out);
  }
  return out;
}
