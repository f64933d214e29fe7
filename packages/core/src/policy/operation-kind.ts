/** What an operation is: an MCP tool, resource or prompt, or an HTTP route. */
export type OperationKind = 'tool' | 'resource' | 'prompt' | 'route';
