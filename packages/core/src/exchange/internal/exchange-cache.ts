import { createHash } from 'node:crypto';
import type { StateStore } from '../../state/state-store.js';
import type { ExchangeRequest, ExchangedToken } from '../token-exchanger.js';

/** The most a cached token's life is cut short by, in milliseconds. */
const MAX_MARGIN_MS = 30_000;

/** What is stored: the token, and until when it is handed out. */
interface Entry {
  readonly accessToken: string;
  readonly tokenType: string;
  readonly expiresAt: number;
  readonly scopes: readonly string[];
  readonly freshUntil: number;
}

/**
 * Exchanged tokens in a {@link StateStore}, per caller token, audience and scopes (sorted, without
 * repeats), filed under `valet:exchange:<SHA-256>` of those and of `partition` (the authorization
 * server and client): the caller's token is never stored, only the downstream token. An entry is
 * handed out until its expiry minus a margin (10% of its lifetime, at most 30 s), never after.
 * Concurrent requests for one key in this process share one exchange. The store is a shortcut
 * only: when it fails, the exchange is made, as without it.
 */
export class ExchangeCache {
  readonly #store: StateStore;
  readonly #partition: string;
  readonly #clock: () => number;
  readonly #running = new Map<string, Promise<ExchangedToken>>();

  constructor(store: StateStore, partition: string, clock: () => number) {
    this.#store = store;
    this.#partition = partition;
    this.#clock = clock;
  }

  /** The cached token for `request`, else the one `exchange` gets (stored for the next caller). */
  get(request: ExchangeRequest, exchange: () => Promise<ExchangedToken>): Promise<ExchangedToken> {
    const key = this.#key(request);
    const running = this.#running.get(key);
    if (running !== undefined) return running;
    const next = this.#lookUp(key, exchange).finally(() => this.#running.delete(key));
    this.#running.set(key, next);
    return next;
  }

  async #lookUp(key: string, exchange: () => Promise<ExchangedToken>): Promise<ExchangedToken> {
    const cached = await this.#read(key);
    if (cached !== undefined) return cached;
    const token = await exchange();
    this.#write(key, token);
    return token;
  }

  async #read(key: string): Promise<ExchangedToken | undefined> {
    let entry: Partial<Entry>;
    try {
      const text = await this.#store.get(key);
      if (text === undefined) return undefined;
      entry = JSON.parse(text) as Partial<Entry>;
    } catch {
      return undefined;
    }
    const { accessToken, tokenType, expiresAt, scopes, freshUntil } = entry;
    if (
      typeof accessToken !== 'string' ||
      typeof tokenType !== 'string' ||
      typeof expiresAt !== 'number' ||
      typeof freshUntil !== 'number' ||
      !Array.isArray(scopes) ||
      !scopes.every((scope) => typeof scope === 'string') ||
      // The store's clock may differ from ours (Redis): ours has the last word.
      !(this.#clock() < Math.min(freshUntil, expiresAt))
    ) {
      return undefined;
    }
    return Object.freeze({ accessToken, tokenType, expiresAt, scopes: Object.freeze([...scopes]) });
  }

  /** Stores `token` in the background, for its life minus the margin; not at all if that is over. */
  #write(key: string, token: ExchangedToken): void {
    const now = this.#clock();
    const life = token.expiresAt - now;
    const ttlMs = Math.floor(life - Math.min(MAX_MARGIN_MS, life / 10));
    if (!(ttlMs > 0)) return;
    const entry: Entry = { ...token, freshUntil: now + ttlMs };
    Promise.resolve()
      .then(() => this.#store.set(key, JSON.stringify(entry), ttlMs))
      .catch(() => undefined);
  }

  #key(request: ExchangeRequest): string {
    const scopes = [...new Set(request.scopes)].sort();
    const digest = createHash('sha256')
      .update(JSON.stringify([this.#partition, request.subjectToken, request.audience, scopes]))
      .digest('base64url');
    return `valet:exchange:${digest}`;
  }
}
