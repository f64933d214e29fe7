import type { HttpMethod } from './http-method.js';
import { memberRecordOf } from './internal/metadata.js';
import type { MemberDecorator } from './member-decorator.js';

/** Options of {@link Get}, {@link Post}, {@link Put}, {@link Patch} and {@link Delete}. */
export interface RouteOptions {
  /** A human-readable title, for the manifest. */
  readonly title?: string;
  /** What the route does, for the manifest and for people. */
  readonly description?: string;
  /** The status sent with the method's return value: an integer from 200 to 299. Default 200. */
  readonly status?: number;
}

function routeDecorator(
  method: HttpMethod,
  written: string,
  path: unknown,
  options: unknown,
): MemberDecorator {
  return (target, propertyKey) => {
    memberRecordOf(target, propertyKey).routes.unshift({ method, written, path, options });
  };
}

/**
 * Declares a method of a {@link Controller} as a `GET` route at the controller's prefix followed
 * by `path` (`''` or starting with `"/"`; Express parameters such as `/:id` allowed). The route is
 * the operation `GET /files/:id` (kind `route`) in the policy registry. Every route needs a
 * policy: `@RequiresScope(...)` (on it or its class) or `@Public()`. Like `@Tool`, it only
 * records; `collectControllers` validates at start-up.
 *
 * @example
 * ```ts
 * @Controller('/files')
 * @RequiresScope('files:read')
 * export class FilesController {
 *   @Get('/:id', { description: 'Read a file' })
 *   read(ctx: RouteContext) { return { id: ctx.params.id }; }   // GET /files/:id
 * }
 * ```
 */
export function Get(path: string = '', options?: RouteOptions): MemberDecorator {
  return routeDecorator('GET', '@Get', path, options);
}

/** Declares a `POST` route; see {@link Get}. Pass `{ status: 201 }` for a creation. */
export function Post(path: string = '', options?: RouteOptions): MemberDecorator {
  return routeDecorator('POST', '@Post', path, options);
}

/** Declares a `PUT` route; see {@link Get}. */
export function Put(path: string = '', options?: RouteOptions): MemberDecorator {
  return routeDecorator('PUT', '@Put', path, options);
}

/** Declares a `PATCH` route; see {@link Get}. */
export function Patch(path: string = '', options?: RouteOptions): MemberDecorator {
  return routeDecorator('PATCH', '@Patch', path, options);
}

/** Declares a `DELETE` route; see {@link Get}. */
export function Delete(path: string = '', options?: RouteOptions): MemberDecorator {
  return routeDecorator('DELETE', '@Delete', path, options);
}
