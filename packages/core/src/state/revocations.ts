import { OptionsError, StateUnavailableError } from '../errors.js';
import { tokenFailure } from '../verify/jwt/jose-failure.js';
import type { Principal } from '../principal.js';
import type { StateStore } from './state-store.js';

/**
 * What to revoke: one token by its `jti`, or every token of a subject or of a client issued
 * until now (`iat` at or before the revocation; a token without `iat` counts as issued before).
 * Values are matched whatever the issuer.
 */
export type RevocationTarget =
  { readonly jti: string } | { readonly subject: string } | { readonly clientId: string };

/** Options of {@link Valet.revoke}. */
export interface RevokeOptions {
  /**
   * How long the revocation is kept, as a time (a `Date` or milliseconds since the epoch): set it
   * past the `exp` of the last token it must stop. Default 24 hours from now.
   */
  readonly until?: Date | number;
}

/** The channel every instance hears revocations on. */
const CHANNEL = 'valet:revocations';
const DEFAULT_KEEP_MS = 86_400_000;
/** The revocations one instance keeps in memory; past this, those closest to their end go first. */
const MAX_HEARD = 100_000;

interface Heard {
  /** When the revocation was made, in milliseconds since the epoch. */
  readonly at: number;
  /** When it ends. */
  readonly until: number;
}

/** `valet:revoked:<kind>:<value>`: the store key of a target. */
function keyOf(target: RevocationTarget): string {
  if (target !== null && typeof target === 'object') {
    if ('jti' in target && typeof target.jti === 'string' && target.jti !== '')
      return `valet:revoked:jti:${target.jti}`;
    if ('subject' in target && typeof target.subject === 'string' && target.subject !== '') {
      return `valet:revoked:sub:${target.subject}`;
    }
    if ('clientId' in target && typeof target.clientId === 'string' && target.clientId !== '') {
      return `valet:revoked:client:${target.clientId}`;
    }
  }
  throw new OptionsError(
    'target',
    'revoke() takes { jti }, { subject } or { clientId }, a non-empty string.',
  );
}

/** The store keys that could revoke `principal`. */
function keysOf(principal: Principal): string[] {
  const keys: string[] = [];
  const jti = principal.claims['jti'];
  if (typeof jti === 'string') keys.push(`valet:revoked:jti:${jti}`);
  if (principal.subject !== undefined) keys.push(`valet:revoked:sub:${principal.subject}`);
  if (principal.clientId !== undefined) keys.push(`valet:revoked:client:${principal.clientId}`);
  return keys;
}

/** Runs a store call; its failure becomes a 503 that names what was being done. */
async function stored<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (cause) {
    throw new StateUnavailableError(`The state store failed while ${what}.`, { cause });
  }
}

/**
 * Revocations shared through a {@link StateStore}: each is written to the store (so an instance
 * that starts later finds it) and published (so every running instance hears it at once and
 * refuses the token from its own cache too). A token seen for the first time is looked up in the
 * store; a cached one is checked against what this instance has heard, in memory.
 */
export class Revocations {
  readonly #store: StateStore;
  readonly #heard = new Map<string, Heard>();
  readonly #subscription: Promise<() => Promise<void>>;

  constructor(store: StateStore) {
    this.#store = store;
    this.#subscription = store.subscribe(CHANNEL, (message) => this.#hear(message));
    // A store that cannot subscribe still serves lookups; the failure shows in `ready()`.
    this.#subscription.catch(() => undefined);
  }

  /** Resolves once this instance hears revocations published by others. */
  async ready(): Promise<void> {
    await this.#subscription;
  }

  /** Stops hearing revocations. */
  async close(): Promise<void> {
    await (
      await this.#subscription
    )();
  }

  /** Records a revocation in the store and tells every instance. */
  async revoke(target: RevocationTarget, options: RevokeOptions = {}): Promise<void> {
    const key = keyOf(target);
    const at = Date.now();
    const until = options.until === undefined ? at + DEFAULT_KEEP_MS : Number(options.until);
    if (!Number.isFinite(until) || until <= at) {
      throw new OptionsError(
        'until',
        'until must be a time in the future (a Date or milliseconds since the epoch).',
      );
    }
    await stored('recording a revocation', () =>
      this.#store.set(key, JSON.stringify({ at, until }), until - at),
    );
    this.#remember(key, { at, until });
    await stored('publishing a revocation', () =>
      this.#store.publish(CHANNEL, JSON.stringify({ key, at, until })),
    );
  }

  /**
   * Throws `InvalidTokenError` (`revoked`) when a revocation this instance has heard of covers
   * `principal`. Synchronous and free while none has been heard: it runs on cached requests.
   */
  checkHeard(principal: Principal): void {
    if (this.#heard.size === 0) return;
    const now = Date.now();
    for (const key of keysOf(principal)) {
      const heard = this.#heard.get(key);
      if (heard !== undefined && heard.until > now && covers(key, heard, principal))
        throw tokenFailure('revoked');
    }
  }

  /**
   * Rejects with `InvalidTokenError` (`revoked`) when the store holds a revocation covering
   * `principal`, and with `StateUnavailableError` (503) when the store fails: fail closed, since
   * a revoked token must not get in while the store is away.
   */
  async check(principal: Principal): Promise<void> {
    this.checkHeard(principal);
    const keys = keysOf(principal);
    const records = await stored('looking up revocations', () =>
      Promise.all(keys.map((key) => this.#store.get(key))),
    );
    records.forEach((record, i) => {
      const heard = record === undefined ? undefined : parseRecord(record);
      if (heard === undefined) return;
      this.#remember(keys[i]!, heard);
      if (covers(keys[i]!, heard, principal)) throw tokenFailure('revoked');
    });
  }

  #hear(message: string): void {
    const parsed = parseRecord(message) as (Heard & { key?: unknown }) | undefined;
    if (parsed !== undefined && typeof parsed.key === 'string' && parsed.key.startsWith('valet:revoked:')) {
      this.#remember(parsed.key, { at: parsed.at, until: parsed.until });
    }
  }

  #remember(key: string, heard: Heard): void {
    if (this.#heard.size >= MAX_HEARD && !this.#heard.has(key)) {
      const now = Date.now();
      for (const [old, entry] of this.#heard) if (entry.until <= now) this.#heard.delete(old);
      if (this.#heard.size >= MAX_HEARD) this.#heard.delete(this.#heard.keys().next().value!);
    }
    const known = this.#heard.get(key);
    // A later revocation of the same target covers more tokens and lasts at least as long.
    if (known === undefined || heard.at >= known.at) this.#heard.set(key, heard);
  }
}

/** A `jti` revocation covers its token; a subject or client one, tokens issued at or before it. */
function covers(key: string, heard: Heard, principal: Principal): boolean {
  if (key.startsWith('valet:revoked:jti:')) return true;
  const iat = principal.claims['iat'];
  return typeof iat !== 'number' || iat * 1000 <= heard.at;
}

function parseRecord(text: string): (Heard & Record<string, unknown>) | undefined {
  try {
    const value = JSON.parse(text) as Record<string, unknown>;
    if (typeof value['at'] === 'number' && typeof value['until'] === 'number') {
      return value as Heard & Record<string, unknown>;
    }
  } catch {
    // A message that is not ours: ignored.
  }
  return undefined;
}
