import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import {
  CallToolRequestSchema,
  GetPromptRequestSchema,
  ListPromptsRequestSchema,
  ListResourceTemplatesRequestSchema,
  ListResourcesRequestSchema,
  ListToolsRequestSchema,
  McpError,
  ReadResourceRequestSchema,
} from '@modelcontextprotocol/sdk/types.js';
import type { BindToolsetsOptions } from './internal/binding-setup.js';
import {
  bindToolsetsWith,
  type BoundMethodName,
  type SdkTranslation,
} from './internal/bind-toolsets-with.js';
import type { McpRequestExtra } from './tool-context.js';

export type { BindToolsetsOptions, ToolsetContainer } from './internal/binding-setup.js';

/** The SDK's request schema of each method Valet answers. */
const REQUEST_SCHEMAS = {
  'tools/list': ListToolsRequestSchema,
  'tools/call': CallToolRequestSchema,
  'resources/list': ListResourcesRequestSchema,
  'resources/templates/list': ListResourceTemplatesRequestSchema,
  'resources/read': ReadResourceRequestSchema,
  'prompts/list': ListPromptsRequestSchema,
  'prompts/get': GetPromptRequestSchema,
} as const satisfies Record<BoundMethodName, unknown>;

/**
 * Registers every `@Tool`, `@Resource` and `@Prompt` of the toolsets with an MCP SDK server
 * (`McpServer` or its low-level `Server`), through the SDK's low-level request handlers, so that
 * lists are per caller and input schemas are the DTOs' plain JSON Schema. Each call is authorized
 * against its policy (again, after the HTTP layer; on stdio, only here), its input transformed
 * and validated (invalid input is a tool error listing each violation; the method never runs),
 * then the method is called with the input and a {@link ToolContext}. A tool may return a string,
 * a JSON value (an object becomes `structuredContent`) or a full `CallToolResult`; what it throws
 * becomes a tool error that tells the client only that it failed.
 *
 * Call it before `server.connect()`. The server must not also register tools, resources or
 * prompts of its own through `McpServer.registerTool` & co (they would bypass authorization):
 * that fails with an error naming the conflict. Returns `server`.
 *
 * @example
 * ```ts
 * const registry = new PolicyRegistry({ catalog: scopes });
 * const toolsets = registerToolsets(registry, [FileTools]);
 * const valet = createValet({ registry, resource: 'https://files.example.com/mcp', idp });
 * const server = bindToolsets(new McpServer({ name: 'files', version: '1.0.0' }), { toolsets, valet });
 * ```
 */
export function bindToolsets<S extends McpServer | Server>(server: S, options: BindToolsetsOptions): S {
  bindToolsetsWith(server, options, SDK_V1);
  return server;
}

/** SDK v1, translated for the shared binding. */
const SDK_V1: SdkTranslation<McpRequestExtra, Server> = {
  sdk: 'v1',
  // The HTTP request is there (`requestInfo`) only over HTTP, where `createMcpHttpHandler`
  // decided and audited every call before the SDK saw it.
  facts: (extra) => {
    const overHttp = extra.requestInfo !== undefined;
    return { authInfo: extra.authInfo, overHttp, admitted: overHttp, signal: extra.signal };
  },
  isSdkError: (error) => error instanceof McpError,
  // SDK v1 routes handlers by request schema.
  setHandler: (low, method, handle) =>
    low.setRequestHandler(
      REQUEST_SCHEMAS[method],
      (request, extra) => handle(request.params, extra) as never,
    ),
};
