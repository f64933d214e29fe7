import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { MissingTokenError, OriginNotAllowedError, type ValetError } from '../../src/errors.js';
import type { Principal } from '../../src/principal.js';
import type { TokenVerifier } from '../../src/verify/token-verifier.js';
import type { AdmitRequest, Valet, ValetOptions } from '../../src/valet.js';
import { rejectionOf } from '../support/errors.js';
import { RESOURCE, valetFixture, type ValetFixture } from '../support/valet-fixture.js';

// A page on evil.example whose DNS name the attacker then points at the victim's server (often
// 127.0.0.1): the browser still sends the attacker's Origin (on POST) and Host (always), never a
// token it does not hold, but a local server that trusts its network answers anyway. Valet
// refuses such a request first, whatever its credentials.

const LOOPBACK_RESOURCE = 'http://127.0.0.1:3000/mcp';

let fixture: ValetFixture;
let token: string;

beforeAll(async () => {
  fixture = await valetFixture();
  token = await fixture.bearer({ scopes: ['files:read'] });
});

afterAll(() => fixture.close());

/** A read_file request with a valid token and these headers. */
const withToken = (headers: Pick<AdmitRequest, 'origin' | 'host'>): AdmitRequest => ({
  ...headers,
  authorization: token,
  operations: [{ id: 'read_file' }],
});

const valetFor = (resource: string, overrides: Partial<ValetOptions> = {}): Valet =>
  fixture.valetWith({ resource, ...overrides });

async function expectServed(valet: Valet, headers: Pick<AdmitRequest, 'origin' | 'host'>): Promise<void> {
  await expect(valet.admit(withToken(headers))).resolves.toMatchObject({ subject: 'test-user' });
}

async function expectRefused(
  valet: Valet,
  headers: Pick<AdmitRequest, 'origin' | 'host'>,
  header: 'origin' | 'host',
): Promise<OriginNotAllowedError> {
  const error = await rejectionOf(valet.admit(withToken(headers)), OriginNotAllowedError);
  expect(error).toMatchObject({ code: 'ERR_ORIGIN_NOT_ALLOWED', status: 403, header });
  return error;
}

describe('Security: DNS rebinding: a resource on a public name (default: its own origin; Host unchecked)', () => {
  const valet = () => valetFor(RESOURCE);

  it.each([
    ['no Origin (a non-browser client)', {}],
    ['its own origin', { origin: 'https://api.example.test' }],
    ['its own origin, written differently', { origin: 'HTTPS://API.Example.TEST:443' }],
    ['any Host (proxies rewrite it)', { host: 'evil.example' }],
  ])('serves %s', async (_name, headers) => {
    await expectServed(valet(), headers);
  });

  it.each([
    'https://evil.example',
    'http://api.example.test',
    'https://api.example.test:8443',
    'https://api.example.test.evil.example',
    'https://evil.example.api.example.test',
    'http://localhost:3000',
    'http://127.0.0.1:3000',
  ])('refuses Origin %s, with a valid token', async (origin) => {
    await expectRefused(valet(), { origin }, 'origin');
  });

  it.each([
    ['the null origin (sandboxed frames, local files)', 'null'],
    ['a path', 'https://api.example.test/mcp'],
    ['credentials', 'https://user@api.example.test'],
    ['a repeated header, joined', 'https://api.example.test, https://evil.example'],
    ['an empty value', ''],
    ['no scheme', 'api.example.test'],
    ['a port past 65535', 'https://api.example.test:65536'],
    ['a very long value', `https://${'a'.repeat(400)}.example`],
  ])('refuses %s', async (_name, origin) => {
    await expectRefused(valet(), { origin }, 'origin');
  });
});

