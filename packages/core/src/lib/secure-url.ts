import { OptionsError } from '../errors.js';
import { isLoopbackHost } from '../http/loopback.js';

/**
 * Parses a configured URL that keys or metadata are fetched from: absolute, `https:` (or `http:`
 * on a loopback host, for tests and local development), no credentials, no fragment.
 */
export function secureUrl(field: string, value: unknown): URL {
  if (typeof value !== 'string' && !(value instanceof URL)) {
    throw new OptionsError(field, `${field} must be an absolute https URL (a string or a URL).`);
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new OptionsError(field, `${field} must be an absolute https URL; "${String(value)}" is not a URL.`);
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopbackHost(url.hostname))) {
    throw new OptionsError(
      field,
      `${field} must use https (plain http is allowed only on localhost or 127.0.0.1); got ${url.protocol}.`,
    );
  }
  if (url.username !== '' || url.password !== '' || url.hash !== '') {
    throw new OptionsError(field, `${field} must not contain credentials or a fragment.`);
  }
  return url;
}
