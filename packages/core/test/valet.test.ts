import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createTestIssuer, type TestIssuer } from '@valet/testing';
import { memoryAuditSink } from '../src/audit/memory-sink.js';
import {
  ForbiddenError,
  InsufficientScopeError,
  InvalidRequestError,
  InvalidTokenError,
  MissingTokenError,
  OptionsError,
  PolicyConfigError,
} from '../src/errors.js';
import { allOf, check, publicAccess } from '../src/policy/policy.js';
import { PolicyRegistry } from '../src/policy/registry.js';
import { defineScopes } from '../src/policy/scope-catalog.js';
import { createValet, type ValetOptions } from '../src/valet.js';
import { CachingVerifier } from '../src/verify/caching-verifier.js';
import { JwtVerifier } from '../src/verify/jwt-verifier.js';
import type { TokenVerifier } from '../src/verify/token-verifier.js';

const RESOURCE = 'https://api.example.test/mcp';
const METADATA_URL = 'https://api.example.test/.well-known/oauth-protected-resource/mcp';

let issuer: TestIssuer;
let verifier: JwtVerifier;

beforeAll(async () => {
  issuer = await createTestIssuer({ audience: RESOURCE });
  verifier = new JwtVerifier({ issuer: issuer.url, audience: RESOURCE, jwksUri: issuer.jwksUri });
});

afterAll(() => issuer.close());

const catalog = () =>
  defineScopes({
    'files:read': { description: 'Read files', basic: true },
    'files:write': { description: 'Write files', implies: ['files:read'] },
  });

function valetWith(overrides: Partial<ValetOptions> = {}) {
  const registry =
    overrides.registry ??
    new PolicyRegistry({ catalog: catalog() })
      .register({ id: 'read_file', kind: 'tool', policy: allOf('files:read') })
      .register({ id: 'write_file', kind: 'tool', policy: allOf('files:write') })
      .register({ id: 'health', kind: 'route', policy: publicAccess() });
  return createValet({
    verifier,
    authorizationServers: [issuer.url],
    resource: RESOURCE,
    ...overrides,
    registry,
  });
}

function optionsError(build: () => unknown): OptionsError {
  try {
    build();
  } catch (error) {
    if (error instanceof OptionsError) return error;
    throw error;
  }
  throw new Error('expected an OptionsError');
}

describe('createValet: options are checked at start-up, naming the field', () => {
  it.each([
    ['registry', 'not a PolicyRegistry', () => valetWith({ registry: {} as PolicyRegistry })],
    ['verifier', 'neither verifier nor idp', () => valetWith({ verifier: undefined })],
    [
      'verifier',
      'no verify method',
      () => valetWith({ verifier: { verify: 'no' } as unknown as JwtVerifier }),
    ],
    [
      'verifier',
      'both verifier and idp',
      () => valetWith({ idp: { name: 'x', issuer: issuer.url, authorizationServer: issuer.url, verifier } }),
    ],
    ['authorizationServers', 'empty', () => valetWith({ authorizationServers: [] })],
    ['resource', 'not http(s)', () => valetWith({ resource: 'ftp://api.example.test/mcp' })],
    ['realm', 'a line break', () => valetWith({ realm: 'line\nbreak' })],
    ['challengeScopes', 'not scope tokens', () => valetWith({ challengeScopes: ['two words'] })],
    ['maxTokenBytes', 'zero', () => valetWith({ maxTokenBytes: 0 })],
    ['audit', 'no record method', () => valetWith({ audit: {} as ReturnType<typeof memoryAuditSink> })],
  ])('%s: %s', (field, _why, build) => {
    expect(optionsError(build).field).toBe(field);
  });

  it('takes the verifier and authorization server from an idp preset', () => {
    const valet = valetWith({
      verifier: undefined,
      authorizationServers: undefined,
      idp: { name: 'test', issuer: issuer.url, authorizationServer: issuer.url, verifier },
    });
    expect(valet.verifier).toBe(verifier);
    expect(valet.metadata().authorization_servers).toEqual([issuer.url]);
  });

  it('publishes the path-aware metadata URL and the paths to serve it at', () => {
    const valet = valetWith();
    expect(valet.metadataUrl.href).toBe(METADATA_URL);
    expect(valet.metadataPaths).toEqual([
      '/.well-known/oauth-protected-resource/mcp',
      '/.well-known/oauth-protected-resource',
    ]);
    expect(Object.isFrozen(valet)).toBe(true);
  });
});

