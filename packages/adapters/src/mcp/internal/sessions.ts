import type { Principal } from '@valet/core';
import type { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';

/** A live stateful MCP session: its transport, its server, and who started it. */
export interface Session {
  readonly transport: StreamableHTTPServerTransport;
  readonly close: () => Promise<void>;
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
    await Promise.allSettled(sessions.map((session) => session.close()));
  }

  #drop(id: string, session: Session): void {
    this.#sessions.delete(id);
    void session.close().catch(() => undefined);
  }
}
