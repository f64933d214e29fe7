import type { IncomingMessage, ServerResponse } from 'node:http';
import { ForbiddenError, type Principal, type Valet } from '@valet/core';
import { sendRefusal } from '../../internal/send.js';
import { sendJsonRpcError } from './http-replies.js';

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

/** The session options of an SDK's Streamable HTTP server transport (v1's and v2's alike). */
export interface SessionHooks {
  readonly sessionIdGenerator: () => string;
  readonly onsessioninitialized: (id: string) => void;
  readonly onsessionclosed: (id: string) => void;
  /** The transport's `onclose`: set before the server connects, which chains its own after it. */
  readonly onclose: () => void;
}

/** A session's server, connected to its transport: how a request reaches it, and how it ends. */
export interface SessionConnection {
  handle(
    req: IncomingMessage,
    res: ServerResponse,
    principal: Principal | null,
    body?: unknown,
  ): Promise<void>;
  close(): Promise<void>;
}

/** Options of {@link sessionDispatcher}. */
export interface SessionDispatchOptions {
  readonly valet: Valet;
  readonly idleMs: number;
  readonly maxSessions: number;
  /** A fresh server connected to a sessionful transport made with `hooks`, for `principal`'s session. */
  readonly connect: (hooks: SessionHooks, principal: Principal | null) => Promise<SessionConnection>;
}

/** A live stateful MCP session: its server and transport, and who started it. */
export interface Session {
  readonly connection: SessionConnection;
  /** {@link callerKey} of the principal that sent `initialize`. */
  readonly owner: string;
  lastSeen: number;
}

/**
 * Who a session belongs to: issuer, subject and client of the principal (or anonymous). A
 * session id alone is a bearer secret that leaks easily (logs, proxies); binding it to the
 * caller means a stolen id is useless without that caller's token.
 */
export function callerKey(principal: Principal | null): string {
  return principal === null
    ? 'anonymous'
    : JSON.stringify([principal.issuer ?? null, principal.subject ?? null, principal.clientId ?? null]);
}

/** The live sessions, each dropped when it ends, is deleted, or stays idle too long. */
export class SessionStore {
  readonly #sessions = new Map<string, Session>();
  readonly #idleMs: number;
  readonly #max: number;
  #nextSweep = 0;

  constructor(idleMs: number, max: number) {
    this.#idleMs = idleMs;
    this.#max = max;
  }

  get size(): number {
    return this.#sessions.size;
  }

  /** False when the store is full (after dropping idle sessions). */
  hasRoom(now: number): boolean {
    this.sweep(now);
    return this.#sessions.size < this.#max;
  }

  add(id: string, session: Session): void {
    this.#sessions.set(id, session);
  }

  /** The session, touched; `undefined` when unknown or idle past the limit (then closed). */
  get(id: string, now: number): Session | undefined {
    this.sweep(now);
    const session = this.#sessions.get(id);
    if (session === undefined) return undefined;
    if (now - session.lastSeen > this.#idleMs) {
      this.#drop(id, session);
      return undefined;
    }
    session.lastSeen = now;
    return session;
  }

  delete(id: string): void {
    this.#sessions.delete(id);
  }

  /** Closes idle sessions; runs at most every few seconds, so a request pays for it rarely. */
  sweep(now: number): void {
    if (now < this.#nextSweep) return;
    this.#nextSweep = now + Math.min(this.#idleMs, 10_000);
    for (const [id, session] of this.#sessions) {
      if (now - session.lastSeen > this.#idleMs) this.#drop(id, session);
    }
  }

  async closeAll(): Promise<void> {
    const sessions = [...this.#sessions.values()];
    this.#sessions.clear();
    await Promise.allSettled(sessions.map((session) => session.connection.close()));
  }

  #drop(id: string, session: Session): void {
    this.#sessions.delete(id);
    void session.connection.close().catch(() => undefined);
  }
}

/**
 * Sessions kept in memory, each bound to the caller that opened it (issuer, subject, client):
 * another caller presenting the session id gets 403, an unknown or expired id 404 (the client
 * then starts a new session, as the MCP transport specifies). The token is verified on every
 * request, so an expired token on a live session is a 401 like anywhere else. The SDK's
 * transport (`connect`) is all that differs between the SDK v1 and v2 bindings.
 */
export function sessionDispatcher(options: SessionDispatchOptions): Dispatcher {
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
    let opened: string | undefined;
    const connection: SessionConnection = await options.connect(
      {
        // Web Crypto's global, not node:crypto: the SDK v2 binding loads no Node-only module.
        sessionIdGenerator: () => crypto.randomUUID(),
        onsessioninitialized: (id) => {
          opened = id;
          store.add(id, { connection, owner: callerKey(principal), lastSeen: Date.now() });
        },
        onsessionclosed: (id) => store.delete(id),
        onclose: () => {
          if (opened !== undefined) store.delete(opened);
        },
      },
      principal,
    );
    await connection.handle(req, res, principal, body);
  };

  return {
    async post(req, res, principal, body, initialize) {
      if (initialize && req.headers['mcp-session-id'] === undefined) return open(req, res, principal, body);
      const session = lookup(req, res, principal);
      if (session !== undefined) await session.connection.handle(req, res, principal, body);
    },
    async session(req, res, principal) {
      const session = lookup(req, res, principal);
      if (session !== undefined) await session.connection.handle(req, res, principal);
    },
    get sessions() {
      return store.size;
    },
    close: () => store.closeAll(),
  };
}
