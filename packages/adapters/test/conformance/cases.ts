import type { ErrorBody, ProtectedResourceMetadata } from '@valet/core';
import type { TestIssuer } from '@valet/testing';
import { RESOURCE } from '../support/fixture.js';
import type { Reached, Surface, Target } from './surfaces.js';

/** Where the RFC 9728 metadata of the fixture's resource lives (RFC 9728 section 3.1). */
export const RESOURCE_METADATA = 'https://files.example.test/.well-known/oauth-protected-resource/api';
/** The catalog's basic scope: what a challenge asks for when the error names none. */
export const DEFAULT_SCOPE = 'files:read';
/** A browser-based client on another origin, which the suite's Valet allows (`allowedOrigins`). */
export const CLIENT_ORIGIN = 'https://client.example.test';
/** A resource on a loopback host, with the default origin and host rules; tokens are the same. */
export const LOOPBACK_RESOURCE = 'http://localhost:8080/api';

/** The tokens the cases send, minted once by the test issuer. */
export interface Tokens {
  readonly read: string;
  readonly readWrite: string;
  readonly expired: string;
  readonly wrongAudience: string;
  readonly badSignature: string;
  readonly unknownKey: string;
  readonly tooLarge: string;
}

export async function mintTokens(issuer: TestIssuer): Promise<Tokens> {
  const read = await issuer.mint({ scopes: ['files:read'], audience: RESOURCE });
  const [header, payload, signature] = read.split('.') as [string, string, string];
  // A different character early in the signature keeps the encoding canonical but breaks the signature.
  const flipped = `${signature.slice(0, 10)}${signature[10] === 'A' ? 'B' : 'A'}${signature.slice(11)}`;
  return {
    read,
    readWrite: await issuer.mint({ scopes: ['files:read', 'files:write'], audience: RESOURCE }),
    expired: await issuer.expired({ scopes: ['files:read'], audience: RESOURCE }),
    wrongAudience: await issuer.wrongAudience({ scopes: ['files:read'] }),
    badSignature: `${header}.${payload}.${flipped}`,
    unknownKey: await issuer.foreignKey({ scopes: ['files:read'], audience: RESOURCE }),
    tooLarge: 'a'.repeat(9000),
  };
}

/** What a case expects from every surface. */
export interface Expectation {
  /** The status; `'not-challenged'`: anything but 401, 403 and 5xx. */
  readonly status: number | 'not-challenged';
  /** Every auth-param of the single `WWW-Authenticate: Bearer` challenge, exactly; `null`: no such header. */
  readonly challenge: Readonly<Record<string, string>> | null;
  /** An error body (exactly these two members), a handler's answer, no body, the metadata document, or unchecked. */
  readonly body: ErrorBody | Reached | 'empty' | 'metadata' | 'unchecked';
}

/** What an expectation may depend on. */
export interface CaseContext {
  readonly surface: Surface;
  readonly metadata: ProtectedResourceMetadata;
}

export interface ConformanceCase {
  readonly name: string;
  readonly target: Target | 'metadata' | 'metadata-root';
  readonly method?: 'HEAD' | 'OPTIONS';
  /** Authorization header lines, one per value. */
  readonly authorization?: (tokens: Tokens) => readonly string[];
  /** A query string added to the target's path. */
  readonly query?: (tokens: Tokens) => string;
  /** A form-encoded body replacing the target's body. */
  readonly form?: (tokens: Tokens) => string;
  /** More header lines (`Origin`, `Host`: a `Host` given here replaces the server's address). */
  readonly headers?: readonly (readonly [string, string])[];
  /** `'loopback'`: sent to a server for {@link LOOPBACK_RESOURCE}. Default: the suite's resource. */
  readonly resource?: 'loopback';
  readonly expect: (ctx: CaseContext) => Expectation;
}

const HOW = 'Send the access token as "Authorization: Bearer <token>".';
const bearer = (token: (tokens: Tokens) => string) => (tokens: Tokens) => [`Bearer ${token(tokens)}`];

