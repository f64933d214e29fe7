import { InvalidRequestError, InvalidTokenError, MissingTokenError } from '../../errors.js';
import type { BearerRequest } from '../bearer-request.js';

/** RFC 6750 section 2.1: b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"=". */
const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;
/** RFC 9110 section 5.6.2 tchar: a character that may continue an auth-scheme name. */
const TCHAR = /[!#$%&'*+\-.^_`|~0-9A-Za-z]/;
/** A later credential in a comma-joined header (`Basic x, Bearer y`). */
const LATER_BEARER = /,[ \t]*bearer(?:[ \t]|$)/i;

/** Registered auth-scheme names (IANA HTTP Authentication Schemes): the only scheme names a message repeats. */
const KNOWN_SCHEMES = new Map(
  [
    'Basic',
    'Concealed',
    'Digest',
    'DPoP',
    'GNAP',
    'HOBA',
    'Mutual',
    'Negotiate',
    'NTLM',
    'OAuth',
    'PrivateToken',
    'SCRAM-SHA-1',
    'SCRAM-SHA-256',
    'vapid',
  ].map((name) => [name.toLowerCase(), name]),
);

const HOW = 'Send the access token as "Authorization: Bearer <token>".';
const MESSAGES = {
  multipleHeaders: `The request has more than one Authorization header. ${HOW}`,
  multipleCredentials: `The Authorization header carries more than one credential. ${HOW}`,
  inQuery: `An access token in the URL query (access_token) is refused: URLs end up in logs. ${HOW}`,
  inBody: `An access token in the request body (access_token) is not supported. ${HOW}`,
  twoMethods: `The request carries an access token in more than one place (RFC 6750 section 2). ${HOW}`,
  noHeader: `Authentication required. ${HOW}`,
  emptyHeader: `The Authorization header is empty. ${HOW}`,
  noScheme: `The Authorization header has no authentication scheme. ${HOW}`,
  noToken: `The Authorization header has the Bearer scheme but no token. ${HOW}`,
  badSeparator: `Separate "Bearer" and the token with a space. ${HOW}`,
  spaceInToken: `The bearer token must be a single value without spaces. ${HOW}`,
  badToken:
    'The bearer token contains characters outside the b64token syntax (RFC 6750 section 2.1): letters, digits, "-._~+/" and trailing "=".',
} as const;

/**
 * The token of `request`'s `Authorization: Bearer` header, every rule of `extractBearerToken`
 * applied except the b64token syntax ({@link checkTokenSyntax}). With `dpop`, an
 * `Authorization: DPoP <token>` header is taken too, under the same rules (RFC 9449 section 7.1);
 * {@link usesDpopScheme} tells the two apart.
 */
export function takeBearerToken(request: BearerRequest, maxTokenBytes: number, dpop = false): string {
  const header = singleHeader(request.authorization);
  const inQuery = queryHasToken(request.query);
  const inBody = !inQuery && bodyHasToken(request.body, request.contentType);
  if (inQuery || inBody) {
    throw new InvalidRequestError(
      header !== undefined ? MESSAGES.twoMethods : inQuery ? MESSAGES.inQuery : MESSAGES.inBody,
    );
  }
  if (header === undefined) throw new MissingTokenError(MESSAGES.noHeader);
  const value = trimSpaces(header);
  if (value === '') throw new MissingTokenError(MESSAGES.emptyHeader);

  const end = schemeEnd(value);
  if (end < 0) {
    if (isBearer(value, value.length)) throw new InvalidRequestError(MESSAGES.noToken);
    if (dpop && isScheme(value, value.length, DPOP)) throw new InvalidRequestError(DPOP_NO_TOKEN);
    return refuseScheme(value, value);
  }
  if (!isBearer(value, end) && !(dpop && isScheme(value, end, DPOP)))
    return refuseScheme(value, value.slice(0, end));

  let start = end;
  while (value.charCodeAt(start) === SPACE) start++;
  if (value.charCodeAt(start) === TAB) throw new InvalidRequestError(MESSAGES.badSeparator);
  const token = value.slice(start);
  if (token.length > maxTokenBytes) {
    throw new InvalidTokenError(
      'too_large',
      `The bearer token is longer than the ${maxTokenBytes} bytes this server accepts.`,
    );
  }
  return token;
}

/**
 * Throws {@link InvalidRequestError} unless `token` is an RFC 6750 b64token. Apart from
 * {@link takeBearerToken} so that a token a verifier has already accepted (a cache hit) is not
 * scanned again.
 */
export function checkTokenSyntax(token: string): void {
  if (B64TOKEN.test(token)) return;
  if (token.includes(',')) throw new InvalidRequestError(MESSAGES.multipleCredentials);
  if (/[ \t]/.test(token)) throw new InvalidRequestError(MESSAGES.spaceInToken);
  throw new InvalidRequestError(MESSAGES.badToken);
}

const SPACE = 0x20;
const TAB = 0x09;

function isBlank(code: number): boolean {
  return code === SPACE || code === TAB;
}

/** Trims spaces and tabs without a regular expression: a trailing-blank regex rescans the whole token. */
function trimSpaces(value: string): string {
  let from = 0;
  let to = value.length;
  while (from < to && isBlank(value.charCodeAt(from))) from++;
  while (to > from && isBlank(value.charCodeAt(to - 1))) to--;
  return from === 0 && to === value.length ? value : value.slice(from, to);
}

const BEARER = 'bearer';
const DPOP = 'dpop';
const DPOP_NO_TOKEN =
  'The Authorization header has the DPoP scheme but no token. Send "Authorization: DPoP <token>" with a "DPoP: <proof>" header.';

/** True when `value` starts with an auth-scheme of `length` characters that is "Bearer" in any case; no string is built. */
function isBearer(value: string, length: number): boolean {
  return isScheme(value, length, BEARER);
}

/** True when `value`, from index `from`, starts with an auth-scheme of `length` characters that is `scheme` (lower-case letters) in any case. */
function isScheme(value: string, length: number, scheme: string, from = 0): boolean {
  if (length !== scheme.length) return false;
  for (let i = 0; i < length; i++) {
    // ASCII letters only: setting bit 0x20 lower-cases them and maps no other character onto one.
    if ((value.charCodeAt(from + i) | 0x20) !== scheme.charCodeAt(i)) return false;
  }
  return true;
}

/**
 * True when the (one, already accepted by {@link takeBearerToken}) `Authorization` header uses
 * the DPoP scheme. A handful of character comparisons: it runs on every request when DPoP is on.
 */
export function usesDpopScheme(authorization: BearerRequest['authorization']): boolean {
  const header = typeof authorization === 'string' ? authorization : authorization?.[0];
  if (header === undefined) return false;
  let start = 0;
  while (isBlank(header.charCodeAt(start))) start++;
  return isScheme(header, 4, DPOP, start) && isBlank(header.charCodeAt(start + 4));
}

/** Index of the first space or tab (the end of the auth-scheme), or -1. */
function schemeEnd(value: string): number {
  for (let i = 0; i < value.length; i++) if (isBlank(value.charCodeAt(i))) return i;
  return -1;
}

function singleHeader(authorization: BearerRequest['authorization']): string | undefined {
  if (typeof authorization === 'string' || authorization === undefined) return authorization;
  if (authorization.length > 1) throw new InvalidRequestError(MESSAGES.multipleHeaders);
  return authorization[0];
}

/** A header whose first scheme is not Bearer: a malformed Bearer, a second credential, or another scheme. */
function refuseScheme(value: string, scheme: string): never {
  if (LATER_BEARER.test(value) || scheme.includes(',')) {
    throw new InvalidRequestError(MESSAGES.multipleCredentials);
  }
  if (/^bearer/i.test(scheme) && !TCHAR.test(scheme.charAt(6))) {
    throw new InvalidRequestError(MESSAGES.badSeparator);
  }
  const known = KNOWN_SCHEMES.get(scheme.toLowerCase());
  if (known !== undefined) {
    throw new MissingTokenError(
      `The Authorization header uses the "${known}" scheme; this resource accepts only Bearer tokens. ${HOW}`,
    );
  }
  throw new MissingTokenError(
    value === scheme ? MESSAGES.noScheme : `The Authorization header uses an unsupported scheme. ${HOW}`,
  );
}

function queryHasToken(query: BearerRequest['query']): boolean {
  if (query === undefined) return false;
  if (typeof query === 'string') {
    // Parsing every request's query is the costly part; only a name that could decode to
    // access_token (spelled out, or percent-encoded) needs it.
    if (!query.includes('access') && !query.includes('%')) return false;
    const start = query.indexOf('?');
    return new URLSearchParams(start < 0 ? query : query.slice(start + 1)).has('access_token');
  }
  return hasAccessToken(query);
}

function bodyHasToken(body: unknown, contentType: string | undefined): boolean {
  if (body === undefined || body === null) return false;
  if (contentType !== undefined && !/^\s*application\/x-www-form-urlencoded\s*(?:;|$)/i.test(contentType)) {
    return false;
  }
  if (typeof body === 'string') return new URLSearchParams(body).has('access_token');
  return typeof body === 'object' && hasAccessToken(body);
}

function hasAccessToken(container: object): boolean {
  if (container instanceof URLSearchParams) return container.has('access_token');
  return (
    Object.hasOwn(container, 'access_token') &&
    (container as Record<string, unknown>).access_token !== undefined
  );
}
