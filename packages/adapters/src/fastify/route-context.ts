import type { Principal } from '@valet/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { DownstreamContext } from '../internal/downstream-context.js';

/**
 * The argument of every controller route method declared by `fastify.valet.controllers()`: who
 * is calling and the parts of the request a handler usually reads, plus the request and reply
 * themselves for the rest (headers, cookies, streaming, ...). The same shape as the Express
 * adapter's `RouteContext`, with Fastify's `request` and `reply`.
 *
 * @example
 * ```ts
 * @Get('/:id', { description: 'Read a file' })
 * read(ctx: RouteContext) {
 *   return { id: ctx.params.id, owner: ctx.principal?.subject }; // sent by Fastify, status 200
 * }
 * ```
 */
export interface RouteContext {
  /** The verified caller (`request.auth`); `null` for an anonymous caller of a public route. */
  readonly principal: Principal | null;
  /**
   * Only on a route declared with `@Downstream`: tokens for exactly its declared audiences,
   * obtained by token exchange, and a `fetch` that reaches only their origins.
   */
  readonly downstream?: DownstreamContext;
  /** The route parameters (`/:id` -> `params.id`). */
  readonly params: Readonly<Record<string, string>>;
  /**
   * The parsed query string (with Fastify's default parser, each value a string, or an array of
   * strings for a repeated key).
   */
  readonly query: Readonly<Record<string, unknown>>;
  /** The body parsed by Fastify's content-type parsers (JSON and plain text built in); `undefined` without a body. */
  readonly body: unknown;
  readonly request: FastifyRequest;
  /** For a method that answers itself: it then returns nothing, or the reply (Fastify's `return reply`). */
  readonly reply: FastifyReply;
}