/** RFC 6750 section 3 allows no `"` in error_description: Valet writes `'` in the header, the body keeps `"`. */
const inHeader = (text: string): string => text.replace(/"/g, "'");

function refused(
  status: number,
  error: ErrorBody['error'],
  description: string,
  scope = DEFAULT_SCOPE,
): Expectation {
  const code: Record<string, string> =
    error === 'unauthorized' ? {} : { error, error_description: inHeader(description) };
  return {
    status,
    challenge: { ...code, scope, resource_metadata: RESOURCE_METADATA },
    body: { error, error_description: description },
  };
}

const badRequest = (description: string) => () => refused(400, 'invalid_request', description);
const badToken = (description: string) => () => refused(401, 'invalid_token', description);
const anonymous = (ctx: CaseContext) =>
  refused(
    401,
    'unauthorized',
    `${ctx.surface.label('read')} requires a bearer token with scope "files:read".`,
  );
const allowed =
  (target: Target, subject: string | null = 'test-user') =>
  (): Expectation => ({ status: 200, challenge: null, body: { target, subject } });

/** 403 before the credentials are read: no challenge, since no token would help. */
const rebinding = (description: string) => (): Expectation => ({
  status: 403,
  challenge: null,
  body: { error: 'access_denied', error_description: description },
});
const originRefused = (origin: string) =>
  rebinding(
    `Origin "${origin}" is not allowed to call this server (DNS rebinding protection). To serve browser pages from it, list it in createValet({ allowedOrigins }).`,
  );
const hostRefused = (host: string) =>
  rebinding(
    `Host "${host}" is not a name this server answers to (DNS rebinding protection). If clients reach it under that name, list it in createValet({ allowedHosts }).`,
  );
const EVIL = 'https://evil.example';

/**
 * Security: DNS rebinding (MCP Streamable HTTP: servers MUST validate `Origin`, since
 * 2025-06-18). A page on evil.example whose name now resolves to the server sends its own
 * `Origin` (on POST) and `Host` (always): refused with 403 before anything else, whatever its
 * token. Browser-based clients on allowed origins, and clients that send no `Origin`, are served.
 */
const DNS_REBINDING: readonly ConformanceCase[] = [
  {
    name: 'Security: DNS rebinding: Origin https://evil.example with a valid token: 403',
    target: 'read',
    headers: [['Origin', EVIL]],
    authorization: bearer((t) => t.read),
    expect: originRefused(EVIL),
  },
  {
    name: 'Security: DNS rebinding: Origin https://evil.example writing with a valid token: 403',
    target: 'write',
    headers: [['Origin', EVIL]],
    authorization: bearer((t) => t.readWrite),
    expect: originRefused(EVIL),
  },
  {
    name: 'Security: DNS rebinding: Origin https://evil.example on a public operation: 403',
    target: 'public',
    headers: [['Origin', EVIL]],
    expect: originRefused(EVIL),
  },
  {
    name: 'Security: DNS rebinding: Origin https://evil.example with an expired token: 403 first, not 401',
    target: 'read',
    headers: [['Origin', EVIL]],
    authorization: bearer((t) => t.expired),
    expect: originRefused(EVIL),
  },
  {
    name: 'Security: DNS rebinding: Origin null (sandboxed frame, local file) with a valid token: 403',
    target: 'read',
    headers: [['Origin', 'null']],
    authorization: bearer((t) => t.read),
    expect: rebinding(
      `Origin "null" (a sandboxed frame, a local file or a redirect) is not allowed to call this server (DNS rebinding protection); only createValet({ allowedOrigins: '*' }) accepts it.`,
    ),
  },
  {
    name: 'Security: DNS rebinding: two Origin lines, one allowed: 403',
    target: 'read',
    headers: [
      ['Origin', CLIENT_ORIGIN],
      ['Origin', EVIL],
    ],
    authorization: bearer((t) => t.read),
    expect: rebinding('The Origin header is not one origin (scheme://host[:port]); send at most one.'),
  },
  {
    name: 'Security: DNS rebinding: an allowed origin (allowedOrigins) with a valid token: served',
    target: 'read',
    headers: [['Origin', CLIENT_ORIGIN]],
    authorization: bearer((t) => t.read),
    expect: allowed('read'),
  },
  {
    name: 'Security: DNS rebinding: the metadata stays public for any Origin (CORS *)',
    target: 'metadata',
    headers: [['Origin', EVIL]],
    expect: () => ({ status: 200, challenge: null, body: 'metadata' }),
  },
  {
    name: 'Security: DNS rebinding: loopback resource, a loopback Origin: served',
    target: 'read',
    resource: 'loopback',
    headers: [['Origin', 'http://localhost:5173']],
    authorization: bearer((t) => t.read),
    expect: allowed('read'),
  },
  {
    name: 'Security: DNS rebinding: loopback resource, another loopback Origin and port: served',
    target: 'write',
    resource: 'loopback',
    headers: [['Origin', 'http://127.0.0.1:6274']],
    authorization: bearer((t) => t.readWrite),
    expect: allowed('write'),
  },
  {
    name: 'Security: DNS rebinding: loopback resource, no Origin (a non-browser client): served',
    target: 'read',
    resource: 'loopback',
    authorization: bearer((t) => t.read),
    expect: allowed('read'),
  },
  {
    name: 'Security: DNS rebinding: loopback resource, Origin https://evil.example with a valid token: 403',
    target: 'read',
    resource: 'loopback',
    headers: [['Origin', EVIL]],
    authorization: bearer((t) => t.read),
    expect: originRefused(EVIL),
  },
  {
    name: 'Security: DNS rebinding: loopback resource, Host evil.example (no Origin: a same-origin GET) with a valid token: 403',
    target: 'read',
    resource: 'loopback',
    headers: [['Host', 'evil.example']],
    authorization: bearer((t) => t.read),
    expect: hostRefused('evil.example'),
  },
  {
    name: 'Security: DNS rebinding: loopback resource, Host and Origin evil.example:3000 (the MCP conformance probe): 403',
    target: 'public',
    resource: 'loopback',
    headers: [
      ['Host', 'evil.example:3000'],
      ['Origin', 'http://evil.example:3000'],
    ],
    expect: originRefused('http://evil.example:3000'),
  },
];

export const CASES: readonly ConformanceCase[] = [
  {
    name: 'no Authorization header: 401, no error code (RFC 6750 §3.1), the scopes needed and resource_metadata (RFC 9728 §5.1)',
    target: 'read',
    expect: anonymous,
  },
  {
    name: 'Basic credentials count as none: 401 without error code (RFC 6750 §3.1)',
    target: 'read',
    authorization: () => ['Basic dXNlcjpwYXNz'],
    expect: anonymous,
  },
  {
    name: 'two Authorization header lines: 400 invalid_request (RFC 6750 §3.1; RFC 9110 §5.3)',
    target: 'read',
    authorization: (t) => [`Bearer ${t.read}`, `Bearer ${t.read}`],
    expect: badRequest(`The request has more than one Authorization header. ${HOW}`),
  },
  {
    name: 'two credentials in one header: 400 invalid_request (RFC 6750 §3.1)',
    target: 'read',
    authorization: (t) => [`Bearer ${t.read}, Bearer ${t.readWrite}`],
    expect: badRequest(`The Authorization header carries more than one credential. ${HOW}`),
  },
  ...['bearer', 'BEARER', 'bEaReR'].map((scheme): ConformanceCase => ({
    name: `"${scheme}" scheme: allowed (RFC 9110 §11.1: auth-scheme is case-insensitive)`,
    target: 'read',
    authorization: (t) => [`${scheme} ${t.read}`],
    expect: allowed('read'),
  })),
  {
    name: 'several spaces between scheme and token: allowed (RFC 9110 §11.4: 1*SP)',
    target: 'read',
    authorization: (t) => [`Bearer    ${t.read}`],
    expect: allowed('read'),
  },
  {
    name: 'whitespace around the header value: allowed (RFC 9110 §5.5: OWS is not part of the value)',
    target: 'read',
    authorization: (t) => [`  Bearer ${t.read}  `],
    expect: allowed('read'),
  },
  {
    name: 'a tab between scheme and token: 400 invalid_request (RFC 9110 §11.4 asks for SP)',
    target: 'read',
    authorization: (t) => [`Bearer\t${t.read}`],
    expect: badRequest(`Separate "Bearer" and the token with a space. ${HOW}`),
  },
  {
    name: '"Bearer" without a token: 400 invalid_request (RFC 6750 §3.1)',
    target: 'read',
    authorization: () => ['Bearer'],
    expect: badRequest(`The Authorization header has the Bearer scheme but no token. ${HOW}`),
  },
  {
    name: 'characters outside b64token: 400 invalid_request (RFC 6750 §2.1)',
    target: 'read',
    authorization: () => ['Bearer abc$def'],
    expect: badRequest(
      'The bearer token contains characters outside the b64token syntax (RFC 6750 section 2.1): letters, digits, "-._~+/" and trailing "=".',
    ),
  },
  {
    name: 'token in the query: 400 invalid_request (RFC 6750 §2.3; MCP authorization forbids query tokens)',
    target: 'read',
    query: (t) => `access_token=${t.read}`,
    expect: badRequest(
      `An access token in the URL query (access_token) is refused: URLs end up in logs. ${HOW}`,
    ),
  },
  {
    name: 'token in the query and the header: 400 invalid_request (RFC 6750 §2: one method per request)',
    target: 'read',
    authorization: bearer((t) => t.read),
    query: (t) => `access_token=${t.read}`,
    expect: badRequest(
      `The request carries an access token in more than one place (RFC 6750 section 2). ${HOW}`,
    ),
  },
  {
    name: 'token in a form body: 400 invalid_request (RFC 6750 §2.2 is not supported)',
    target: 'write',
    form: (t) => `access_token=${t.readWrite}&name=notes.txt`,
    expect: badRequest(`An access token in the request body (access_token) is not supported. ${HOW}`),
  },
  {
    name: 'token in a form body and the header: 400 invalid_request (RFC 6750 §2: one method per request)',
    target: 'write',
    authorization: bearer((t) => t.readWrite),
    form: (t) => `access_token=${t.readWrite}`,
    expect: badRequest(
      `The request carries an access token in more than one place (RFC 6750 section 2). ${HOW}`,
    ),
  },
  {
    name: 'a form body without access_token, token in the header: allowed',
    target: 'write',
    authorization: bearer((t) => t.readWrite),
    form: () => 'name=notes.txt',
    expect: allowed('write'),
  },
  {
    name: 'not a JWT: 401 invalid_token (RFC 6750 §3.1)',
    target: 'read',
    authorization: () => ['Bearer abc.def'],
    expect: badToken('The token is not a well-formed signed JWT.'),
  },
  {
    name: 'expired: 401 invalid_token (RFC 6750 §3.1)',
    target: 'read',
    authorization: bearer((t) => t.expired),
    expect: badToken('The token has expired; get a new one.'),
  },
  {
    name: 'wrong audience: 401 invalid_token (RFC 8707; MCP: tokens for another resource are refused)',
    target: 'read',
    authorization: bearer((t) => t.wrongAudience),
    expect: badToken('The token was issued for another resource (aud).'),
  },
  {
    name: 'invalid signature: 401 invalid_token (RFC 6750 §3.1)',
    target: 'read',
    authorization: bearer((t) => t.badSignature),
    expect: badToken('The token signature does not verify.'),
  },
  {
    name: 'signed by a key the issuer does not publish: 401 invalid_token',
    target: 'read',
    authorization: bearer((t) => t.unknownKey),
    expect: badToken('The token is signed with a key this server does not know.'),
  },
  {
    name: 'a token past the size limit: 401 invalid_token',
    target: 'read',
    authorization: bearer((t) => t.tooLarge),
    expect: badToken('The bearer token is longer than the 8192 bytes this server accepts.'),
  },
  {
    name: 'insufficient scope: 403 insufficient_scope, scope lists every required scope (RFC 6750 §3.1)',
    target: 'write',
    authorization: bearer((t) => t.read),
    expect: ({ surface }) =>
      refused(
        403,
        'insufficient_scope',
        `${surface.label('write')} requires scopes "files:read" and "files:write"; the token grants "files:read".`,
        'files:read files:write',
      ),
  },
  { name: 'allowed: read', target: 'read', authorization: bearer((t) => t.read), expect: allowed('read') },
  {
    name: 'allowed: write',
    target: 'write',
    authorization: bearer((t) => t.readWrite),
    expect: allowed('write'),
  },
  { name: 'public route without a token: allowed', target: 'public', expect: allowed('public', null) },
  {
    name: 'public route with a token: allowed, caller known',
    target: 'public',
    authorization: bearer((t) => t.read),
    expect: allowed('public'),
  },
  {
    name: 'public route with an expired token: 401 invalid_token (a token sent is a token checked)',
    target: 'public',
    authorization: bearer((t) => t.expired),
    expect: badToken('The token has expired; get a new one.'),
  },
  {
    name: 'HEAD without a token: 401 with the same challenge, no body (RFC 9110 §9.3.2)',
    target: 'read',
    method: 'HEAD',
    expect: (ctx) => ({ ...anonymous(ctx), body: 'empty' }),
  },
  {
    name: 'HEAD with a token: 200, no body (RFC 9110 §9.3.2)',
    target: 'read',
    method: 'HEAD',
    authorization: bearer((t) => t.read),
    expect: () => ({ status: 200, challenge: null, body: 'empty' }),
  },
  {
    name: 'OPTIONS preflight: never challenged (Fetch: a CORS preflight carries no credentials)',
    target: 'read',
    method: 'OPTIONS',
    expect: () => ({ status: 'not-challenged', challenge: null, body: 'unchecked' }),
  },
  {
    name: 'metadata at the path-aware well-known URL (RFC 9728 §3.1)',
    target: 'metadata',
    expect: () => ({ status: 200, challenge: null, body: 'metadata' }),
  },
  {
    name: 'metadata at the root well-known URL, where clients fall back (MCP authorization)',
    target: 'metadata-root',
    expect: () => ({ status: 200, challenge: null, body: 'metadata' }),
  },
  {
    name: 'metadata CORS preflight: 204',
    target: 'metadata',
    method: 'OPTIONS',
    expect: () => ({ status: 204, challenge: null, body: 'empty' }),
  },
  ...DNS_REBINDING,
];
