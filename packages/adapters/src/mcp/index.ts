export { bindToolsets } from './bind-toolsets.js';
export type { BindToolsetsOptions, ToolsetContainer } from './bind-toolsets.js';
export { createMcpHttpHandler } from './http-handler.js';
export type { McpHttpHandlerOptions, ServerFactory } from './http-handler.js';
export type { McpEndpointOptions, McpHttpHandler } from './endpoint-options.js';
export { verifyStdioToken } from './stdio.js';
export type { McpRequestExtra, PromptContext, ResourceContext, ToolContext } from './tool-context.js';
export type { DownstreamContext } from '../internal/downstream-context.js';
