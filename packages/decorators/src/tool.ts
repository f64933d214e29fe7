import { declarationDecorator } from './internal/declaration-decorator.js';
import type { InputClass } from './input-class.js';
import type { MemberDecorator } from './member-decorator.js';

/** MCP tool annotations: hints for clients, never a security boundary. */
export interface ToolAnnotations {
  /** A human-readable title (prefer {@link ToolOptions.title}). */
  readonly title?: string;
  /** The tool does not change its environment. */
  readonly readOnlyHint?: boolean;
  /** The tool may destroy or overwrite data (meaningful when not read-only). */
  readonly destructiveHint?: boolean;
  /** Calling it again with the same arguments has no further effect. */
  readonly idempotentHint?: boolean;
  /** The tool talks to an open world of external entities (the web, ...). */
  readonly openWorldHint?: boolean;
}

/** Options of {@link Tool}. */
export interface ToolOptions {
  /**
   * The MCP tool name, unique across the server. Default: the method name in snake_case
   * (`readFile` -> `read_file`, `getHTTPStatus` -> `get_http_status`). Must follow the MCP
   * tool-name rules: 1 to 128 characters from `A-Z a-z 0-9 _ - .`.
   */
  readonly name?: string;
  /** A human-readable title. */
  readonly title?: string;
  /** What the tool does, for the model and for people. Required. */
  readonly description: string;
  readonly annotations?: ToolAnnotations;
  /**
   * The input DTO class. Default: the declared type of the method's first parameter (from
   * `design:paramtypes`); a method without parameters takes no input.
   */
  readonly input?: InputClass;
}

/**
 * Declares a method of a {@link Toolset} as an MCP tool. Its input is a class-validator DTO:
 * the first parameter's class (import it as a value, not with `import type`, or its type is lost)
 * or `input`. Every tool needs a policy: `@RequiresScope(...)` (on it or its class) or `@Public()`.
 *
 * @example
 * ```ts
 * @Tool({ description: 'Write a file', annotations: { destructiveHint: true } })
 * @RequiresScope('files:write')
 * writeFile(input: WriteFileInput) { ... }   // tool "write_file"
 * ```
 */
export function Tool(options: ToolOptions): MemberDecorator {
  return declarationDecorator({ kind: 'tool', written: '@Tool', options });
}
