import { OptionsError } from '@valet/core';
import type { Container, Newable } from 'inversify';
import type { ControllerClass } from './controller-definition.js';
import { className } from './internal/metadata.js';

/**
 * The instance of a controller. With a `container`, inversify builds it with its constructor's
 * services injected: the container's own binding of the class when there is one, else the class
 * itself (no need to bind controllers). Without one, `new controller()`; a controller whose
 * constructor takes arguments then throws {@link OptionsError} naming `container`.
 *
 * @example
 * ```ts
 * container.bind(FileStore).toSelf().inSingletonScope();
 * const files = resolveController(FilesController, container); // FileStore injected
 * ```
 */
export function resolveController<T extends object>(
  controller: ControllerClass<T>,
  container?: Container,
): T {
  if (container !== undefined) {
    if (typeof container?.get !== 'function') {
      throw new OptionsError('container', 'container must be an inversify Container.');
    }
    return container.get(controller as Newable<T>, { autobind: true });
  }
  const declared = Reflect.getMetadata('design:paramtypes', controller) as readonly unknown[] | undefined;
  if (controller.length > 0 || (declared?.length ?? 0) > 0) {
    throw new OptionsError(
      'container',
      `${className(controller)} takes constructor arguments; pass the inversify container that builds it.`,
    );
  }
  return new (controller as new () => T)();
}
