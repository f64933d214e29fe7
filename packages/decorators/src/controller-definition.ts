import type { Policy } from '@valet/core';
import type { HttpMethod } from './http-method.js';
import type { DownstreamDeclaration } from './toolset-definition.js';

/** A class marked `@Controller()`. */
export type ControllerClass<T extends object = object> = new (...args: never[]) => T;

/** A route collected from a controller: a `@Get`, `@Post`, `@Put`, `@Patch` or `@Delete` method. */
export interface RouteDeclaration {
  readonly method: HttpMethod;
  /** The full path: the controller's prefix followed by the route's path, e.g. `/files/:id`. */
  readonly path: string;
  readonly title: string | undefined;
  readonly description: string | undefined;
  /** The status sent with the method's return value (200 unless declared). */
  readonly status: number;
  /** Class and member requirements AND-ed, base classes first; `publicAccess()` when public. */
  readonly policy: Policy;
  /** The method to call on the controller instance. */
  readonly handler: string;
  /** `FilesController.remove`: where it was declared, for messages. */
  readonly source: string;
  /** The controller class it was collected from (a subclass, for inherited routes). */
  readonly controller: ControllerClass;
  /** Its `@Downstream` declarations (empty when it calls no API on the caller's behalf), base class first. */
  readonly downstream: readonly DownstreamDeclaration[];
}

/** A controller class and its routes (inherited ones included), as `collectControllers` returns it. */
export interface ControllerDefinition {
  readonly target: ControllerClass;
  /** The class name. */
  readonly name: string;
  /** The `@Controller()` prefix: `''` or a path like `/files`. */
  readonly prefix: string;
  /** In declaration order, base classes' routes first. */
  readonly routes: readonly RouteDeclaration[];
}
