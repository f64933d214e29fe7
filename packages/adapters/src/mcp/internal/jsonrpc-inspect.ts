/** A JSON-RPC request whose method acts on one named operation: checked before the SDK sees it. */
export interface CheckedCall {
  readonly method: CheckedMethod;
  /** `params.name` (tools, prompts) or `params.uri` (resources). */
  readonly name: string;
  /** `params.arguments`, as sent (unvalidated). */
  readonly arguments: unknown;
}

/** What {@link inspectMessages} found in a POST body. */
export type Inspection =
  | {
      readonly ok: true;
      /** Every call to authorize, in body order. */
      readonly calls: readonly CheckedCall[];
      /** The body is (or contains) an `initialize` request. */
      readonly initialize: boolean;
    }
  | {
      readonly ok: false;
      /** The JSON-RPC error code to answer with (HTTP 400). */
      readonly code: number;
      readonly message: string;
    };

/** The routing headers of the 2026-07-28 revision, as sent (a repeated header arrives as an array). */
export interface RoutingHeaders {
  readonly method: string | readonly string[] | undefined;
  readonly name: string | readonly string[] | undefined;
}

export type CheckedMethod = 'tools/call' | 'resources/read' | 'prompts/get';

/** JSON-RPC: the request is not a valid Request object. */
export const INVALID_REQUEST = -32600;
/** MCP 2026-07-28: the `Mcp-Method` / `Mcp-Name` headers are malformed or disagree with the body. */
export const HEADER_MISMATCH = -32020;

const BASE64_VALUE = /^=\?base64\?([A-Za-z0-9+/]*={0,2})\?=$/;

/**
 * Reads a parsed POST body (one message or a batch) and the routing headers: the calls that need
 * a policy decision, or why the request is malformed. Messages the SDK validates anyway
 * (responses, notifications, other methods) pass untouched, but a checked method without a
 * string name / URI is refused here, so nothing unchecked reaches a handler.
 */
export function inspectMessages(body: unknown, headers: RoutingHeaders): Inspection {
  const messages = Array.isArray(body) ? body : [body];
  if (messages.length === 0) return refuse(INVALID_REQUEST, 'Invalid Request: the batch is empty.');
  const routing = routingHeaders(headers, Array.isArray(body));
  if (typeof routing === 'string') return refuse(HEADER_MISMATCH, routing);
  const calls: CheckedCall[] = [];
  let initialize = false;
  for (const message of messages) {
    if (typeof message !== 'object' || message === null) continue;
    const { method, params } = message as { method?: unknown; params?: unknown };
    if (routing !== undefined) {
      const mismatch = compareRouting(routing, method, params);
      if (mismatch !== undefined) return refuse(HEADER_MISMATCH, mismatch);
    }
    if (method === 'initialize') initialize = true;
    if (!isChecked(method)) continue;
    const name = nameOf(method, params);
    if (typeof name !== 'string') {
      const field = method === 'resources/read' ? 'params.uri' : 'params.name';
      return refuse(INVALID_REQUEST, `Invalid Request: ${method} needs ${field} as a string.`);
    }
    const args = (params as { arguments?: unknown }).arguments;
    calls.push({ method, name, arguments: args });
  }
  return { ok: true, calls, initialize };
}

function refuse(code: number, message: string): Inspection {
  return { ok: false, code, message };
}

function isChecked(method: unknown): method is CheckedMethod {
  return method === 'tools/call' || method === 'resources/read' || method === 'prompts/get';
}

/** `params.name` for tools and prompts, `params.uri` for resources: what `Mcp-Name` mirrors. */
function nameOf(method: unknown, params: unknown): unknown {
  if (typeof params !== 'object' || params === null) return undefined;
  return method === 'resources/read'
    ? (params as { uri?: unknown }).uri
    : (params as { name?: unknown }).name;
}

interface Routing {
  readonly method: string | undefined;
  readonly name: string | undefined;
}

/** The decoded routing headers, `undefined` when none was sent, or a message saying what is wrong. */
function routingHeaders(headers: RoutingHeaders, batch: boolean): Routing | undefined | string {
  const method = single(headers.method, 'Mcp-Method');
  const name = single(headers.name, 'Mcp-Name');
  if (method === undefined && name === undefined) return undefined;
  if (typeof method === 'object') return method.problem;
  if (typeof name === 'object') return name.problem;
  if (batch) return 'Mcp-Method and Mcp-Name describe one message; send a batch without them.';
  if (method === undefined) return 'Mcp-Name was sent without Mcp-Method.';
  return { method, name };
}

function single(
  value: string | readonly string[] | undefined,
  header: string,
): string | undefined | { problem: string } {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') {
    return value.length === 1 ? decode(value[0]!, header) : { problem: `${header} was sent more than once.` };
  }
  return decode(value, header);
}

/** SEP-2243: a value that is not plain printable ASCII travels as `=?base64?<utf-8 in base64>?=`. */
function decode(value: string, header: string): string | { problem: string } {
  if (!value.startsWith('=?base64?')) return value;
  const match = BASE64_VALUE.exec(value);
  if (match === null) return { problem: `${header} is not valid =?base64?...?= encoding.` };
  return Buffer.from(match[1]!, 'base64').toString('utf8');
}

function compareRouting(routing: Routing, method: unknown, params: unknown): string | undefined {
  if (routing.method !== method) return "Mcp-Method does not match the body's method.";
  if (routing.name === undefined) return undefined;
  const name = nameOf(method, params);
  if (routing.name !== name) {
    return `Mcp-Name does not match the body's ${method === 'resources/read' ? 'params.uri' : 'params.name'}.`;
  }
  return undefined;
}
