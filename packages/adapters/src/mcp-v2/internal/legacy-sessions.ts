import type { IncomingMessage } from 'node:http';
import { OptionsError, type Valet } from '@valet/core';
import {
  WebStandardStreamableHTTPServerTransport,
  classifyInboundRequest,
  type McpServerFactory,
} from '@modelcontextprotocol/server';
import { toNodeHandler } from '@modelcontextprotocol/node';
import { authInfoOf } from '../../mcp/internal/auth-info.js';
import { positiveInteger } from '../../mcp/internal/positive-integer.js';
import { sessionDispatcher, type Dispatcher } from '../../mcp/internal/sessions.js';
import { markAdmitted } from './admitted-requests.js';
import { withAuth } from './with-auth.js';

/** What {@link legacySessions} reads of the handler's options. */
export interface LegacySessionOptions {
  readonly valet: Valet;
  readonly server: McpServerFactory;
  readonly mode?: 'stateless' | 'stateful';
  readonly sessionIdleTimeout?: number;
  readonly maxSessions?: number;
  readonly onError?: (error: unknown) => void;
}

/**
 * 2025-era sessions on SDK v2 (`mode: 'stateful'`), or `undefined` for stateless serving: the
 * session store and caller binding of the SDK v1 binding, over a sessionful
 * `WebStandardStreamableHTTPServerTransport` per session (the SDK's way to keep 2025 sessions
 * beside a `legacy: 'reject'` handler). Each session's server comes from the factory with
 * `era: 'legacy'` and the opener as `authInfo`.
 */
export function legacySessions(options: LegacySessionOptions, maxBodyBytes: number): Dispatcher | undefined {
  const mode = options.mode ?? 'stateless';
  if (mode !== 'stateless' && mode !== 'stateful') {
    throw new OptionsError('mode', 'mode must be "stateless" or "stateful".');
  }
  const idleMs = positiveInteger(options.sessionIdleTimeout, 1800, 'sessionIdleTimeout') * 1000;
  const maxSessions = positiveInteger(options.maxSessions, 10_000, 'maxSessions');
  if (mode === 'stateless') return undefined;
  const onerror = options.onError === undefined ? {} : { onerror: options.onError };
  return sessionDispatcher({
    valet: options.valet,
    idleMs,
    maxSessions,
    async connect({ onclose, ...hooks }, opener) {
      const server = await options.server({
        era: 'legacy',
        ...(opener === null ? {} : { authInfo: authInfoOf(opener) }),
      });
      const transport = new WebStandardStreamableHTTPServerTransport({
        ...hooks,
        maxRequestBodySize: maxBodyBytes,
      });
      transport.onclose = onclose;
      await server.connect(transport);
      // Marked as admitted like every request the handler hands the SDK.
      const node = toNodeHandler(
        { fetch: (request, init) => (markAdmitted(request), transport.handleRequest(request, init)) },
        { maxRequestBodySize: maxBodyBytes, ...onerror },
      );
      return {
        handle: (req, res, principal, body) => node(withAuth(req, principal), res, body),
        close: () => server.close(),
      };
    },
  });
}

/** True when the SDK routes this POST to 2025-era serving (the entry's own classification). */
export function isLegacyPost(req: IncomingMessage, message: unknown): boolean {
  const header = (name: string) => req.headersDistinct[name]?.[0];
  return (
    classifyInboundRequest({
      httpMethod: 'POST',
      protocolVersionHeader: header('mcp-protocol-version'),
      mcpMethodHeader: header('mcp-method'),
      mcpNameHeader: header('mcp-name'),
      body: message,
    }).kind === 'legacy'
  );
}
