import { PolicyConfigError } from '../errors.js';

/**
 * How often one caller may perform one operation: at most `limit` times in each fixed window of
 * `windowSeconds`. Made by {@link parseRateLimit} (and so by `rateLimited()` and `@RateLimit()`).
 */
export interface RateLimit {
  /** As written: `'60/m'`. */
  readonly spec: string;
  /** Calls allowed per window, at least 1. */
  readonly limit: number;
  /** The window's length in seconds, at least 1 and at most 366 days. */
  readonly windowSeconds: number;
  /**
   * The name of a limit several operations count against together (`'tools/call'`: every tool
   * call of a caller counts once against one limit); absent, each operation counts on its own.
   */
  readonly shared?: string;
}

const UNIT_SECONDS = { s: 1, m: 60, h: 3_600, d: 86_400 } as const;

/** `<count>/<unit>` or `<count>/<seconds>[unit]`; no zero, sign, fraction or space. */
const SPEC = /^([1-9][0-9]{0,8})\/(?:([smhd])|([1-9][0-9]{0,8})([smhd])?)$/;

/** A year and a day: longer windows are a mistake, and keep every window's milliseconds exact. */
const MAX_WINDOW_SECONDS = 366 * 86_400;

const RULE =
  'write "<count>/<window>": a count from 1, then a window of s, m, h or d, or a number of seconds with an optional unit ("60/m", "100/30s", "10/60", "1000/1h").';

/**
 * Parses a limit written as `<count>/<window>`: `'60/m'` (60 a minute), `'100/30s'`, `'1000/1h'`,
 * `'5000/d'`, or a bare number of seconds, `'10/60'` (what the `VALET_RATE_LIMIT` variable of the
 * examples takes). Throws {@link PolicyConfigError} naming the spec when it is not one.
 *
 * @example
 * ```ts
 * parseRateLimit('100/30s'); // { spec: '100/30s', limit: 100, windowSeconds: 30 }
 * parseRateLimit('10/60');   // { spec: '10/60', limit: 10, windowSeconds: 60 }
 * ```
 */
export function parseRateLimit(spec: string): RateLimit {
  const match = typeof spec === 'string' ? SPEC.exec(spec) : null;
  if (match === null) {
    throw new PolicyConfigError(`Rate limit ${shown(spec)} is not valid: ${RULE}`);
  }
  const [, count, unitOnly, amount, unit] = match;
  const windowSeconds =
    unitOnly !== undefined
      ? UNIT_SECONDS[unitOnly as keyof typeof UNIT_SECONDS]
      : Number(amount) * UNIT_SECONDS[(unit ?? 's') as keyof typeof UNIT_SECONDS];
  if (windowSeconds > MAX_WINDOW_SECONDS) {
    throw new PolicyConfigError(`Rate limit ${shown(spec)} has a window over 366 days; use a shorter one.`);
  }
  return Object.freeze({ spec, limit: Number(count), windowSeconds });
}

/**
 * A limit in words, for manifests and policy descriptions.
 *
 * @example
 * ```ts
 * describeRateLimit(parseRateLimit('60/m'));    // 'at most 60 per minute per caller'
 * describeRateLimit(parseRateLimit('100/30s')); // 'at most 100 per 30 seconds per caller'
 * ```
 */
export function describeRateLimit(rateLimit: RateLimit): string {
  const text = `at most ${rateLimit.limit} per ${windowWords(rateLimit.windowSeconds)} per caller`;
  return rateLimit.shared === undefined
    ? text
    : `${text}, shared by every operation limited as "${rateLimit.shared}"`;
}

function windowWords(seconds: number): string {
  for (const [unit, size] of [
    ['day', 86_400],
    ['hour', 3_600],
    ['minute', 60],
  ] as const) {
    if (seconds % size === 0) return seconds === size ? unit : `${seconds / size} ${unit}s`;
  }
  return seconds === 1 ? 'second' : `${seconds} seconds`;
}

function shown(spec: unknown): string {
  return typeof spec === 'string' ? JSON.stringify(spec) : String(spec);
}
