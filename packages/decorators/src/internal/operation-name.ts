const OPERATION_NAME = /^[A-Za-z0-9_.-]{1,128}$/;

/** The MCP tool-name rule (spec 2025-11-25), as a sentence for messages. */
export const OPERATION_NAME_RULE = 'use 1 to 128 characters from A-Z, a-z, 0-9, "_", "-" and "."';

/** True when `name` follows the MCP tool-name rule (also applied to prompt names). */
export function isOperationName(name: unknown): name is string {
  return typeof name === 'string' && OPERATION_NAME.test(name);
}

/** `readFile` -> `read_file`, `getHTTPStatus` -> `get_http_status`, `read_file` -> `read_file`. */
export function snakeCase(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2')
    .toLowerCase();
}
