import { InvalidRequestError, InvalidTokenError, MissingTokenError, OptionsError } from '../errors.js';

/** The parts of an HTTP request that can carry an access token, as a framework hands them over. */
export interface BearerRequest {
  /**
   * Every `Authorization` header value. Pass an array when the framework keeps duplicates
   * (Node: `req.headersDistinct.authorization`; `req.headers` silently drops all but the first);
   * the Fetch API's `headers.get()` joins duplicates with `", "`, which is recognised too.
   */
  readonly authorization?: string | readonly string[] | undefined;
  /** The query: a request target (`/mcp?x=1`), a query string, `URLSearchParams`, or a parsed object (`req.query`). */
  readonly query?: string | URLSearchParams | Readonly<Record<string, unknown>> | undefined;
  /** The body (raw, `URLSearchParams` or parsed); inspected only when form-encoded or when `contentType` is not given. */
  readonly body?: unknown;
  /** The request's `Content-Type`. */
  readonly contentType?: string | undefined;
}

/** Options of {@link extractBearerToken}. */
export interface ExtractBearerOptions {
  /** Longest token accepted, in characters (tokens are ASCII). Default {@link DEFAULT_MAX_TOKEN_BYTES}. */
  readonly maxTokenBytes?: number;
}

/** 8 KiB: well above real access tokens, well below what makes parsing a cost. */
export const DEFAULT_MAX_TOKEN_BYTES = 8192;

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
 * Takes the access token from a request: the single place where every adapter does it.
 *
 * Only the `Authorization: Bearer <token>` header is accepted (RFC 6750 section 2.1). The scheme
 * is case-insensitive and followed by one or more spaces (RFC 7235 `1*SP`); a tab, a second
 * value, or a character outside b64token is malformed. Throws:
 * - {@link InvalidRequestError} (400): several Authorization headers or credentials; a token
 *   in the query (the MCP spec forbids it) or in a form body (Valet supports only the header
 *   method), with or without a header; `Bearer` with no token; a malformed token;
 * - {@link MissingTokenError} (401, no error code): no header, an empty one, or another scheme
 *   (`Basic`, `DPoP`, ...), since RFC 6750 section 3.1 treats an unsupported method as no
 *   credentials;
 * - {@link InvalidTokenError} `too_large` (401): a token longer than `maxTokenBytes`.
 *
 * Messages never contain the token, nor an unrecognised scheme (it may be a token sent without
 * one). Throws {@link OptionsError} for an invalid `maxTokenBytes`.
 *
 * @example
 * ```ts
 * const token = extractBearerToken({
 *   authorization: req.headersDistinct.authorization,
 *   query: req.url,
 *   body: req.body,
 *   contentType: req.headers['content-type'],
 * });
 * ```
 */
export function extractBearerToken(request: BearerRequest, options?: ExtractBearerOptions): string {
  const maxTokenBytes = options?.maxTokenBytes ?? DEFAULT_MAX_TOKEN_BYTES;
  if (!Number.isSafeInteger(maxTokenBytes) || maxTokenBytes < 1) {
    throw new OptionsError('maxTokenBytes', 'maxTokenBytes must be a positive integer (a length in bytes).');
  }
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
    return refuseScheme(value, value);
  }
  if (!isBearer(value, end)) return refuseScheme(value, value.slice(0, end));

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
  if (B64TOKEN.test(token)) return token;
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

/** True when `value` starts with an auth-scheme of `length` characters that is "Bearer" in any case; no string is built. */
function isBearer(value: string, length: number): boolean {
  if (length !== BEARER.length) return false;
  for (let i = 0; i < length; i++) {
    // ASCII letters only: setting bit 0x20 lower-cases them and maps no other character onto one.
    if ((value.charCodeAt(i) | 0x20) !== BEARER.charCodeAt(i)) return false;
  }
  return true;
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
