const FIRST_BACKOFF_MS = 500;

/**
 * A value loaded from the network (an issuer's metadata, a key set): one load at a time, shared
 * by every caller; after failures an exponential backoff (500 ms, doubling) capped at
 * `maxBackoffMs`, so a recovered server is noticed within that. The last good value stays
 * readable while later loads fail.
 */
export class Refresher<T> {
  readonly #load: () => Promise<T>;
  readonly #maxBackoffMs: number;
  #value: T | undefined;
  #loadedAt = -Infinity;
  #failures = 0;
  #lastError: unknown;
  #nextStart = 0;
  #running: Promise<boolean> | undefined;

  constructor(load: () => Promise<T>, maxBackoffMs: number) {
    this.#load = load;
    this.#maxBackoffMs = maxBackoffMs;
  }

  /** The last value loaded, if any. */
  get value(): T | undefined {
    return this.#value;
  }

  /** When the last successful load ended (`-Infinity` before one). */
  get loadedAt(): number {
    return this.#loadedAt;
  }

  /** True while the last load failed. */
  get failing(): boolean {
    return this.#failures > 0;
  }

  /** The last load's error while {@link failing}. */
  get lastError(): unknown {
    return this.#lastError;
  }

  /** True while a load is under way. */
  get running(): boolean {
    return this.#running !== undefined;
  }

  /** Milliseconds until a load may start again (0 when one may start now). */
  waitMs(now: number): number {
    return Math.max(0, this.#nextStart - now);
  }

  /**
   * The load under way, or a new one unless failures have it backing off (then `undefined`).
   * The promise never rejects: it resolves `true` when the load succeeded.
   */
  refresh(now: number): Promise<boolean> | undefined {
    if (this.#running !== undefined) return this.#running;
    if (now < this.#nextStart) return undefined;
    // `.then` runs after the assignment below, even when the load fails at once.
    const running = this.#attempt().then((ok) => {
      this.#running = undefined;
      return ok;
    });
    this.#running = running;
    return running;
  }

  async #attempt(): Promise<boolean> {
    try {
      this.#value = await this.#load();
      this.#loadedAt = Date.now();
      this.#failures = 0;
      this.#lastError = undefined;
      this.#nextStart = 0;
      return true;
    } catch (error) {
      this.#failures++;
      this.#lastError = error;
      const backoff = Math.min(FIRST_BACKOFF_MS * 2 ** (this.#failures - 1), this.#maxBackoffMs);
      this.#nextStart = Date.now() + backoff;
      return false;
    }
  }
}

/**
 * `promise`'s value, or `undefined` once `deadline` (milliseconds since the epoch) has passed;
 * the promise itself runs on.
 */
export async function beforeDeadline<T>(promise: Promise<T>, deadline: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<undefined>((resolve) => {
    timer = setTimeout(resolve, Math.max(0, deadline - Date.now()), undefined);
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}
