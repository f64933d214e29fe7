import { createHash } from 'node:crypto';
import type { StateStore } from '../../state/state-store.js';

/** How long an inactive answer is shared at most, in seconds: a token may become active (`nbf`). */
const INACTIVE_TTL_SECONDS = 30;

/** An introspection response, and when the authorization server gave it. */
export interface Answer {
  /** The response body, as parsed. */
  readonly body: unknown;
  /** Milliseconds since the epoch, by the clock of the instance that asked. */
  readonly obtainedAt: number;
}

/**
 * Introspection answers kept in a {@link StateStore}, so that instances sharing it ask the
 * authorization server once per token per lifetime between them. Filed under the SHA-256 of the
 * endpoint and the token: the token itself is never stored. An active answer lives until its
 * `exp` or `maxTtlSeconds` after it was obtained, whichever is first; an inactive one at most
 * 30 s. The time it was obtained is stored with it, so that an instance reading it late caches it
 * only for what is left. The store is a shortcut only: when it fails, or holds something else,
 * the answer is asked of the authorization server, as without it.
 */
export class SharedAnswers {
  readonly #store: StateStore;
  readonly #endpoint: string;
  readonly #maxTtlMs: number;
  readonly #clock: () => number;

  constructor(store: StateStore, endpoint: string, maxTtlSeconds: number, clock: () => number) {
    this.#store = store;
    this.#endpoint = endpoint;
    this.#maxTtlMs = maxTtlSeconds * 1000;
    this.#clock = clock;
  }

  /** The answer stored for `token` while `maxTtlSeconds` from its `obtainedAt` last, or `undefined`. */
  async answer(token: string): Promise<Answer | undefined> {
    let stored: unknown;
    try {
      const text = await this.#store.get(this.#key(token));
      if (text === undefined) return undefined;
      stored = JSON.parse(text);
    } catch {
      return undefined;
    }
    if (stored === null || typeof stored !== 'object' || !('body' in stored)) return undefined;
    const { body, obtainedAt } = stored as { body: unknown; obtainedAt?: unknown };
    if (typeof obtainedAt !== 'number' || !Number.isFinite(obtainedAt)) return undefined;
    const now = this.#clock();
    // An instance whose clock runs ahead must not lend an answer more time than it had.
    const asked = Math.min(obtainedAt, now);
    return asked + this.#maxTtlMs > now ? { body, obtainedAt: asked } : undefined;
  }

  /**
   * Stores `answer` for `token`, when it is an answer worth sharing; never rejects (a store that
   * fails only costs the other instances a request). Awaited before the request is answered: a
   * store write is one round trip beside the introspection's, and the caller's next request, on
   * whichever instance, then finds the answer.
   */
  async remember(token: string, answer: Answer): Promise<void> {
    const ttlMs = this.#ttlMs(answer);
    if (ttlMs === undefined) return;
    const text = JSON.stringify({ obtainedAt: answer.obtainedAt, body: answer.body });
    await this.#store.set(this.#key(token), text, ttlMs).catch(() => undefined);
  }

  #ttlMs({ body, obtainedAt }: Answer): number | undefined {
    if (body === null || typeof body !== 'object' || Array.isArray(body)) return undefined;
    const { active, exp } = body as { active?: unknown; exp?: unknown };
    const now = this.#clock();
    let ttl = obtainedAt + this.#maxTtlMs - now;
    if (active === false) {
      ttl = Math.min(ttl, INACTIVE_TTL_SECONDS * 1000);
    } else if (active !== true) {
      return undefined;
    } else if (exp !== undefined) {
      if (typeof exp !== 'number' || !Number.isFinite(exp)) return undefined;
      ttl = Math.min(ttl, exp * 1000 - now);
    }
    return ttl > 0 ? ttl : undefined;
  }

  #key(token: string): string {
    const digest = createHash('sha256').update(this.#endpoint).update('\n').update(token).digest('base64url');
    return `valet:introspection:${digest}`;
  }
}
