/** RFC 6749 section 3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E ). */
const SCOPE_TOKEN = /^[\x21\x23-\x5b\x5d-\x7e]+$/;

/** True when `value` is a valid OAuth scope token (printable ASCII, no space, `"` or `\`). */
export function isScopeToken(value: unknown): value is string {
  return typeof value === 'string' && SCOPE_TOKEN.test(value);
}

/** The sentence that explains what a scope token may contain. */
export const SCOPE_TOKEN_RULE =
  'A scope is printable ASCII without spaces, double quotes or backslashes (RFC 6749 section 3.3).';
