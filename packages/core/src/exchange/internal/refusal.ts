import { TokenExchangeError } from '../../errors.js';

/**
 * OAuth error codes that mean "the user has not granted this (yet)": RFC 6749 section 5.2
 * `invalid_scope`, and OpenID Connect Core section 3.1.2.6 `consent_required` and
 * `interaction_required`, which token endpoints answer when only the user can fix it (Entra ID:
 * conditional access in the on-behalf-of flow).
 */
const CONSENT_OR_SCOPE = new Set(['invalid_scope', 'consent_required', 'interaction_required']);

/** Entra ID's "the user or administrator has not consented" (answered as `invalid_grant`). */
const ENTRA_NO_CONSENT = /\bAADSTS65001\b/;

/** Runs of token-like characters long enough to be a token, a key or a secret. */
const TOKEN_LIKE = /[A-Za-z0-9_\-+=.~]{40,}/g;

const MAX_DESCRIPTION = 300;

/** The OAuth error response of a token endpoint (RFC 6749 section 5.2), with Entra ID's additions. */
interface ErrorAnswer {
  readonly error: string;
  readonly error_description?: unknown;
  readonly error_codes?: unknown;
  readonly suberror?: unknown;
}

/** True when `body` is an OAuth error response: an object with a string `error`. */
export function isErrorAnswer(body: unknown): body is ErrorAnswer {
  return (
    body !== null &&
    typeof body === 'object' &&
    typeof (body as { error?: unknown }).error === 'string' &&
    (body as { error: string }).error !== ''
  );
}

/**
 * The {@link TokenExchangeError} for an OAuth error answer: `consent_or_scope` for the codes
 * above and Entra ID's AADSTS65001 (in `error_description`, in `error_codes`, or as
 * `suberror: consent_required`), `refused` for anything else. The message names the audience and
 * the OAuth code only; the sanitized description is kept apart, for logs.
 */
export function refusal(
  answer: ErrorAnswer,
  need: { readonly audience: string; readonly scopes: readonly string[] },
  subjectToken: string,
): TokenExchangeError {
  const oauthError = errorCode(answer.error, subjectToken);
  const rawDescription = typeof answer.error_description === 'string' ? answer.error_description : '';
  const entraConsent =
    ENTRA_NO_CONSENT.test(rawDescription) ||
    answer.suberror === 'consent_required' ||
    (Array.isArray(answer.error_codes) && answer.error_codes.includes(65001));
  const consentOrScope = CONSENT_OR_SCOPE.has(oauthError) || entraConsent;
  const description = sanitize(rawDescription, subjectToken);
  const message = consentOrScope
    ? `The authorization server refused a token for "${need.audience}" for want of consent or scope (${oauthError}); ` +
      'the user must grant more before this tool can act for them.'
    : `The authorization server refused a token for "${need.audience}" (${oauthError}); ` +
      "check this server's client registration and the downstream API at the authorization server.";
  return new TokenExchangeError(consentOrScope ? 'consent_or_scope' : 'refused', message, {
    audience: need.audience,
    scopes: need.scopes,
    oauthError,
    description,
  });
}

/**
 * An `error_description` fit for a log line: its first line, printable ASCII only (RFC 6749
 * section 5.2 allows no more), the subject token and any long token-like run replaced, at most
 * 300 characters. `undefined` when nothing is left.
 */
export function sanitize(description: string, subjectToken: string): string | undefined {
  let text = description.split(/\r?\n/, 1)[0] ?? '';
  if (subjectToken.length > 0) text = text.split(subjectToken).join('[token]');
  for (const segment of subjectToken.split('.')) {
    if (segment.length >= 8) text = text.split(segment).join('[token]');
  }
  text = printable(text).replace(TOKEN_LIKE, '[redacted]').trim();
  if (text.length > MAX_DESCRIPTION) text = `${text.slice(0, MAX_DESCRIPTION)}...`;
  return text === '' ? undefined : text;
}

/** RFC 6749 section 5.2 codes are short ASCII words; anything else (or an echo of the token) is not repeated. */
function errorCode(error: string, subjectToken: string): string {
  const echoes = subjectToken.split('.').some((segment) => segment.length >= 8 && error.includes(segment));
  return /^[A-Za-z0-9_.:-]{1,64}$/.test(error) && !echoes ? error : 'unrecognized_error';
}

function printable(text: string): string {
  return text.replace(/[^\x20-\x7e]/g, '');
}
