import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ForbiddenError, type Principal, type Valet } from '@valet/core';
import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { sendRefusal } from '../../internal/send.js';
import { authInfoOf } from './auth-info.js';
import { sendJsonRpcError } from './http-replies.js';
import { SessionStore, callerKey } from './sessions.js';

/** Makes a server with the toolsets bound, for one request (stateless) or one session (stateful). */
export type ServerFactory = () => McpServer | Server | Promise<McpServer | Server>;

/** Hands authorized requests to the SDK's transport. */
export interface Dispatcher {
  /** A POST whose calls are all authorized; `initialize`: it opens a session. */
  post(
    req: IncomingMessage,
    res: ServerResponse,
    principal: Principal | null,
    body: unknown,
    initialize: boolean,
  ): Promise<void>;
  /** GET (the session's SSE stream) or DELETE (end the session); stateful only. */
  session(req: IncomingMessage, res: ServerResponse, principal: Principal | null): Promise<void>;
  readonly sessions: number;
  close(): Promise<void>;
}

export interface DispatchOptions {
  readonly factory: ServerFactory;
  readonly enableJsonResponse: boolean;
  readonly valet: Valet;
  readonly idleMs: number;
  readonly maxSessions: number;
}

type AuthedRequest = IncomingMessage & { auth?: AuthInfo };

/**
 * Carries the principal to the SDK: `extra.authInfo` of every handler, from which
 * `principalFromAuthInfo` gets it back whole. Whatever an earlier middleware left in `req.auth` is replaced, so an
 * anonymous request reaches the handlers as anonymous.
 */
function withAuth(req: IncomingMessage, principal: Principal | null): AuthedRequest {
  const authed = req as AuthedRequest;
  authed.auth = principal === null ? undefined : authInfoOf(principal);
  return authed;
}

/**
 * A fresh server and transport for every request: nothing is shared between callers, and any
 * number of instances can run behind a load balancer. GET and DELETE are not offered (405).
 */
export function statelessDispatcher(options: DispatchOptions): Dispatcher {
  return {
    async post(req, res, principal, body) {
      const server = await options.factory();
      const transport = new StreamableHTTPServerTransport({
        sessionIdGenerator: undefined,
        enableJsonResponse: options.enableJsonResponse,
      });
      res.once('close', () => void server.close().catch(() => undefined));
      await server.connect(transport);
      await transport.handleRequest(withAuth(req, principal), res, body);
    },
    session: () => Promise.reject(new Error('A stateless MCP handler has no sessions.')),
    sessions: 0,
    close: () => Promise.resolve(),
  };
}

/**
 * Sessions kept in memory, each bound to the caller that opened it (issuer, subject, client):
 * another caller presenting the session id gets 403, an unknown or expired id 404 (the client
 * then starts a new session, as the MCP transport specifies). The token is verified on every
 * request, so an expired token on a live session is a 401 like anywhere else.
 */
export function statefulDispatcher(options: DispatchOptions): Dispatcher {
  const store = new SessionStore(options.idleMs, options.maxSessions);

  const lookup = (req: IncomingMessage, res: ServerResponse, principal: Principal | null) => {
    const id = req.headers['mcp-session-id'];
    if (typeof id !== 'string' || id === '') {
      sendJsonRpcError(res, 400, -32000, 'Bad Request: Mcp-Session-Id header is required.');
      return undefined;
    }
    const session = store.get(id, Date.now());
    if (session === undefined) {
      sendJsonRpcError(res, 404, -32001, 'Session not found: start a new session with initialize.');
      return undefined;
    }
    if (session.owner !== callerKey(principal)) {
      const refusal = new ForbiddenError(
        'This MCP session was started by another caller; start your own session with initialize.',
      );
      sendRefusal(res, options.valet.errorResponse(refusal)!);
      return undefined;
    }
    return session;
  };

  const open = async (
    req: IncomingMessage,
    res: ServerResponse,
    principal: Principal | null,
    body: unknown,
  ) => {
    if (!store.hasRoom(Date.now())) {
      sendJsonRpcError(res, 503, -32000, 'Too many open sessions; try again later.', { 'retry-after': '60' });
      return;
    }
    const server = await options.factory();
    const close = () => server.close();
    const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
      sessionIdGenerator: randomUUID,
      enableJsonResponse: options.enableJsonResponse,
      onsessioninitialized: (id) =>
        store.add(id, { transport, close, owner: callerKey(principal), lastSeen: Date.now() }),
      onsessionclosed: (id) => store.delete(id),
    });
    transport.onclose = () => {
      if (transport.sessionId !== undefined) store.delete(transport.sessionId);
    };
    await server.connect(transport);
    await transport.handleRequest(withAuth(req, principal), res, body);
  };

  return {
    async post(req, res, principal, body, initialize) {
      if (initialize && req.headers['mcp-session-id'] === undefined) return open(req, res, principal, body);
      const session = lookup(req, res, principal);
      if (session !== undefined) await session.transport.handleRequest(withAuth(req, principal), res, body);
    },
    async session(req, res, principal) {
      const session = lookup(req, res, principal);
      if (session !== undefined) await session.transport.handleRequest(withAuth(req, principal), res);
    },
    get sessions() {
      return store.size;
    },
    close: () => store.closeAll(),
  };
}
