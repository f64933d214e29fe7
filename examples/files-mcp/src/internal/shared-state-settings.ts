import { OptionsError, PolicyConfigError, parseRateLimit, type DpopMode, type RateLimit } from '@valet/core';

const DPOP_MODES: readonly DpopMode[] = ['off', 'allowed', 'required'];

/** `VALET_REDIS_URL`: a `redis://` or `rediss://` URL with a host; never echoed (it may hold a password). */
export function redisUrl(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const url = URL.canParse(value) ? new URL(value) : undefined;
  if (url === undefined || !['redis:', 'rediss:'].includes(url.protocol) || url.hostname === '') {
    throw new OptionsError(
      'VALET_REDIS_URL',
      'VALET_REDIS_URL must be a redis:// or rediss:// URL with a host, like redis://127.0.0.1:6379 ' +
        '(redis[s]://[[user][:password]@]host[:port][/db]); unset, state stays in this process.',
    );
  }
  return value;
}

/** `VALET_RATE_LIMIT`: `<count>/<seconds>` (or any window `parseRateLimit` reads); undefined: no limit. */
export function rateLimit(value: string | undefined): RateLimit | undefined {
  if (value === undefined) return undefined;
  try {
    return parseRateLimit(value);
  } catch (error) {
    if (!(error instanceof PolicyConfigError)) throw error;
    throw new OptionsError(
      'VALET_RATE_LIMIT',
      `VALET_RATE_LIMIT must be <count>/<seconds>, like 60/60 (60 calls of each tool a minute per caller): ${error.message}`,
      { cause: error },
    );
  }
}

/** `VALET_DPOP`: `allowed` when unset. */
export function dpopMode(value: string | undefined): DpopMode {
  if (value === undefined) return 'allowed';
  if (!(DPOP_MODES as readonly string[]).includes(value)) {
    throw new OptionsError(
      'VALET_DPOP',
      'VALET_DPOP must be off (Bearer tokens only), allowed (the default: Bearer, or DPoP-bound tokens with a proof) ' +
        'or required (DPoP-bound tokens with a proof only).',
    );
  }
  return value as DpopMode;
}

/** `redis://host:port`, without the credentials, for log lines and messages. */
export function redisEndpoint(url: string): string {
  const { protocol, host } = new URL(url);
  return `${protocol}//${host}`;
}
