import {
  ProtocolError,
  type CallToolResult,
  type McpServer,
  type Server,
  type ServerContext,
} from '@modelcontextprotocol/server';
import type { BindToolsetsOptions } from '../mcp/internal/binding-setup.js';
import { bindToolsetsWith, type SdkTranslation } from '../mcp/internal/bind-toolsets-with.js';
import { wasAdmitted } from './internal/admitted-requests.js';

export type { BindToolsetsOptions, ToolsetContainer } from '../mcp/internal/binding-setup.js';

/** A low-level request handler, as `setRequestHandler` takes it for any of the bound methods. */
type Handler = (request: { params?: unknown }, ctx: ServerContext) => Promise<never>;

/**
 * Registers every `@Tool`, `@Resource` and `@Prompt` of the toolsets with an SDK v2 server
 * (`McpServer` or its low-level `Server` from `@modelcontextprotocol/server`), through its
 * low-level request handlers, so that lists are per caller and input schemas are the DTOs' plain
 * JSON Schema. The same binding as `@valet/adapters/mcp` (the same compiled toolsets, checks and
 * results), for both protocol eras: each call is authorized against its policy (again, after
 * {@link createMcpHttpHandler}; on stdio, only here), its input validated into the DTO, then the
 * method called with the input and a {@link ToolContext}. List results are marked
 * `cacheScope: 'private'` (2026-07-28): they differ from caller to caller.
 *
 * Call it in the server factory, before the SDK connects the server. The server must not also
 * register tools, resources or prompts of its own (`McpServer.registerTool` & co): that fails
 * with an error naming the conflict. Returns `server`.
 *
 * @example
 * ```ts
 * const toolsets = registerToolsets(registry, [FileTools]);
 * const server = bindToolsets(new McpServer({ name: 'files', version: '1.0.0' }), { toolsets, valet });
 * ```
 */
export function bindToolsets<S extends McpServer | Server>(server: S, options: BindToolsetsOptions): S {
  bindToolsetsWith(server, options, SDK_V2);
  return server;
}

/** SDK v2, translated for the shared binding. */
const SDK_V2: SdkTranslation<ServerContext, Server> = {
  sdk: 'v2',
  // `http.req` is the web request over HTTP (absent on stdio and in memory); one that
  // createMcpHttpHandler admitted had its calls decided and audited before the SDK saw it.
  facts: (ctx) => ({
    authInfo: ctx.http?.authInfo,
    overHttp: ctx.http?.req !== undefined,
    admitted: wasAdmitted(ctx.http?.req),
    signal: ctx.mcpReq.signal,
  }),
  isSdkError: (error) => error instanceof ProtocolError,
  setHandler: (low, method, handle, perCaller) =>
    low.setRequestHandler(method, (async (request, ctx) => {
      const result = await handle(request.params, ctx);
      // A list filtered for its caller must not be shared by caches (2026-07-28 cache hints).
      if (perCaller) return { ...(result as object), cacheScope: 'private' };
      // SDK v2 asks low-level tools/call handlers to project their result for the served era.
      return method === 'tools/call'
        ? low.projectCallToolResult(result as CallToolResult, undefined)
        : result;
    }) as Handler),
};
