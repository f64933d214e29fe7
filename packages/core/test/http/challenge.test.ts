import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import {
  ForbiddenError,
  InsufficientScopeError,
  InvalidRequestError,
  InvalidTokenError,
  MissingTokenError,
  OptionsError,
  PolicyConfigError,
  type ChallengeParams,
} from '../../src/errors.js';
import {
  challengeFor,
  renderChallenge,
  validateChallengeOptions,
  type ChallengeOptions,
} from '../../src/http/challenge.js';

const META = 'https://api.example.com/.well-known/oauth-protected-resource/mcp';

/** A strict RFC 9110 section 11 parser for one `Bearer` challenge: what a client would read. */
function parseChallenge(header: string): Map<string, string> {
  expect(header.startsWith('Bearer ')).toBe(true);
  const params = new Map<string, string>();
  const re = /([A-Za-z_]+)="((?:[^"\\]|\\.)*)"(?:, |$)/y;
  re.lastIndex = 'Bearer '.length;
  while (re.lastIndex < header.length) {
    const match = re.exec(header);
    if (match === null) throw new Error(`unparsable challenge at ${re.lastIndex}: ${header}`);
    expect(params.has(match[1]!)).toBe(false);
    params.set(match[1]!, match[2]!.replace(/\\(.)/g, '$1'));
  }
  return params;
}

const HEADER_SAFE = /^[\x20-\x7e]+$/;

describe('renderChallenge: RFC 6750 section 3 / RFC 9728 section 5.1 table', () => {
  const table: [string, ChallengeParams, ChallengeOptions | undefined, string][] = [
    [
      'RFC 6750 3 + 3.1: no credentials, nothing else to say -> one auth-param (realm), no error',
      {},
      undefined,
      'Bearer realm="api"',
    ],
    [
      'RFC 9728 5.1: resource_metadata on a 401 without error',
      {},
      { resourceMetadata: META },
      `Bearer resource_metadata="${META}"`,
    ],
    [
      'RFC 6750 3: order realm, error, error_description, scope; RFC 9728 5.1: resource_metadata last',
      { error: 'insufficient_scope', errorDescription: 'Needs files:write', scope: ['files:write'] },
      { realm: 'files', resourceMetadata: META },
      `Bearer realm="files", error="insufficient_scope", error_description="Needs files:write", scope="files:write", resource_metadata="${META}"`,
    ],
    [
      'RFC 6750 3: scope is a space-delimited list, in the given order, without duplicates',
      { error: 'insufficient_scope', scope: ['b:write', 'a:read', 'b:write'] },
      undefined,
      'Bearer error="insufficient_scope", scope="b:write a:read"',
    ],
    [
      'RFC 9110 5.6.4: realm is a quoted-string, `"` and `\\` as quoted-pairs',
      { error: 'invalid_token' },
      { realm: 'say "hi" \\o/' },
      'Bearer realm="say \\"hi\\" \\\\o/", error="invalid_token"',
    ],
    [
      'RFC 6750 3: error_description excludes %x22 and %x5C: `"` -> `\'`, `\\` -> `/`',
      { error: 'invalid_token', errorDescription: 'Tool "write" needs C:\\files' },
      undefined,
      `Bearer error="invalid_token", error_description="Tool 'write' needs C:/files"`,
    ],
    [
      'RFC 6750 3: no control characters: CRLF header injection becomes spaces',
      { error: 'invalid_token', errorDescription: 'bad\r\nSet-Cookie: session=evil\r\n\r\n<html>' },
      undefined,
      'Bearer error="invalid_token", error_description="bad Set-Cookie: session=evil <html>"',
    ],
    [
      'RFC 6750 3: ASCII only: accents dropped, other non-ASCII -> ?',
      { error: 'invalid_token', errorDescription: 'Café ☕ expiré\u2028next' },
      undefined,
      'Bearer error="invalid_token", error_description="Cafe ? expire next"',
    ],
    [
      'RFC 6749 3.3: scope tokens with quotes, spaces or backslashes are left out',
      {
        error: 'insufficient_scope',
        scope: ['ok', 'bad"scope', 'two words', 'back\\slash', '', 'r\u00e9ad', 'x\r\ny'],
      },
      undefined,
      'Bearer error="insufficient_scope", scope="ok"',
    ],
    [
      'RFC 6749 3.3: no valid scope token -> no scope auth-param at all',
      { error: 'insufficient_scope', scope: ['"', ' '] },
      undefined,
      'Bearer error="insufficient_scope"',
    ],
    [
      'an empty description is left out rather than sent empty',
      { error: 'invalid_request', errorDescription: '\r\n\t' },
      undefined,
      'Bearer error="invalid_request"',
    ],
    [
      'defaultScope fills a 401 that names no scope',
      {},
      { defaultScope: ['files:read'] },
      'Bearer scope="files:read"',
    ],
    [
      "defaultScope does not replace an error's own scopes",
      { error: 'insufficient_scope', scope: ['files:write'] },
      { defaultScope: ['files:read'] },
      'Bearer error="insufficient_scope", scope="files:write"',
    ],
    [
      'resource_metadata given as URL is serialised (percent-encoded), never raw',
      {},
      { resourceMetadata: new URL('https://h.example/a b/"x"') },
      'Bearer resource_metadata="https://h.example/a%20b/%22x%22"',
    ],
  ];

  it.each(table)('%s', (_name, params, options, expected) => {
    const header = renderChallenge(params, options);
    expect(header).toBe(expected);
    expect(header).toMatch(HEADER_SAFE);
  });

  it('cuts a long description at 512 characters', () => {
    const header = renderChallenge({ error: 'invalid_token', errorDescription: 'x'.repeat(2000) });
    const description = parseChallenge(header).get('error_description')!;
    expect(description).toHaveLength(512);
    expect(description.endsWith('...')).toBe(true);
  });

  it('sanitises an error code outside the RFC 6750 set (a cast at a call site)', () => {
    const header = renderChallenge({ error: 'x"\r\ny' as ChallengeParams['error'] });
    expect(header).toBe(`Bearer error="x' y"`);
  });
});