describe('Valet.authenticate', () => {
  it('returns the principal of a valid bearer token', async () => {
    const token = await issuer.mint({ scopes: ['files:read'], audience: RESOURCE, subject: 'alice' });
    const principal = await valetWith().authenticate({ authorization: `Bearer ${token}` });
    expect(principal?.subject).toBe('alice');
    expect([...principal!.scopes]).toEqual(['files:read']);
  });

  it('refuses a request without credentials unless optional, then answers null', async () => {
    const valet = valetWith();
    await expect(valet.authenticate({})).rejects.toBeInstanceOf(MissingTokenError);
    await expect(
      valet.authenticate({ authorization: 'Basic dXNlcjpwYXNz', optional: true }),
    ).resolves.toBeNull();
  });

  it('refuses a bad token even when optional', async () => {
    const valet = valetWith();
    const expired = await issuer.expired({ audience: RESOURCE });
    await expect(
      valet.authenticate({ authorization: `Bearer ${expired}`, optional: true }),
    ).rejects.toBeInstanceOf(InvalidTokenError);
  });

  it('refuses a malformed request even when optional (query token, repeated header)', async () => {
    const valet = valetWith();
    await expect(valet.authenticate({ query: '?access_token=abc', optional: true })).rejects.toBeInstanceOf(
      InvalidRequestError,
    );
    await expect(
      valet.authenticate({ authorization: ['Bearer a', 'Bearer b'], optional: true }),
    ).rejects.toBeInstanceOf(InvalidRequestError);
  });

  it('applies maxTokenBytes before verifying', async () => {
    const valet = valetWith({ maxTokenBytes: 16 });
    const error = await valet
      .authenticate({ authorization: `Bearer ${'a'.repeat(17)}` })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidTokenError);
    expect((error as InvalidTokenError).reason).toBe('too_large');
  });

  it('answers a verifier that throws synchronously with a rejection, never a throw', async () => {
    const throwing: TokenVerifier = {
      verify: () => {
        throw new InvalidTokenError('malformed', 'The token is not a well-formed signed JWT.');
      },
    };
    const valet = valetWith({ verifier: throwing });
    let pending: Promise<unknown> | undefined;
    expect(() => {
      pending = valet.authenticate({ authorization: 'Bearer abc' });
    }).not.toThrow();
    await expect(pending).rejects.toBeInstanceOf(InvalidTokenError);
  });

  describe("with a caching verifier's cached(token)", () => {
    it('answers a cached token from cached() without verifying it again', async () => {
      const token = await issuer.mint({ scopes: ['files:read'], audience: RESOURCE, subject: 'carol' });
      const caching = new CachingVerifier(verifier);
      const valet = valetWith({ verifier: caching });
      const first = await valet.authenticate({ authorization: `Bearer ${token}` });
      await expect(valet.authenticate({ authorization: `Bearer ${token}` })).resolves.toBe(first);
      expect(caching.stats).toMatchObject({ hits: 1, misses: 1 });
    });

    it('still refuses a token outside the b64token syntax with 400 when nothing is cached for it', async () => {
      let verified = 0;
      const valet = valetWith({
        verifier: {
          verify: () => {
            verified++;
            return Promise.reject(new InvalidTokenError('malformed', 'unreachable'));
          },
          cached: () => undefined,
        },
      });
      await expect(valet.authenticate({ authorization: 'Bearer a!b' })).rejects.toBeInstanceOf(
        InvalidRequestError,
      );
      expect(verified).toBe(0);
    });

    it('turns a cached() that throws into a rejection', async () => {
      const valet = valetWith({
        verifier: {
          verify: () => Promise.reject(new InvalidTokenError('malformed', 'unreachable')),
          cached: () => {
            throw new InvalidTokenError('malformed', 'broken cache');
          },
        },
      });
      await expect(valet.authenticate({ authorization: 'Bearer abc' })).rejects.toBeInstanceOf(
        InvalidTokenError,
      );
    });
  });
});

