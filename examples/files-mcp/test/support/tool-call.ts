/**
 * One `tools/call` as a plain HTTP POST to an MCP endpoint, to see the status and headers an SDK
 * client hides. `headers` carries the credentials (`authorization`, `dpop`).
 */
export function postToolCall(
  url: string,
  headers: Record<string, string>,
  name: string,
  args: Record<string, unknown> = {},
): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      ...headers,
    },
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'tools/call',
      params: { name, arguments: args },
    }),
  });
}
