import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AuthorizationServerUnavailableError, InvalidTokenError, OptionsError } from '../../src/errors.js';
import { memoryStateStore, type StateStore } from '../../src/state/state-store.js';
import { CachingVerifier } from '../../src/verify/caching-verifier.js';
import {
  IntrospectionVerifier,
  type IntrospectionVerifierOptions,
} from '../../src/verify/introspection-verifier.js';

const RESOURCE = 'https://mcp.example.com/mcp';
const ISSUER = 'https://as.example.com';
const CLIENT_ID = 'mcp server:1';
const CLIENT_SECRET = 'p@ss+word/ü %';
const NOW = 1_900_000_000;

interface Recorded {
  readonly authorization: string | undefined;
  readonly form: URLSearchParams;
}
type Reply = (res: ServerResponse) => void;

/** An RFC 7662 endpoint: answers from `replies` by token, records every request. */
class IntrospectionServer {
  readonly requests: Recorded[] = [];
  readonly replies = new Map<string, Reply>();
  #server: Server | undefined;
  url = '';

  async start(): Promise<void> {
    this.#server = createServer((req, res) => void this.#handle(req, res));
    await new Promise<void>((resolve) => this.#server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}/introspect`;
  }

  async close(): Promise<void> {
    this.#server?.closeAllConnections();
    await new Promise((resolve) => this.#server?.close(resolve));
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let raw = '';
    for await (const chunk of req) raw += String(chunk);
    const form = new URLSearchParams(raw);
    this.requests.push({ authorization: req.headers.authorization, form });
    const reply = this.replies.get(form.get('token') ?? '');
    if (reply) return reply(res);
    json({ active: false })(res);
  }
}

function json(body: unknown, status = 200): Reply {
  return (res) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
}

const active = (extra: Record<string, unknown> = {}) =>
  json({
    active: true,
    sub: 'alice',
    client_id: 'claude-desktop',
    scope: 'files:read files:write',
    aud: RESOURCE,
    iss: ISSUER,
    exp: NOW + 3600,
    iat: NOW - 10,
    token_type: 'Bearer',
    ...extra,
  });

/** Decodes client_secret_basic the way RFC 6749 2.3.1 servers must (form-urldecode after base64). */
function decodeBasic(header: string | undefined): [string, string] {
  const decoded = Buffer.from((header ?? '').replace(/^Basic /, ''), 'base64').toString('utf8');
  const [id, secret] = decoded.split(':').map((part) => decodeURIComponent(part.replace(/\+/g, ' ')));
  return [id!, secret!];
}

describe('IntrospectionVerifier', () => {
  const server = new IntrospectionServer();
  let now = NOW * 1000;
  const make = (options: Partial<IntrospectionVerifierOptions> = {}) =>
    new IntrospectionVerifier({
      endpoint: server.url,
      clientAuth: { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET },
      audience: RESOURCE,
      issuer: ISSUER,
      clock: () => now,
      ...options,
    });

  beforeAll(() => server.start());
  afterAll(() => server.close());
  beforeEach(() => {
    server.requests.length = 0;
    server.replies.clear();
    now = NOW * 1000;
  });

  it('maps an active response to a principal', async () => {
    server.replies.set('opaque-1', active());
    const principal = await make().verify('opaque-1');
    expect(principal).toMatchObject({
      subject: 'alice',
      clientId: 'claude-desktop',
      issuer: ISSUER,
      audience: [RESOURCE],
      expiresAt: NOW + 3600,
    });
    expect([...principal.scopes]).toEqual(['files:read', 'files:write']);
    expect(principal.token).toBe('opaque-1');
  });

  describe('client authentication', () => {
    it('client_secret_basic form-urlencodes id and secret before base64 (RFC 6749 2.3.1)', async () => {
      server.replies.set('t', active());
      await make().verify('t');
      const [request] = server.requests;
      expect(decodeBasic(request!.authorization)).toEqual([CLIENT_ID, CLIENT_SECRET]);
      expect(request!.form.get('token_type_hint')).toBe('access_token');
      expect(request!.form.has('client_secret')).toBe(false);
    });

    it('client_secret_post sends the credentials in the form, not a header', async () => {
      server.replies.set('t', active());
      await make({ clientAuth: { method: 'client_secret_post', clientId: 'rs', clientSecret: 's3' } }).verify(
        't',
      );
      const [request] = server.requests;
      expect(request!.authorization).toBeUndefined();
      expect(request!.form.get('client_id')).toBe('rs');
      expect(request!.form.get('client_secret')).toBe('s3');
    });

    it('bearer sends an access token for the introspection endpoint, from a string or a function', async () => {
      server.replies.set('t', active());
      await make({ clientAuth: { method: 'bearer', token: 'rs-token' } }).verify('t');
      await make({ clientAuth: { method: 'bearer', token: async () => 'fresh-token' } }).verify('t');
      expect(server.requests.map((r) => r.authorization)).toEqual(['Bearer rs-token', 'Bearer fresh-token']);
    });

    it('fails closed when the bearer token function throws', async () => {
      const verifier = make({
        clientAuth: { method: 'bearer', token: () => Promise.reject(new Error('no credentials')) },
      });
      await expect(verifier.verify('t')).rejects.toMatchObject({ reason: 'introspection_failed' });
      expect(server.requests).toHaveLength(0);
    });
  });

  describe('checks on the response', () => {
    const cases: [string, Record<string, unknown>, string][] = [
      ['a token for another resource', { aud: 'https://other.example.com/mcp' }, 'wrong_audience'],
      ['a token for another path of our host', { aud: 'https://mcp.example.com/admin' }, 'wrong_audience'],
      ['a token with no audience', { aud: undefined }, 'missing_claim'],
      ['an audience of the wrong type', { aud: 42 }, 'invalid_claim'],
      ['a token from another issuer', { iss: 'https://evil.example.com' }, 'wrong_issuer'],
      ['a response without iss', { iss: undefined }, 'missing_claim'],
      ['an exp in the past', { exp: NOW - 60 }, 'expired'],
      ['an exp that is a string', { exp: String(NOW + 60) }, 'invalid_claim'],
      ['an nbf in the future', { nbf: NOW + 600 }, 'not_yet_valid'],
      ['a refresh token presented as an access token', { token_type: 'refresh_token' }, 'wrong_type'],
      ['an exp of Infinity (1e400)', { exp: Infinity }, 'invalid_claim'],
      ['an nbf of -Infinity (-1e400)', { nbf: -Infinity }, 'invalid_claim'],
      ['an exp past the year 9999', { exp: 1e12 }, 'invalid_claim'],
      ['an iat that is negative', { iat: -1 }, 'invalid_claim'],
      ['a scope that is not a string', { scope: ['files:read'] }, 'invalid_claim'],
    ];
    it.each(cases)('refuses %s', async (_name, extra, reason) => {
      server.replies.set('t', active(extra));
      const error = await make()
        .verify('t')
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InvalidTokenError);
      expect((error as InvalidTokenError).reason).toBe(reason);
      expect((error as InvalidTokenError).status).toBe(401);
    });

    it('keeps cnf and accepts token_type DPoP: the flow decides, knowing the scheme (RFC 9449 section 6.2)', async () => {
      server.replies.set('t', active({ token_type: 'DPoP', cnf: { jkt: 'x' } }));
      await expect(make().verify('t')).resolves.toMatchObject({
        claims: expect.objectContaining({ cnf: { jkt: 'x' } }),
      });
      server.replies.set('u', active({ cnf: { 'x5t#S256': 'x' } }));
      await expect(make().verify('u')).resolves.toMatchObject({
        claims: expect.objectContaining({ cnf: { 'x5t#S256': 'x' } }),
      });
    });

    it('accepts any of several audiences and issuers, and audience: false skips the check', async () => {
      server.replies.set('t', active({ aud: ['https://x.example', RESOURCE] }));
      await expect(make({ audience: ['https://y.example', RESOURCE] }).verify('t')).resolves.toBeDefined();
      server.replies.set('u', active({ aud: undefined }));
      await expect(make({ audience: false }).verify('u')).resolves.toBeDefined();
    });

    it('requires requiredScopes, naming the missing ones', async () => {
      server.replies.set('t', active({ scope: 'files:read' }));
      const error = (await make({ requiredScopes: ['files:read', 'mcp:access'] })
        .verify('t')
        .catch((e: unknown) => e)) as InvalidTokenError;
      expect(error.reason).toBe('invalid_claim');
      expect(error.message).toContain('mcp:access');
      await expect(make({ requiredScopes: ['files:read'] }).verify('t')).resolves.toBeDefined();
    });

    it('maps active: false to inactive', async () => {
      await expect(make().verify('revoked')).rejects.toMatchObject({ reason: 'inactive' });
    });
  });

  describe('Security: failing open when the authorization server misbehaves', () => {
    const broken: [string, Reply][] = [
      ['HTTP 500', json({ error: 'server_error' }, 500)],
      ['HTTP 401 (bad credentials)', json({ error: 'invalid_client' }, 401)],
      ['a body that is not JSON', (res) => res.end('<html>oops</html>')],
      ['a JSON array', json([{ active: true }])],
      ['a JSON null', json(null)],
      ['active: "true" as a string', json({ active: 'true', aud: RESOURCE, iss: ISSUER })],
      ['no active member', json({ aud: RESOURCE, iss: ISSUER })],
      [
        'a redirect to another host',
        (res) => {
          res.writeHead(307, { location: 'http://127.0.0.2:1/steal' });
          res.end();
        },
      ],
    ];
    it.each(broken)('answers 503 introspection_failed for %s', async (_name, reply) => {
      server.replies.set('secret-opaque-token', reply);
      const error = (await make()
        .verify('secret-opaque-token')
        .catch((e: unknown) => e)) as AuthorizationServerUnavailableError;
      expect(error).toBeInstanceOf(AuthorizationServerUnavailableError);
      expect(error.reason).toBe('introspection_failed');
      expect(error.status).toBe(503);
      expect(error.message).not.toContain('secret-opaque-token');
    });

    it('times out a silent endpoint', async () => {
      const pending: ServerResponse[] = [];
      server.replies.set('t', (res) => pending.push(res));
      const error = (await make({ timeoutMs: 50 })
        .verify('t')
        .catch((e: unknown) => e)) as AuthorizationServerUnavailableError;
      expect(error).toMatchObject({ status: 503, reason: 'introspection_failed' });
      expect(error.message).toMatch(/did not answer within 50 ms/);
      for (const res of pending) res.end();
    });

    it('fails closed when nothing listens', async () => {
      const verifier = make({ endpoint: 'http://127.0.0.1:1/introspect' });
      await expect(verifier.verify('t')).rejects.toMatchObject({ reason: 'introspection_failed' });
    });

    it('refuses empty and oversized tokens without calling the endpoint', async () => {
      await expect(make().verify('')).rejects.toMatchObject({ reason: 'malformed' });
      await expect(make({ maxTokenBytes: 16 }).verify('x'.repeat(17))).rejects.toMatchObject({
        reason: 'too_large',
      });
      expect(server.requests).toHaveLength(0);
    });
  });

  describe('cache', () => {
    it('answers a repeated token from the cache and shares concurrent requests', async () => {
      server.replies.set('t', active());
      const verifier = make();
      const [a, b] = await Promise.all([verifier.verify('t'), verifier.verify('t')]);
      const c = await verifier.verify('t');
      expect(b).toBe(a);
      expect(c).toBe(a);
      expect(server.requests).toHaveLength(1);
    });

    it('asks again after maxTtlSeconds (default 60 s), so a revocation is seen', async () => {
      server.replies.set('t', active());
      const verifier = make();
      await verifier.verify('t');
      now += 59_000;
      await verifier.verify('t');
      expect(server.requests).toHaveLength(1);
      now += 1_000;
      server.replies.set('t', json({ active: false }));
      await expect(verifier.verify('t')).rejects.toMatchObject({ reason: 'inactive' });
      expect(server.requests).toHaveLength(2);
    });

    it('never serves a result past the token exp, even within maxTtlSeconds', async () => {
      server.replies.set('t', active({ exp: NOW + 10 }));
      const verifier = make({ cache: { maxTtlSeconds: 3600 }, clockTolerance: 0 });
      await verifier.verify('t');
      now += 10_000;
      await expect(verifier.verify('t')).rejects.toMatchObject({ reason: 'expired' });
      expect(server.requests).toHaveLength(2);
    });

    it('does not cache inactive results', async () => {
      const verifier = make();
      await expect(verifier.verify('t')).rejects.toMatchObject({ reason: 'inactive' });
      server.replies.set('t', active());
      await expect(verifier.verify('t')).resolves.toBeDefined();
      expect(server.requests).toHaveLength(2);
    });

    it('with cache: false asks every time', async () => {
      server.replies.set('t', active());
      const verifier = make({ cache: false });
      await verifier.verify('t');
      await verifier.verify('t');
      expect(server.requests).toHaveLength(2);
    });
  });

  it('refuses bad options at construction, naming the field', () => {
    const field = (options: Partial<IntrospectionVerifierOptions>) => {
      try {
        make(options);
      } catch (error) {
        expect(error).toBeInstanceOf(OptionsError);
        return (error as OptionsError).field;
      }
      throw new Error('expected an OptionsError');
    };
    expect(field({ endpoint: 'http://as.example.com/introspect' })).toBe('endpoint');
    expect(field({ endpoint: 'not a url' })).toBe('endpoint');
    expect(field({ clientAuth: undefined })).toBe('clientAuth');
    expect(field({ clientAuth: { clientId: 'a', clientSecret: '' } })).toBe('clientAuth.clientSecret');
    expect(field({ clientAuth: { method: 'bearer', token: '' } })).toBe('clientAuth.token');
    expect(field({ audience: undefined })).toBe('audience');
    expect(field({ audience: [] })).toBe('audience');
    expect(field({ requiredScopes: ['a b'] })).toBe('requiredScopes');
    expect(field({ timeoutMs: 0 })).toBe('timeoutMs');
    expect(field({ cache: { maxEntries: 0 } })).toBe('cache.maxEntries');
    expect(field({ cache: { maxTtlSeconds: -5 } })).toBe('cache.maxTtlSeconds');
    expect(() => make({ endpoint: 'https://as.example.com/introspect' })).not.toThrow();
  });

  describe('answers shared through a store (several instances)', () => {
    /** A memory store that records what is written to it. */
    const recordingStore = () => {
      const inner = memoryStateStore();
      const writes: { key: string; value: string; ttlMs: number }[] = [];
      const store: StateStore = {
        ...inner,
        set: (key, value, ttlMs) => {
          writes.push({ key, value, ttlMs });
          return inner.set(key, value, ttlMs);
        },
      };
      return { store, writes };
    };

    it('asks the authorization server once for instances sharing the store', async () => {
      const { store } = recordingStore();
      server.replies.set('shared-token', active());
      const instances = [1, 2, 3].map(() => make({ store }));
      await instances[0]!.verify('shared-token');
      await new Promise((resolve) => setImmediate(resolve));
      for (const instance of instances.slice(1)) {
        await expect(instance.verify('shared-token')).resolves.toMatchObject({ subject: 'alice' });
      }
      expect(server.requests).toHaveLength(1);
    });

    it('shares inactive answers too, briefly, and files everything under a hash, never the token', async () => {
      const { store, writes } = recordingStore();
      await expect(make({ store }).verify('revoked-token')).rejects.toMatchObject({ reason: 'inactive' });
      await new Promise((resolve) => setImmediate(resolve));
      await expect(make({ store }).verify('revoked-token')).rejects.toMatchObject({ reason: 'inactive' });
      expect(server.requests).toHaveLength(1);
      expect(writes).toHaveLength(1);
      expect(writes[0]!.ttlMs).toBeLessThanOrEqual(30_000);
      expect(JSON.stringify(writes)).not.toContain('revoked-token');
    });

    it('keeps an answer no longer than the token lives, nor than maxTtlSeconds', async () => {
      const { store, writes } = recordingStore();
      server.replies.set('short', active({ exp: NOW + 20 }));
      server.replies.set('long', active({ exp: NOW + 86_400 }));
      await make({ store }).verify('short');
      await make({ store, cache: { maxTtlSeconds: 45 } }).verify('long');
      expect(writes.map((write) => write.ttlMs)).toEqual([20_000, 45_000]);
    });

    it('Security: stale answer relayed between instances: a reader caches a shared answer only for what is left of maxTtlSeconds', async () => {
      const store = memoryStateStore({ clock: () => now });
      server.replies.set('t', active());
      const [a, b] = [make({ store }), make({ store })];
      await a.verify('t');
      await new Promise((resolve) => setImmediate(resolve));
      now += 50_000;
      await b.verify('t');
      expect(server.requests).toHaveLength(1);
      // 60 s after the authorization server answered: B asks, though it read the answer 10 s ago.
      now += 10_000;
      server.replies.set('t', json({ active: false }));
      await expect(b.verify('t')).rejects.toMatchObject({ reason: 'inactive' });
      expect(server.requests).toHaveLength(2);
    });

    it('Security: stale answer relayed between instances: an outer CachingVerifier keeps the bound too', async () => {
      const store = memoryStateStore({ clock: () => now });
      server.replies.set('t', active());
      await make({ store }).verify('t');
      await new Promise((resolve) => setImmediate(resolve));
      now += 50_000;
      const outer = new CachingVerifier(make({ store }), { maxTtlSeconds: 300, clock: () => now });
      await outer.verify('t');
      now += 10_000;
      server.replies.set('t', json({ active: false }));
      await expect(outer.verify('t')).rejects.toMatchObject({ reason: 'inactive' });
      expect(server.requests).toHaveLength(2);
    });

    it('asks the authorization server when the store fails, and answers as without it', async () => {
      const failing: StateStore = {
        ...memoryStateStore(),
        get: () => Promise.reject(new Error('ECONNREFUSED')),
        set: () => Promise.reject(new Error('ECONNREFUSED')),
      };
      server.replies.set('t', active());
      await expect(make({ store: failing }).verify('t')).resolves.toMatchObject({ subject: 'alice' });
      expect(server.requests).toHaveLength(1);
    });

    it('re-checks a shared answer against this instance: another audience refuses it', async () => {
      const { store } = recordingStore();
      server.replies.set('t', active());
      await make({ store }).verify('t');
      await new Promise((resolve) => setImmediate(resolve));
      await expect(
        make({ store, audience: 'https://other.example.com/mcp' }).verify('t'),
      ).rejects.toMatchObject({
        reason: 'wrong_audience',
      });
    });

    it('refuses a store that is not one, naming the option', () => {
      expect(() => make({ store: {} as StateStore })).toThrow(expect.objectContaining({ field: 'store' }));
    });
  });
});