describe('Security: DNS rebinding: a resource on a loopback host (default: loopback origins, loopback Host)', () => {
  const valet = () => valetFor(LOOPBACK_RESOURCE);

  it.each([
    'http://localhost:5173',
    'http://127.0.0.1:6274',
    'http://[::1]:8080',
    'https://localhost',
    'http://127.0.0.1:3000',
    'http://LOCALHOST:3000',
    'http://app.localhost:3000',
  ])('serves Origin %s', async (origin) => {
    await expectServed(valet(), { origin, host: '127.0.0.1:3000' });
  });

  it.each(['127.0.0.1:3000', 'localhost:3000', 'LOCALHOST:1234', '[::1]:3000', 'localhost', '127.0.0.2'])(
    'serves Host %s',
    async (host) => {
      await expectServed(valet(), { host });
    },
  );

  it('serves a request without Origin and Host', async () => {
    await expectServed(valet(), {});
  });

  it.each([
    'http://evil.example:3000',
    'http://localhost.evil.example:3000',
    'http://127.0.0.1.nip.io:3000',
    'ws://localhost:3000',
    'chrome-extension://abcdefghijklmnop',
    'https://api.example.test',
  ])('refuses Origin %s, with a valid token', async (origin) => {
    await expectRefused(valet(), { origin, host: '127.0.0.1:3000' }, 'origin');
  });

  it.each([
    ['the attacker’s name', 'evil.example:3000'],
    ['the attacker’s name without a port', 'evil.example'],
    ['a name that starts like loopback', '127.0.0.1.evil.example:3000'],
    ['a repeated header, joined', '127.0.0.1:3000, evil.example:3000'],
    ['a URL', 'http://127.0.0.1:3000'],
    ['a path', 'localhost:3000/mcp'],
    ['an empty value', ''],
  ])('refuses Host: %s, even without an Origin (a same-origin GET after rebinding)', async (_name, host) => {
    await expectRefused(valet(), { host }, 'host');
  });

  it('refuses a loopback Origin that arrives with the attacker’s Host', async () => {
    await expectRefused(valet(), { origin: 'http://localhost:3000', host: 'evil.example:3000' }, 'host');
  });

  it('counts the resource as loopback by its name too (localhost, [::1])', async () => {
    for (const resource of ['http://localhost:8080/mcp', 'http://[::1]:8080/mcp']) {
      await expectServed(valetFor(resource), { origin: 'http://127.0.0.1:5173', host: 'localhost:8080' });
      await expectRefused(valetFor(resource), { host: 'evil.example:8080' }, 'host');
    }
  });
});

describe('Security: DNS rebinding: the refusal comes first and says what to configure', () => {
  const counting = (): TokenVerifier & { calls: number } => {
    const verifier = {
      calls: 0,
      verify(): Promise<Principal> {
        verifier.calls += 1;
        return Promise.reject(new Error('not reached'));
      },
    };
    return verifier;
  };

  it('reads no credential: no token, a bad token or none, the answer is the same 403', async () => {
    const verifier = counting();
    const valet = valetFor(LOOPBACK_RESOURCE, { verifier });
    const origin = 'https://evil.example';
    for (const request of [
      { origin },
      { origin, authorization: 'Bearer abc.def.ghi' },
      { origin, authorization: ['Bearer a', 'Bearer b'] },
      { origin, query: 'access_token=abc' },
      { origin, optional: true },
      { host: 'evil.example', operations: [{ id: 'health' }], optional: true },
    ]) {
      await expect(valet.admit(request)).rejects.toBeInstanceOf(OriginNotAllowedError);
    }
    expect(verifier.calls).toBe(0);
  });

  it('checks a request whose caller an earlier step admitted too', async () => {
    const principal = await valetFor(RESOURCE).admit(withToken({}));
    await expect(
      valetFor(RESOURCE).admit({
        principal,
        origin: 'https://evil.example',
        operations: [{ id: 'read_file' }],
      }),
    ).rejects.toBeInstanceOf(OriginNotAllowedError);
  });

  it('leaves the rest of the flow as it was for an allowed origin', async () => {
    await expect(valetFor(RESOURCE).admit({ origin: 'https://api.example.test' })).rejects.toBeInstanceOf(
      MissingTokenError,
    );
  });

  it('renders as 403 access_denied without a challenge (no token helps), and never echoes the token', async () => {
    const valet = valetFor(RESOURCE);
    const error = await expectRefused(valet, { origin: 'https://evil.example' }, 'origin');
    expect(error.message).toBe(
      'Origin "https://evil.example" is not allowed to call this server (DNS rebinding protection). ' +
        'To serve browser pages from it, list it in createValet({ allowedOrigins }).',
    );
    const response = valet.errorResponse(error)!;
    expect(response.status).toBe(403);
    expect(response.headers['www-authenticate']).toBeUndefined();
    expect(response.body).toEqual({ error: 'access_denied', error_description: error.message });
    expect(JSON.stringify(response)).not.toContain(token.slice('Bearer '.length));
  });

  it.each([
    [{ host: 'Evil.Example:3000' }, 'host', 'Host "evil.example:3000" is not a name this server answers to'],
    [{ origin: 'null' }, 'origin', "only createValet({ allowedOrigins: '*' }) accepts it"],
    [{ origin: 'https://a.example, https://b.example' }, 'origin', 'The Origin header is not one origin'],
    [{ host: 'a.example, b.example' }, 'host', 'The Host header is not one host[:port].'],
  ] as const)('names the header and the option: %j', async (headers, header, text) => {
    const error: ValetError = await expectRefused(valetFor(LOOPBACK_RESOURCE), headers, header);
    expect(error.message).toContain(text);
  });
});

