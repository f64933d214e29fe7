const FORM = /^\s*application\/x-www-form-urlencoded\s*(?:;|$)/i;

/** True for a form-encoded body: the only kind that may carry an `access_token` (RFC 6750 section 2.2). */
export function isFormContentType(contentType: string | undefined): boolean {
  return contentType !== undefined && FORM.test(contentType);
}
