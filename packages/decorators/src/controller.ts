import { injectableClass } from './internal/injectable-class.js';
import { recordOf } from './internal/metadata.js';

/** The class decorator {@link Controller} returns. */
export type ControllerDecorator = (target: abstract new (...args: never[]) => unknown) => void;

/**
 * Marks a class as a controller: an HTTP API whose `@Get`, `@Post`, `@Put`, `@Patch` and
 * `@Delete` methods are routes under `prefix` (`''`, the default, or a path like `"/files"`:
 * leading `"/"`, no trailing `"/"`). The policy decorators are the ones toolsets use, composed
 * the same way: `@RequiresScope` on the class is AND-ed with each route's own, `@Public()` opens a
 * route, a subclass can only tighten. The class is made injectable for inversify, so its
 * constructor can `@inject` services. A subclass needs its own `@Controller()`. An adapter mounts
 * it (`valetExpress(valet).controllers(app, [FilesController], { container })`) and calls each
 * route method with its context (Express: `RouteContext` from `@valet/adapters/express`).
 *
 * @example
 * ```ts
 * @Controller('/files')
 * @RequiresScope('files:read')
 * export class FilesController {
 *   constructor(@inject(FileStore) private readonly store: FileStore) {}
 *
 *   @Get('/:id', { description: 'Read a file' })
 *   read(ctx: RouteContext) { return this.store.read(ctx.params.id); }
 *
 *   @Delete('/:id', { description: 'Delete a file' })
 *   @RequiresScope('files:write')               // files:read and files:write
 *   remove(ctx: RouteContext) { return this.store.remove(ctx.params.id); }
 * }
 * ```
 */
export function Controller(prefix: string = ''): ControllerDecorator {
  return (target) => {
    recordOf(target).controller = { prefix };
    injectableClass(target);
  };
}
