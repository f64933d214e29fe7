import type { Principal } from '@valet/core';
import type { DownstreamContext } from '../internal/downstream-context.js';
import type { ServerContext } from '@modelcontextprotocol/server';

/**
 * The second argument of every `@Tool` method bound by {@link bindToolsets} on an SDK v2 server:
 * who is calling, the call's abort signal, and the SDK's handler context (`ServerContext`). The
 * same shape as the SDK v1 binding's, so a toolset that reads `principal` and `signal` runs on
 * both.
 *
 * @example
 * ```ts
 * @Tool({ description: 'Write a file' })
 * @RequiresScope('files:write')
 * async writeFile(input: WriteFileInput, ctx: ToolContext) {
 *   await this.store.write(input.path, input.content, { owner: ctx.principal?.subject, signal: ctx.signal });
 *   return `Wrote ${input.path}.`;
 * }
 * ```
 */
export interface ToolContext {
  /**
   * For an operation declared with `@Downstream`: tokens for exactly its declared audiences,
   * obtained by exchanging the caller's token (`token(audience?)`), and a `fetch` that only reaches
   * their origins, with the exchanged token. Absent for any other operation.
   */
  readonly downstream?: DownstreamContext;
  /** The verified caller; `null` for an anonymous caller of a public operation. */
  readonly principal: Principal | null;
  /** Aborted when the client cancels the request or the connection ends. */
  readonly signal: AbortSignal;
  /** The SDK's context of the request (`mcpReq`, `http`, `sessionId`, ...). */
  readonly extra: ServerContext;
}

/**
 * The second argument of a `@Resource` method (its first is the URI read, as a `URL`). For a URI
 * template (`file:///logs/{name}`), `variables` holds the values matched in the URI.
 */
export interface ResourceContext extends ToolContext {
  /** The template's variables, e.g. `{ name: 'app.log' }`; empty for a fixed URI. */
  readonly variables: Readonly<Record<string, string | readonly string[]>>;
}

/** The second argument of a `@Prompt` method (its first is the prompt's arguments, by name). */
export type PromptContext = ToolContext;
