import { ownRecord } from './internal/metadata.js';
import type { ToolsetClass } from './toolset-definition.js';

/**
 * True when `value` is a class marked `@Toolset()` itself (a subclass of a toolset needs its own
 * `@Toolset()`). For tools that find toolsets among a module's exports, such as `valet manifest`;
 * only this copy of `@valet/decorators` sees the marks its own decorators made.
 *
 * @example
 * ```ts
 * const toolsets = Object.values(await import('./tools.js')).filter(isToolset);
 * ```
 */
export function isToolset(value: unknown): value is ToolsetClass {
  return typeof value === 'function' && ownRecord(value)?.toolset === true;
}
