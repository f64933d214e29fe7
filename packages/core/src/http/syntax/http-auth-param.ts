/** The longest `error_description` a challenge carries; longer text is cut and ends in `...`. */
export const MAX_ERROR_DESCRIPTION = 512;

/**
 * Makes text fit RFC 6750 section 3's `error` / `error_description` character set
 * (%x20-21 / %x23-5B / %x5D-7E): accents are dropped (`é` -> `e`), line breaks and other
 * control characters become spaces, `"` becomes `'`, `\` becomes `/`, anything else outside
 * printable ASCII becomes `?`. Nothing that could end the header line survives.
 */
export function toChallengeText(value: string, maxLength = MAX_ERROR_DESCRIPTION): string {
  const text = value
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .replace(/[\p{Cc}\p{Zl}\p{Zp}]+/gu, ' ')
    .replace(/"/g, "'")
    .replace(/\\/g, '/')
    .replace(/[^\x20-\x7e]/gu, '?')
    .replace(/ {2,}/g, ' ')
    .trim();
  return text.length > maxLength ? `${text.slice(0, maxLength - 3)}...` : text;
}

/**
 * An RFC 9110 section 5.6.4 quoted-string: `"` and `\` escaped as quoted-pairs. Characters no
 * quoted-string may carry (controls, and non-ASCII, which Valet never emits) become `?`, so the
 * result can never break out of the header line whatever the caller passed.
 */
export function quotedString(value: string): string {
  return `"${value.replace(/[^\x20-\x7e]/gu, '?').replace(/["\\]/g, '\\$&')}"`;
}

/** True when `value` may be a realm: printable ASCII (quoted-string escapes `"` and `\`). */
export function isRealm(value: string): boolean {
  return /^[\x20-\x7e]*$/.test(value);
}