describe('Valet.authenticateNow', () => {
  it('answers a cached token with its principal itself, the one authenticate resolves to', async () => {
    const valet = valetWith({ verifier: new CachingVerifier(verifier) });
    const token = await issuer.mint({ scopes: ['files:read'], audience: RESOURCE, subject: 'alice' });
    const request = { authorization: `Bearer ${token}` };
    const first = valet.authenticateNow(request);
    expect(first).toBeInstanceOf(Promise);
    const principal = await first;
    expect(principal?.subject).toBe('alice');
    expect(valet.authenticateNow(request)).toBe(principal);
    expect(valet.authenticateNow({ authorization: `bearer   ${token}  ` })).toBe(principal);
    await expect(valet.authenticate(request)).resolves.toBe(principal);
  });

  it('answers an optional request without credentials with null, and refuses a required one', async () => {
    const valet = valetWith({ verifier: new CachingVerifier(verifier) });
    expect(valet.authenticateNow({ optional: true })).toBeNull();
    expect(valet.authenticateNow({ authorization: 'Basic dXNlcjpwYXNz', optional: true })).toBeNull();
    await expect(valet.authenticateNow({})).rejects.toBeInstanceOf(MissingTokenError);
  });

  it('Attack: refuses every request authenticate refuses, even with a cached token', async () => {
    const valet = valetWith({ verifier: new CachingVerifier(verifier) });
    const token = await issuer.mint({ scopes: ['files:read'], audience: RESOURCE });
    await valet.authenticate({ authorization: `Bearer ${token}` });
    const refused = [
      { authorization: [`Bearer ${token}`, `Bearer ${token}`] },
      { authorization: `Bearer ${token}`, query: `?access_token=${token}` },
      { authorization: `Bearer ${token}`, body: { access_token: token } },
      { authorization: `Bearer\t${token}` },
      { authorization: `Basic abc, Bearer ${token}` },
      { authorization: `Bearer ${token}x` },
      { authorization: `Bearer ${token.slice(0, -1)}` },
      { authorization: `Bearer ${token}`, optional: true, query: '?access_token=x' },
    ];
    for (const request of refused) {
      const now = valet.authenticateNow(request);
      expect(now).toBeInstanceOf(Promise);
      await expect(now).rejects.toThrow();
      await expect(valet.authenticate(request)).rejects.toThrow();
    }
  });

  it('waits for a verifier without a cache, and never throws for one whose cache does', async () => {
    const token = await issuer.mint({ scopes: ['files:read'], audience: RESOURCE, subject: 'bob' });
    const uncached = valetWith().authenticateNow({ authorization: `Bearer ${token}` });
    expect(uncached).toBeInstanceOf(Promise);
    await expect(uncached).resolves.toMatchObject({ subject: 'bob' });
    const throwing: TokenVerifier = {
      verify: (t) => verifier.verify(t),
      cached: () => {
        throw new Error('broken cache');
      },
    };
    const now = valetWith({ verifier: throwing }).authenticateNow({ authorization: `Bearer ${token}` });
    await expect(now).rejects.toThrow('broken cache');
  });
});

describe('Valet.enforce', () => {
  it('returns the decision when allowed, with implied scopes counted', async () => {
    const valet = valetWith();
    const principal = await valet.authenticate({
      authorization: `Bearer ${await issuer.mint({ scopes: ['files:write'], audience: RESOURCE })}`,
    });
    const decision = await valet.enforce(principal, 'read_file');
    expect(decision.allowed).toBe(true);
  });

  it('throws MissingTokenError for an anonymous caller, carrying the scopes needed', async () => {
    const error = await valetWith()
      .enforce(null, 'write_file')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MissingTokenError);
    expect((error as MissingTokenError).scopes).toEqual(['files:write']);
  });

  it('throws InsufficientScopeError naming the required scopes', async () => {
    const valet = valetWith();
    const token = await issuer.mint({ scopes: ['files:read'], audience: RESOURCE });
    const principal = await valet.authenticate({ authorization: `Bearer ${token}` });
    const error = await valet.enforce(principal, 'write_file').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InsufficientScopeError);
    expect((error as InsufficientScopeError).required).toEqual(['files:write']);
  });

  it('throws ForbiddenError for an unknown operation (default deny) and for a refusing check', async () => {
    const registry = new PolicyRegistry().register({
      id: 'own_file',
      kind: 'tool',
      policy: check('owner', (p, ctx) => (ctx.arguments as { owner: string }).owner === p.subject),
    });
    const valet = valetWith({ registry });
    const principal = await valet.authenticate({
      authorization: `Bearer ${await issuer.mint({ audience: RESOURCE, subject: 'alice' })}`,
    });
    await expect(valet.enforce(principal, 'nope')).rejects.toBeInstanceOf(ForbiddenError);
    await expect(
      valet.enforce(principal, 'own_file', { arguments: { owner: 'bob' } }),
    ).rejects.toBeInstanceOf(ForbiddenError);
    await expect(
      valet.enforce(principal, 'own_file', { arguments: { owner: 'alice' } }),
    ).resolves.toMatchObject({
      allowed: true,
    });
  });

  it('sends every decision to the audit sink', async () => {
    const audit = memoryAuditSink();
    const valet = valetWith({ audit });
    await valet.enforce(null, 'health');
    await valet.enforce(null, 'read_file').catch(() => undefined);
    expect(audit.events.map((e) => [e.operationId, e.allowed])).toEqual([
      ['health', true],
      ['read_file', false],
    ]);
  });

  it('waits for an async check, and answers an audit sink that throws with a rejection', async () => {
    const registry = new PolicyRegistry().register({
      id: 'slow',
      kind: 'tool',
      policy: check('later', async (p) => p.subject === 'alice'),
    });
    const valet = valetWith({ registry });
    const as = async (subject: string) =>
      valet.authenticate({ authorization: `Bearer ${await issuer.mint({ audience: RESOURCE, subject })}` });
    await expect(valet.enforce(await as('alice'), 'slow')).resolves.toMatchObject({ allowed: true });
    await expect(valet.enforce(await as('bob'), 'slow')).rejects.toBeInstanceOf(ForbiddenError);
    const audited = valetWith({
      audit: {
        record: () => {
          throw new Error('audit log unavailable');
        },
      },
    });
    let pending: Promise<unknown> | undefined;
    expect(() => {
      pending = audited.enforce(null, 'health');
    }).not.toThrow();
    await expect(pending).rejects.toThrow('audit log unavailable');
  });
});

