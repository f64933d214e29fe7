/**
 * The tokens the soak sends, by kind, and the check that none of them comes back: every kind is
 * either a JWT from the test issuer (it starts `eyJ`, the base64url of `{"`) or a garbage string
 * with a marker, so one pattern finds any of them in a response or a log line.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { TestIssuer } from '@valet/testing';
import { CACHE_ENTRIES, RESOURCE } from './servers.js';

/** What a request carries, and what it should get. */
export type Kind =
  'hit' | 'miss' | 'warm' | 'garbage' | 'expired' | 'wrongAudience' | 'madeUpKid' | 'refused' | 'missing';

/** Requests per 100 of each kind ('warm' takes the place of 'hit' until a server is warm). */
export const MIX: readonly (readonly [Kind, number])[] = [
  ['hit', 50],
  ['miss', 10],
  ['garbage', 6],
  ['expired', 6],
  ['wrongAudience', 6],
  ['madeUpKid', 8],
  ['refused', 8],
  ['missing', 6],
];

/** The good kinds: a valid token with the scope, answered 2xx unless the IdP is at fault. */
export const GOOD: ReadonlySet<Kind> = new Set(['hit', 'miss', 'warm']);

/** The status each kind should get when the IdP is up. */
export function expectedStatus(kind: Kind): number {
  return GOOD.has(kind) ? 200 : kind === 'refused' ? 403 : 401;
}

const GARBAGE_MARK = 'g4rb4ge';
/** Any token the soak sends: a JWS (header, payload) or a garbage string. */
const TOKEN_PATTERN = new RegExp(`eyJ[A-Za-z0-9_-]{8,}\\.[A-Za-z0-9_-]{8,}|${GARBAGE_MARK}`);

/** True when `text` contains something the soak sent as a token. */
export function containsToken(text: string): boolean {
  return TOKEN_PATTERN.test(text);
}

const FRESH_TARGET = 256;
const POOL = 16;

/** A token taken for one request, and the key it was signed with. */
export interface Sent {
  readonly token: string | undefined;
  readonly kid: string | undefined;
}

/**
 * Small pools of every kind made up front, reused round robin, and fresh good tokens minted in
 * the background (misses), each used once, signed with whatever key the issuer signs with now.
 * Warming: as many distinct good tokens as a server's cache holds, made up front and sent to each
 * server once, in place of its first hits, so that its cache is full by the end of warm-up (the
 * misses alone fill it too slowly) and the memory measured after warm-up is the steady state's.
 */
export class Tokens {
  readonly #issuer: TestIssuer;
  readonly #pools = new Map<Kind, string[]>();
  readonly #next = new Map<Kind, number>();
  readonly #fresh: Sent[] = [];
  #warming: string[] = [];
  /** How many of the warming tokens each server has been sent. */
  readonly #warmed = new Map<string, number>();
  #minting = false;
  /** Fresh tokens minted so far. */
  minted = 0;

  private constructor(issuer: TestIssuer) {
    this.#issuer = issuer;
  }

  /** Makes the pools for `seconds` of soak. */
  static async create(issuer: TestIssuer, seconds: number): Promise<Tokens> {
    const tokens = new Tokens(issuer);
    const expiresIn = seconds + 600;
    const times = (n: number, make: (i: number) => Promise<string> | string) =>
      Promise.all(Array.from({ length: n }, (_, i) => make(i)));
    const now = Math.floor(Date.now() / 1000);
    const claims = JSON.stringify({
      iss: issuer.url,
      sub: 'u',
      aud: RESOURCE,
      iat: now,
      exp: now + expiresIn,
    });
    tokens.#pools.set('hit', await times(POOL, () => issuer.mint({ scopes: ['files:read'], expiresIn })));
    tokens.#warming = await times(CACHE_ENTRIES, () => issuer.mint({ scopes: ['files:read'], expiresIn }));
    tokens.#pools.set('refused', await times(POOL, () => issuer.mint({ scopes: ['other:read'], expiresIn })));
    tokens.#pools.set('expired', await times(POOL, () => issuer.expired({ scopes: ['files:read'] })));
    tokens.#pools.set(
      'wrongAudience',
      await times(POOL, () => issuer.wrongAudience({ scopes: ['files:read'] })),
    );
    // Signed by the issuer's key under a kid no JWKS has: each one asks for a key lookup.
    tokens.#pools.set(
      'madeUpKid',
      await times(256, () => issuer.signRaw(claims, { kid: `made-up-${randomUUID()}` })),
    );
    tokens.#pools.set(
      'garbage',
      await times(64, (i) => `${GARBAGE_MARK}${i}.${randomBytes(24).toString('base64url')}`),
    );
    return tokens;
  }

  /**
   * The token for a request of `kind` to `target`; a hit is a warming token until the target has
   * been sent every one, a miss falls back to a hit when no fresh token is ready.
   */
  take(kind: Kind, target: string): { kind: Kind; sent: Sent } {
    if (kind === 'missing') return { kind, sent: { token: undefined, kid: undefined } };
    if (kind === 'miss') {
      // Fresh means signed with the key the issuer signs with now: older ones are dropped.
      while (this.#fresh.length > 0 && this.#fresh[0]!.kid !== this.#issuer.kid) this.#fresh.shift();
      const fresh = this.#fresh.shift();
      if (fresh !== undefined) return { kind, sent: fresh };
      kind = 'hit';
    }
    const warmed = this.#warmed.get(target) ?? 0;
    if (kind === 'hit' && warmed < this.#warming.length) {
      this.#warmed.set(target, warmed + 1);
      return { kind: 'warm', sent: { token: this.#warming[warmed], kid: undefined } };
    }
    const pool = this.#pools.get(kind)!;
    const i = this.#next.get(kind) ?? 0;
    this.#next.set(kind, (i + 1) % pool.length);
    return { kind, sent: { token: pool[i], kid: undefined } };
  }

  /** Mints fresh good tokens until `running()` says stop, keeping a few hundred ready. */
  async mintWhile(running: () => boolean): Promise<void> {
    if (this.#minting) return;
    this.#minting = true;
    while (running()) {
      if (this.#fresh.length >= FRESH_TARGET) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        continue;
      }
      const kid = this.#issuer.kid;
      const token = await this.#issuer.mint({ scopes: ['files:read'] });
      this.#fresh.push({ token, kid });
      this.minted++;
    }
    this.#minting = false;
  }
}
