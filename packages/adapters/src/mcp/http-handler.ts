import type { IncomingMessage, ServerResponse } from 'node:http';
import { OptionsError } from '@valet/core';
import { isJsonContentType } from '@modelcontextprotocol/sdk/shared/mediaType.js';
import { send } from '../internal/send.js';
import { callOperations } from './internal/call-operations.js';
import type { McpEndpointOptions, McpHttpHandler } from './endpoint-options.js';
import { REFUSED, mcpEndpoint } from './internal/endpoint.js';
import { sendJsonRpcError } from './internal/http-replies.js';
import { inspectMessages, type CheckedCall } from './internal/jsonrpc-inspect.js';
import {
  statefulDispatcher,
  statelessDispatcher,
  type Dispatcher,
  type ServerFactory,
} from './internal/mcp-dispatch.js';
import { positiveInteger } from './internal/positive-integer.js';
import type { RequestBody } from './internal/request-body.js';

export type { ServerFactory } from './internal/mcp-dispatch.js';

/** Options of {@link createMcpHttpHandler}. */
export interface McpHttpHandlerOptions extends McpEndpointOptions {
  /**
   * Makes a server with the toolsets bound: called for every request (stateless) or every new
   * session (stateful), so keep it cheap: pass `bindToolsets` the definitions `registerToolsets`
   * returned, which are compiled once.
   */
  readonly server: ServerFactory;
  /**
   * `'stateless'` (default): a server and transport per request; nothing is shared between
   * callers and instances scale out freely; GET and DELETE answer 405. `'stateful'`: sessions
   * (`Mcp-Session-Id`) in memory, each bound to the caller that opened it, with the server's
   * SSE stream on GET and session termination on DELETE.
   */
  readonly mode?: 'stateless' | 'stateful';
  /** Answer with one JSON body instead of an SSE stream (the transport's option). Default false. */
  readonly enableJsonResponse?: boolean;
}

const PARSE_ERROR = -32700;
const SERVER_ERROR = -32000;

/**
 * The MCP Streamable HTTP endpoint of a resource, with Valet in front of the SDK: RFC 9728
 * metadata at the well-known paths; on the endpoint, the bearer token verified (401 with a
 * challenge pointing at the metadata), the JSON-RPC body read (size-limited; `Mcp-Method` /
 * `Mcp-Name` checked against it), and every `tools/call`, `resources/read` and `prompts/get`
 * (each one of a batch) authorized before the SDK sees it: a refusal is an HTTP 403
 * `insufficient_scope` naming every scope needed, the MCP step-up flow. Allowed requests reach
 * the SDK's transport with `req.auth`, so bound handlers see the principal.
 *
 * @example
 * ```ts
 * const handler = createMcpHttpHandler({
 *   valet,
 *   server: () => bindToolsets(new McpServer({ name: 'files', version: '1.0.0' }), { toolsets, valet }),
 * });
 * createServer(handler).listen(3000);          // or app.use(handler) in Express
 * ```
 */
export function createMcpHttpHandler(options: McpHttpHandlerOptions): McpHttpHandler {
  const endpoint = mcpEndpoint(options, 'createMcpHttpHandler()');
  const mode = options.mode ?? 'stateless';
  if (mode !== 'stateless' && mode !== 'stateful') {
    throw new OptionsError('mode', 'mode must be "stateless" or "stateful".');
  }
  const dispatcher: Dispatcher = (mode === 'stateful' ? statefulDispatcher : statelessDispatcher)({
    factory: options.server,
    enableJsonResponse: options.enableJsonResponse === true,
    valet: options.valet,
    idleMs: positiveInteger(options.sessionIdleTimeout, 1800, 'sessionIdleTimeout') * 1000,
    maxSessions: positiveInteger(options.maxSessions, 10_000, 'maxSessions'),
  });
  const allow = mode === 'stateful' ? 'GET, POST, DELETE, OPTIONS' : 'POST, OPTIONS';
  const operationsOf = callOperations(options.valet);

  const post = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const body = await endpoint.body(req, res);
    if (body === REFUSED) return;
    const read = readMessage(req, body);
    if (!read.ok) {
      // The caller is authenticated before hearing what is wrong with its message.
      const text = body.kind === 'text' ? body.text : undefined;
      if ((await endpoint.admit(req, res, { body: text })) !== REFUSED) {
        sendJsonRpcError(res, read.status, read.code, read.message);
      }
      return;
    }
    const principal = await endpoint.admit(req, res, { operations: operationsOf(read.calls) });
    if (principal !== REFUSED) await dispatcher.post(req, res, principal, read.message, read.initialize);
  };

  const handler = endpoint.handler(async (req, res) => {
    switch (req.method) {
      case 'POST':
        return post(req, res);
      case 'GET':
      case 'DELETE':
        if (mode === 'stateful') {
          const principal = await endpoint.admit(req, res, {});
          if (principal !== REFUSED) await dispatcher.session(req, res, principal);
          return;
        }
        break;
    }
    // A preflight and a method the endpoint does not serve need no caller, but a page whose
    // Origin is not allowed learns nothing from them either (and a token sent is still checked).
    if ((await endpoint.admit(req, res, { optional: true })) === REFUSED) return;
    if (req.method === 'OPTIONS') return send(res, 204, { allow });
    sendJsonRpcError(res, 405, SERVER_ERROR, `Method not allowed: the MCP endpoint takes ${allow}.`, {
      allow,
    });
  });
  return Object.defineProperties(handler, {
    path: { value: endpoint.path, enumerable: true },
    sessions: { get: () => dispatcher.sessions, enumerable: true },
    close: { value: () => dispatcher.close() },
  }) as McpHttpHandler;
}

type ReadMessage =
  | {
      readonly ok: true;
      readonly message: unknown;
      readonly calls: readonly CheckedCall[];
      readonly initialize: boolean;
    }
  | { readonly ok: false; readonly status: number; readonly code: number; readonly message: string };

/** The JSON-RPC message of a POST body, with the calls to authorize; or the error to answer with. */
function readMessage(req: IncomingMessage, body: Exclude<RequestBody, { kind: 'too-large' }>): ReadMessage {
  if (body.kind === 'text' && !isJsonContentType(req.headers['content-type'])) {
    const message = 'Unsupported Media Type: send the JSON-RPC message as application/json.';
    return { ok: false, status: 415, code: SERVER_ERROR, message };
  }
  let message: unknown;
  try {
    message = body.kind === 'parsed' ? body.value : JSON.parse(body.text);
  } catch {
    return { ok: false, status: 400, code: PARSE_ERROR, message: 'Parse error: the body is not valid JSON.' };
  }
  const inspection = inspectMessages(message, {
    method: req.headersDistinct['mcp-method'],
    name: req.headersDistinct['mcp-name'],
  });
  if (!inspection.ok) return { ok: false, status: 400, code: inspection.code, message: inspection.message };
  return { ok: true, message, calls: inspection.calls, initialize: inspection.initialize };
}