describe('Valet.errorResponse', () => {
  it('renders a 401 with resource_metadata and the catalog basic scopes when the error names none', () => {
    const response = valetWith().errorResponse(new InvalidTokenError('expired', 'The token has expired.'));
    expect(response?.status).toBe(401);
    expect(response?.headers['www-authenticate']).toBe(
      `Bearer error="invalid_token", error_description="The token has expired.", scope="files:read", resource_metadata="${METADATA_URL}"`,
    );
  });

  it('uses challengeScopes and realm when given', () => {
    const valet = valetWith({ challengeScopes: ['files:write'], realm: 'files' });
    expect(valet.errorResponse(new MissingTokenError())?.headers['www-authenticate']).toBe(
      `Bearer realm="files", scope="files:write", resource_metadata="${METADATA_URL}"`,
    );
  });

  it('keeps the scopes an error names (insufficient scope)', () => {
    const error = new InsufficientScopeError('Needs write.', { required: ['files:write'] });
    expect(valetWith().errorResponse(error)?.headers['www-authenticate']).toBe(
      `Bearer error="insufficient_scope", error_description="Needs write.", scope="files:write", resource_metadata="${METADATA_URL}"`,
    );
  });

  it('answers configuration errors with a 500 that says nothing about the configuration', () => {
    const response = valetWith().errorResponse(new PolicyConfigError('Secret layout of the policies.'));
    expect(response?.status).toBe(500);
    expect(response?.headers['www-authenticate']).toBeUndefined();
    expect(JSON.stringify(response?.body)).not.toContain('Secret');
  });

  it('returns undefined for an error that is not Valet’s', () => {
    expect(valetWith().errorResponse(new Error('boom'))).toBeUndefined();
    expect(valetWith().errorResponse('boom')).toBeUndefined();
  });
});

describe('Valet.metadata', () => {
  it('is built on first use, after operations registered late, and freezes the registry', () => {
    const registry = new PolicyRegistry();
    const valet = valetWith({ registry });
    registry.register({ id: 'GET /files', kind: 'route', policy: allOf('files:list') });
    expect(registry.frozen).toBe(false);
    const metadata = valet.metadata();
    expect(registry.frozen).toBe(true);
    expect(metadata).toMatchObject({
      resource: RESOURCE,
      authorization_servers: [issuer.url],
      scopes_supported: ['files:list'],
      bearer_methods_supported: ['header'],
    });
    expect(valet.metadata()).toBe(metadata);
  });

  it('freeze() validates every policy at once', () => {
    const registry = new PolicyRegistry({ catalog: catalog() });
    const valet = valetWith({ registry });
    registry.register({ id: 'w', kind: 'tool', policy: allOf('file:write') });
    expect(() => valet.freeze()).toThrow(/Did you mean "files:write"/);
  });
});
