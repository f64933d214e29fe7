import { injectableClass } from './internal/injectable-class.js';
import { recordOf } from './internal/metadata.js';

/** The class decorator {@link Toolset} returns. */
export type ToolsetDecorator = (target: abstract new (...args: never[]) => unknown) => void;

/**
 * Marks a class as a toolset: its `@Tool`, `@Resource` and `@Prompt` methods are collected by
 * `collectToolsets`, and the class is made injectable for inversify (do not add `@injectable()`
 * as well), so its constructor can `@inject` services. A subclass inherits its base's operations
 * and requirements and needs its own `@Toolset()`; without a constructor of its own it is built
 * with its base's constructor arguments.
 *
 * @example
 * ```ts
 * @Toolset()
 * @RequiresScope('files:read')
 * export class FileTools {
 *   constructor(@inject(FileStore) private readonly store: FileStore) {}
 *   @Tool({ description: 'Read a file' })
 *   readFile(input: ReadFileInput) { return this.store.read(input.path); }
 * }
 * ```
 */
export function Toolset(): ToolsetDecorator {
  return (target) => {
    recordOf(target).toolset = true;
    injectableClass(target);
  };
}
