import { OptionsError } from '../../errors.js';
import { secureUrl } from '../../lib/secure-url.js';

/** The resource identifier as configured, after the checks of RFC 9728 section 1.2 (https, no fragment). */
export function resourceIdentifier(resource: unknown): string {
  secureUrl('resource', resource);
  return writtenUrl('resource', resource);
}

/** A configured URL kept exactly as written (issuers compare as strings), so it must need no clean-up. */
export function writtenUrl(field: string, value: unknown): string {
  if (typeof value !== 'string') return (value as URL).href;
  if (/[\s#\p{Cc}]/u.test(value)) {
    throw new OptionsError(field, `${field} must not contain whitespace, control characters or "#".`);
  }
  return value;
}
