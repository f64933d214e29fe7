import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Valet } from '@valet/core';
import type { TokenExchanger } from '../internal/downstream-grants.js';

/** The options every MCP endpoint takes, on SDK v1 and SDK v2: `createMcpHttpHandler` adds its SDK's `server` and mode. */
export interface McpEndpointOptions {
  /** The shared flow: origin and token checks, policies, challenges, metadata. */
  readonly valet: Valet;
  /** The MCP endpoint's path. Default: the path of `valet.resource`. */
  readonly path?: string;
  /**
   * When true, a request without credentials goes on as anonymous: it can discover or
   * initialize, list and call public operations; anything else is a 401 naming the scopes it
   * needs. Default false: every request needs a token, so clients start their OAuth flow at the
   * first 401.
   */
  readonly allowAnonymous?: boolean;
  /** Largest accepted request body, in bytes. Default 1 MiB. */
  readonly maxBodyBytes?: number;
  /** Stateful: seconds a session may stay unused before it is closed. Default 1800. */
  readonly sessionIdleTimeout?: number;
  /** Stateful: most sessions open at once; more get 503 with `Retry-After`. Default 10 000. */
  readonly maxSessions?: number;
  /**
   * Obtains the downstream tokens of operations declared with `@Downstream`, exchanging the
   * caller's token (RFC 8693) once a call is admitted and before the SDK runs: a refusal for want
   * of consent or scope is answered 403 `insufficient_scope` naming the step-up scope, an
   * unreachable IdP 503, any other refusal a tool error. Required when an operation declares
   * `@Downstream`.
   */
  readonly exchanger?: TokenExchanger;
  /** Receives unexpected errors (the client gets a 500 without details). */
  readonly onError?: (error: unknown) => void;
}

/** A Node request handler for an MCP endpoint; with `next`, it also works as Express/Connect middleware. */
export interface McpHttpHandler {
  (req: IncomingMessage, res: ServerResponse, next?: (error?: unknown) => void): Promise<void>;
  /** The MCP endpoint's path. */
  readonly path: string;
  /** Open sessions (stateful mode). */
  readonly sessions: number;
  /** Closes every open session (on SDK v2, also the 2026-07-28 exchanges in flight). */
  close(): Promise<void>;
}
