import type { Principal } from '@valet/core';
import type { Request, Response } from 'express';
import type { DownstreamContext } from '../internal/downstream-context.js';

/**
 * The argument of every controller route method mounted by `valetExpress(valet).controllers()`:
 * who is calling and the parts of the request a handler usually reads, plus the request and
 * response themselves for the rest (headers, streaming, cookies, ...).
 *
 * @example
 * ```ts
 * @Get('/:id', { description: 'Read a file' })
 * read(ctx: RouteContext) {
 *   return { id: ctx.params.id, owner: ctx.principal?.subject }; // sent as JSON, status 200
 * }
 * ```
 */
export interface RouteContext {
  /** The verified caller (`req.auth`); `null` for an anonymous caller of a public route. */
  readonly principal: Principal | null;
  /**
   * Only on a route declared with `@Downstream`: tokens for exactly its declared audiences,
   * obtained by token exchange, and a `fetch` that reaches only their origins.
   */
  readonly downstream?: DownstreamContext;
  /** The route parameters (`/:id` -> `params.id`). */
  readonly params: Request['params'];
  /** The parsed query string. */
  readonly query: Request['query'];
  /** The parsed body, when a body parser (`express.json()`, ...) ran before the route. */
  readonly body: unknown;
  readonly req: Request;
  /** For a method that answers itself: it then returns nothing. */
  readonly res: Response;
}
