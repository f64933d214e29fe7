import type { IncomingMessage } from 'node:http';
import type { Principal, Valet } from '@valet/core';
import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { authInfoOf } from './auth-info.js';
import { passGrants } from '../../internal/downstream-grants.js';
import { sessionDispatcher, type Dispatcher } from './sessions.js';

export type { Dispatcher } from './sessions.js';

/** Makes a server with the toolsets bound, for one request (stateless) or one session (stateful). */
export type ServerFactory = () => McpServer | Server | Promise<McpServer | Server>;

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
  passGrants(req, authed.auth);
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
 * Sessions kept in memory, each bound to the caller that opened it ({@link sessionDispatcher}),
 * over the SDK v1 transport.
 */
export function statefulDispatcher(options: DispatchOptions): Dispatcher {
  return sessionDispatcher({
    ...options,
    async connect({ onclose, ...hooks }) {
      const server = await options.factory();
      const transport = new StreamableHTTPServerTransport({
        ...hooks,
        enableJsonResponse: options.enableJsonResponse,
      });
      transport.onclose = onclose;
      await server.connect(transport);
      return {
        handle: (req, res, principal, body) => transport.handleRequest(withAuth(req, principal), res, body),
        close: () => server.close(),
      };
    },
  });
}
