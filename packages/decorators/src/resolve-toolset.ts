import { OptionsError } from '@valet/core';
import type { Container, Newable } from 'inversify';
import { className } from './internal/metadata.js';
import type { ToolsetClass } from './toolset-definition.js';

/**
 * The instance of a toolset from `container`, built by inversify with its constructor's
 * services injected. Throws {@link OptionsError} when the class was not bound (list it in
 * `valetContainerModule({ toolsets })`).
 *
 * @example
 * ```ts
 * const files = resolveToolset(container, FileTools);
 * await files.readFile(await validateInput(ReadFileInput, args));
 * ```
 */
export function resolveToolset<T extends object>(container: Container, toolset: ToolsetClass<T>): T {
  const id = toolset as Newable<T>;
  if (!container.isBound(id)) {
    throw new OptionsError(
      'toolset',
      `${className(toolset)} is not bound in this container; list it in valetContainerModule({ toolsets }).`,
    );
  }
  return container.get(id);
}
