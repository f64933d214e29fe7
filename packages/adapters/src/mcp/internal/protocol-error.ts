/**
 * A JSON-RPC error for the SDK to send: it reads `code`, `message` and `data` off what a handler
 * throws. Unlike the SDK's `McpError`, whose message starts with "MCP error <code>: " (and
 * arrives at the client prefixed twice), the client reads the sentence as written.
 */
export class ProtocolError extends Error {
  readonly code: number;
  readonly data: unknown;

  constructor(code: number, message: string, data?: unknown) {
    super(message);
    this.name = 'ProtocolError';
    this.code = code;
    this.data = data;
  }
}
