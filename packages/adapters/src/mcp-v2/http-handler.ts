import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  createMcpHandler,
  type McpServerFactory,
  type PerRequestResponseMode,
} from '@modelcontextprotocol/server';
import { toNodeHandler, type NodeIncomingMessageLike } from '@modelcontextprotocol/node';
import { callOperations } from '../mcp/internal/call-operations.js';
import { headerOperation } from '../mcp/internal/header-operation.js';
import type { McpEndpointOptions, McpHttpHandler } from '../mcp/endpoint-options.js';
import { REFUSED, mcpEndpoint } from '../mcp/internal/endpoint.js';
import { sendJsonRpcError } from '../mcp/internal/http-replies.js';
import { inspectMessages } from '../mcp/internal/jsonrpc-inspect.js';
import type { RequestBody } from '../mcp/internal/request-body.js';
import { markAdmitted } from './internal/admitted-requests.js';
import { isLegacyPost, legacySessions } from './internal/legacy-sessions.js';
import { withAuth } from './internal/with-auth.js';

/** Options of {@link createMcpHttpHandler}. */
export interface McpHttpHandlerOptions extends McpEndpointOptions {
  /**
   * Makes a server with the toolsets bound. The SDK calls it for every request, in both eras
   * (`ctx.era` says which), so keep it cheap: pass `bindToolsets` the definitions
   * `registerToolsets` returned, which are compiled once.
   */
  readonly server: McpServerFactory;
  /**
   * How 2025-era clients are served. `'stateless'` (default): as the SDK's `createMcpHandler`
   * does, a fresh server per request, no `Mcp-Session-Id`, `GET` or `DELETE`; instances scale out
   * freely. `'stateful'`: sessions (`Mcp-Session-Id`) in memory, each bound to the caller that
   * opened it (the factory is called once per session, with `era: 'legacy'` and the opener as
   * `authInfo`), with the session's SSE stream on `GET` and its end on `DELETE`. 2026-07-28
   * clients are served per request either way.
   */
  readonly mode?: 'stateless' | 'stateful';
  /**
   * How 2026-07-28 results are sent (the SDK's `responseMode`): `'auto'` (default) one JSON body
   * unless the handler sends notifications first, `'sse'` always a stream, `'json'` never.
   */
  readonly responseMode?: PerRequestResponseMode;
}

/**
 * The MCP Streamable HTTP endpoint of a resource on SDK v2, both protocol eras on one path, with
 * Valet in front of the SDK: RFC 9728 metadata at the well-known paths; on the endpoint, one
 * `valet.admit` per request (Origin and Host, then the bearer token: 401 with a challenge
 * pointing at the metadata), with every `tools/call`, `resources/read` and `prompts/get` of the
 * body (size-limited; `Mcp-Method` / `Mcp-Name` checked against it) as its operations: a refusal
 * is an HTTP 403 `insufficient_scope` naming every scope needed, the MCP step-up flow. Admitted
 * requests go to the SDK's `createMcpHandler`, which speaks the protocol: 2026-07-28 requests
 * (`server/discover`, per-request `_meta`, -32022 for an unsupported version) and 2025-era
 * `initialize` clients, served statelessly or (`mode: 'stateful'`) in sessions bound to their
 * caller. Bound handlers get the caller as `authInfo`.
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
  const { valet, onError } = options;
  const onerror = onError === undefined ? {} : { onerror: onError };
  const sessions = legacySessions(options, endpoint.maxBodyBytes);
  // With sessions, 2025-era requests go to them and the SDK's handler serves 2026-07-28 only.
  const sdk = createMcpHandler(options.server, {
    legacy: sessions === undefined ? 'stateless' : 'reject',
    maxRequestBodySize: endpoint.maxBodyBytes,
    ...onerror,
    ...(options.responseMode === undefined ? {} : { responseMode: options.responseMode }),
  });
  // The SDK's Node adapter builds the web request the SDK serves: marked here as admitted.
  const toSdk = toNodeHandler(
    { fetch: (request, init) => (markAdmitted(request), sdk.fetch(request, init)) },
    { maxRequestBodySize: endpoint.maxBodyBytes, ...onerror },
  );
  const operationsOf = callOperations(valet);
  const operationInHeaders = headerOperation(valet);

  const post = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    // A 2026-07-28 request names its operation in its headers: refused before its body is read
    // when that is enough to decide.
    const early = operationInHeaders(req);
    const admitted =
      early === undefined ? undefined : await endpoint.admit(req, res, { operations: [early] });
    if (admitted === REFUSED) return;
    const body = await endpoint.body(req, res);
    if (body === REFUSED) return;
    const message = parsedMessage(body);
    const inspection =
      message === undefined
        ? undefined
        : inspectMessages(message, {
            method: req.headersDistinct['mcp-method'],
            name: req.headersDistinct['mcp-name'],
          });
    const operations = inspection?.ok === true ? operationsOf(inspection.calls) : undefined;
    // The headers' operation is all the body does (it agrees with them, or inspection refused it).
    const settled = admitted !== undefined && operations?.length === 1 && operations[0]!.id === early!.id;
    const principal = settled
      ? admitted
      : await endpoint.admit(req, res, { body: body.kind === 'text' ? body.text : undefined, operations });
    if (principal === REFUSED) return;
    if (inspection?.ok === false) return sendJsonRpcError(res, 400, inspection.code, inspection.message);
    if (sessions !== undefined && message !== undefined && isLegacyPost(req, message)) {
      return sessions.post(req, res, principal, message, inspection?.initialize === true);
    }
    // What is not JSON goes to the SDK as sent, for its own answer (415, parse error).
    const forwarded = message === undefined && body.kind === 'text' ? replayed(req, body.text) : req;
    await toSdk(withAuth(forwarded, principal), res, message);
  };

  const handler = endpoint.handler(async (req, res) => {
    if (req.method === 'POST') return post(req, res);
    if (sessions !== undefined && (req.method === 'GET' || req.method === 'DELETE')) {
      const principal = await endpoint.admit(req, res, {});
      if (principal !== REFUSED) await sessions.session(req, res, principal);
      return;
    }
    // OPTIONS, ... (and GET, DELETE when stateless): the SDK answers, once the flow has seen the
    // request (a disallowed Origin learns nothing; a token sent is checked).
    const principal = await endpoint.admit(req, res, { optional: true });
    if (principal !== REFUSED) await toSdk(withAuth(req, principal), res);
  });
  return Object.defineProperties(handler, {
    path: { value: endpoint.path, enumerable: true },
    sessions: { get: () => sessions?.sessions ?? 0, enumerable: true },
    close: { value: async () => void (await Promise.all([sdk.close(), sessions?.close()])) },
  }) as McpHttpHandler;
}

/** The JSON value of a request body; `undefined` when it is not JSON. */
function parsedMessage(body: Exclude<RequestBody, { kind: 'too-large' }>): unknown {
  if (body.kind === 'parsed') return body.value;
  try {
    return JSON.parse(body.text);
  } catch {
    return undefined;
  }
}

/** `req` with the body already read from it, readable again by the SDK's Node adapter. */
function replayed(req: IncomingMessage, text: string): NodeIncomingMessageLike {
  return {
    method: req.method,
    url: req.url,
    headers: req.headers,
    async *[Symbol.asyncIterator]() {
      yield Buffer.from(text);
    },
  };
}