describe('Security: header injection through challenge values', () => {
  it('any description, realm-safe option and scope list yields one parsable header line', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), fc.array(fc.string({ unit: 'binary' })), (text, scopes) => {
        const header = renderChallenge(
          { error: 'insufficient_scope', errorDescription: text, scope: scopes },
          { realm: 'r"\\', resourceMetadata: META },
        );
        expect(header).toMatch(HEADER_SAFE);
        const params = parseChallenge(header);
        expect(params.get('realm')).toBe('r"\\');
        expect(params.get('error')).toBe('insufficient_scope');
        expect(params.get('resource_metadata')).toBe(META);
        expect(params.get('error_description') ?? '').toMatch(/^[\x20\x21\x23-\x5b\x5d-\x7e]*$/);
        expect(params.get('scope') ?? '').toMatch(/^[\x20\x21\x23-\x5b\x5d-\x7e]*$/);
      }),
    );
  });
});

describe('validateChallengeOptions', () => {
  it.each([
    ['realm', { realm: 'line\r\nbreak' }],
    ['realm', { realm: 'caf\u00e9' }],
    ['resourceMetadata', { resourceMetadata: 'http://api.example.com/.well-known/oauth-protected-resource' }],
    ['resourceMetadata', { resourceMetadata: 'https://h.example/meta#frag' }],
    ['resourceMetadata', { resourceMetadata: '/relative' }],
    ['defaultScope', { defaultScope: ['ok', 'not ok'] }],
  ] as [string, ChallengeOptions][])('refuses a bad %s at start-up', (field, options) => {
    expect(() => validateChallengeOptions(options)).toThrow(expect.objectContaining({ field }));
    expect(() => renderChallenge({}, options)).toThrow(OptionsError);
  });

  it('accepts http on loopback and returns frozen options that are not checked again', () => {
    const options = validateChallengeOptions({
      resourceMetadata: 'http://127.0.0.1:3000/.well-known/x',
      realm: 'r',
    });
    expect(Object.isFrozen(options)).toBe(true);
    expect(validateChallengeOptions(options)).toBe(options);
    expect(renderChallenge({}, options)).toBe(
      'Bearer realm="r", resource_metadata="http://127.0.0.1:3000/.well-known/x"',
    );
  });
});

describe('challengeFor', () => {
  const options = { resourceMetadata: META };

  it('gives a MissingTokenError no error code (RFC 6750 3.1), but its scopes', () => {
    expect(challengeFor(new MissingTokenError(), options)).toBe(`Bearer resource_metadata="${META}"`);
    expect(challengeFor(new MissingTokenError('Authentication required', ['files:read']))).toBe(
      'Bearer scope="files:read"',
    );
  });

  it('renders invalid_request, invalid_token and insufficient_scope from the error', () => {
    expect(challengeFor(new InvalidRequestError('Two Authorization headers'))).toBe(
      'Bearer error="invalid_request", error_description="Two Authorization headers"',
    );
    expect(challengeFor(new InvalidTokenError('expired', 'The token expired'), options)).toBe(
      `Bearer error="invalid_token", error_description="The token expired", resource_metadata="${META}"`,
    );
    const scopeError = new InsufficientScopeError('Tool "write_file" requires scope "files:write".', {
      required: ['files:read', 'files:write'],
      missing: ['files:write'],
    });
    expect(challengeFor(scopeError)).toBe(
      `Bearer error="insufficient_scope", error_description="Tool 'write_file' requires scope 'files:write'.", scope="files:read files:write"`,
    );
  });

  it('returns undefined for errors without a challenge', () => {
    expect(challengeFor(new ForbiddenError('refused', 'rm'), options)).toBeUndefined();
    expect(challengeFor(new PolicyConfigError('unknown scope'), options)).toBeUndefined();
    expect(challengeFor(new OptionsError('issuer', 'issuer is missing'), options)).toBeUndefined();
  });
});
