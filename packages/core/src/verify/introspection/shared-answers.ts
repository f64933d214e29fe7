import { createHash } from 'node:crypto';
import type { StateStore } from '../../state/state-store.js';

/** How long an inactive answer is shared at most, in seconds: a token may become active (`nbf`). */
const INACTIVE_TTL_SECONDS = 30;

/**
 * Introspection answers kept in a {@link StateStore}, so that instances sharing it ask the
 * authorization server once per token per lifetime between them. Filed under the SHA-256 of the
 * endpoint and the token: the token itself is never stored. An active answer lives until its
 * `exp` or `maxTtlSeconds`, whichever is first; an inactive one at most 30 s. The store is a
 * shortcut only: when it fails, the answer is asked of the authorization server, as without it.
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

  /** The answer stored for `token`, or `undefined` (none, or the store failed). */
  async answer(token: string): Promise<unknown> {
    try {
      const text = await this.#store.get(this.#key(token));
      return text === undefined ? undefined : (JSON.parse(text) as unknown);
    } catch {
      return undefined;
    }
  }

  /** Stores `body` for `token` in the background, when it is an answer worth sharing. */
  remember(token: string, body: unknown): void {
    const ttlMs = this.#ttlMs(body);
    if (ttlMs === undefined) return;
    this.#store.set(this.#key(token), JSON.stringify(body), ttlMs).catch(() => undefined);
  }

  #ttlMs(body: unknown): number | undefined {
    if (body === null || typeof body !== 'object' || Array.isArray(body)) return undefined;
    const { active, exp } = body as { active?: unknown; exp?: unknown };
    if (active === false) return Math.min(this.#maxTtlMs, INACTIVE_TTL_SECONDS * 1000);
    if (active !== true) return undefined;
    if (exp === undefined) return this.#maxTtlMs;
    if (typeof exp !== 'number' || !Number.isFinite(exp)) return undefined;
    const untilExp = exp * 1000 - this.#clock();
    return untilExp > 0 ? Math.min(this.#maxTtlMs, untilExp) : undefined;
  }

  #key(token: string): string {
    const digest = createHash('sha256').update(this.#endpoint).update('\n').update(token).digest('base64url');
    return `valet:introspection:${digest}`;
  }
}