describe('Security: DNS rebinding: allowedOrigins and allowedHosts', () => {
  it('allowedOrigins replaces the default: listed origins only, normalised', async () => {
    const valet = valetFor(RESOURCE, {
      allowedOrigins: ['https://App.Example.com', 'http://localhost:5173/', 'https://api.example.test:8443'],
    });
    for (const origin of [
      'https://app.example.com',
      'http://localhost:5173',
      'https://api.example.test:8443',
    ]) {
      await expectServed(valet, { origin });
    }
    for (const origin of ['https://api.example.test', 'http://localhost:5174', 'https://evil.example']) {
      await expectRefused(valet, { origin }, 'origin');
    }
    await expectServed(valet, {});
  });

  it('allowedOrigins on a loopback resource drops the loopback default, and keeps the Host check', async () => {
    const valet = valetFor(LOOPBACK_RESOURCE, { allowedOrigins: ['https://app.example.com'] });
    await expectServed(valet, { origin: 'https://app.example.com', host: 'localhost:3000' });
    await expectRefused(valet, { origin: 'http://localhost:5173', host: 'localhost:3000' }, 'origin');
    await expectRefused(valet, { origin: 'https://app.example.com', host: 'evil.example' }, 'host');
  });

  it('allowedOrigins: [] refuses every browser page and serves other clients', async () => {
    const valet = valetFor(LOOPBACK_RESOURCE, { allowedOrigins: [] });
    await expectRefused(valet, { origin: 'http://localhost:3000' }, 'origin');
    await expectServed(valet, {});
  });

  it("allowedOrigins: '*' serves any origin and null, still refuses a malformed one and checks Host", async () => {
    const valet = valetFor(LOOPBACK_RESOURCE, { allowedOrigins: '*' });
    for (const origin of ['https://evil.example', 'null', 'http://localhost:5173']) {
      await expectServed(valet, { origin, host: 'localhost:3000' });
    }
    await expectRefused(valet, { origin: 'https://a.example, https://b.example' }, 'origin');
    await expectRefused(valet, { origin: 'https://evil.example', host: 'evil.example' }, 'host');
  });

  it('allowedHosts replaces the loopback default: a name matches any port, host:port that port only', async () => {
    const valet = valetFor(LOOPBACK_RESOURCE, { allowedHosts: ['files.internal', 'LOCALHOST:3000'] });
    for (const host of ['files.internal', 'files.internal:8080', 'FILES.INTERNAL:80', 'localhost:3000']) {
      await expectServed(valet, { host });
    }
    for (const host of ['localhost:3001', 'localhost', '127.0.0.1:3000', 'evil.example']) {
      await expectRefused(valet, { host }, 'host');
    }
  });

  it('allowedHosts turns the Host check on for a resource on a public name', async () => {
    const valet = valetFor(RESOURCE, { allowedHosts: ['api.example.test'] });
    await expectServed(valet, { host: 'api.example.test' });
    await expectRefused(valet, { host: '10.0.0.7:8080' }, 'host');
  });
});

describe('createValet: allowedOrigins and allowedHosts are checked at start-up, naming the field', () => {
  it.each([
    ['a string other than *', 'https://app.example.com', 'must be'],
    ['an origin with a path', ['https://app.example.com/app'], 'is not an origin'],
    ['a host without a scheme', ['app.example.com'], 'is not an origin'],
    ['credentials', ['https://user:pw@app.example.com'], 'is not an origin'],
    ['a query', ['https://app.example.com?x=1'], 'is not an origin'],
    ['not a string', [42], 'is not an origin'],
    ['* inside a list', ['*'], "give '*' on its own"],
    ['the null origin', ['null'], 'cannot list "null"'],
  ])('allowedOrigins: %s', (_why, allowedOrigins, text) => {
    expect(() =>
      valetFor(RESOURCE, { allowedOrigins: allowedOrigins as ValetOptions['allowedOrigins'] }),
    ).toThrow(
      expect.objectContaining({
        name: 'OptionsError',
        field: 'allowedOrigins',
        message: expect.stringContaining(text),
      }),
    );
  });

  it.each([
    ['empty', [], 'non-empty array'],
    ['a string', 'files.example.com', 'non-empty array'],
    ['a URL', ['https://files.example.com/mcp'], 'give the host of the URL: "files.example.com"'],
    ['a path', ['files.example.com/mcp'], 'is not a host name'],
    ['a port past 65535', ['files.example.com:70000'], 'is not a host name'],
    ['not a string', [null], 'is not a host name'],
  ])('allowedHosts: %s', (_why, allowedHosts, text) => {
    expect(() =>
      valetFor(RESOURCE, { allowedHosts: allowedHosts as unknown as ValetOptions['allowedHosts'] }),
    ).toThrow(
      expect.objectContaining({
        name: 'OptionsError',
        field: 'allowedHosts',
        message: expect.stringContaining(text),
      }),
    );
  });
});
