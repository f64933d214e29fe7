export { bindToolsets } from './bind-toolsets.js';
export type { BindToolsetsOptions, ToolsetContainer } from './bind-toolsets.js';
export { createMcpHttpHandler } from './http-handler.js';
export type { McpHttpHandlerOptions } from './http-handler.js';
export type { McpEndpointOptions, McpHttpHandler } from '../mcp/endpoint-options.js';
export { verifyStdioToken } from '../mcp/stdio.js';
export type { PromptContext, ResourceContext, ToolContext } from './tool-context.js';
export type { DownstreamContext } from '../internal/downstream-context.js';
