import { describe, expect, it } from '@jest/globals';
import { InsufficientScopeError, InvalidTokenError, RateLimitedError } from '../../src/errors.js';
import { describePolicy } from '../../src/policy/describe.js';
import { allOf, publicAccess, rateLimited } from '../../src/policy/policy.js';
import { PolicyRegistry } from '../../src/policy/registry.js';
import { createPrincipal, type Principal } from '../../src/principal.js';
import { memoryStateStore, type StateStore } from '../../src/state/state-store.js';
import { createValet, type RequestedOperation, type Valet } from '../../src/valet.js';
import type { TokenVerifier } from '../../src/verify/token-verifier.js';

const RESOURCE = 'https://api.example.test/mcp';

/** Callers by token: `<issuer>.<subject>.<client>`; every caller has `search:read`, `nobody` has no scope. */
const verifier: TokenVerifier = {
  verify: async (token) => {
    const [issuer, subject, clientId] = token.split('.');
    if (subject === undefined) throw new InvalidTokenError('malformed', 'The token is not a test token.');
    const scopes = subject === 'nobody' ? [] : ['search:read'];
    return createPrincipal({ issuer, subject, clientId, scopes, token });
  },
};

const registry = (): PolicyRegistry =>
  new PolicyRegistry()
    .register({ id: 'search', kind: 'tool', policy: rateLimited(allOf('search:read'), '2/m') })
    .register({ id: 'index', kind: 'tool', policy: rateLimited(allOf('search:read'), '2/m') })
    .register({ id: 'open', kind: 'tool', policy: rateLimited(publicAccess(), '1/m') })
    .register({ id: 'free', kind: 'tool', policy: allOf('search:read') });

function valetWith(store: StateStore = memoryStateStore(), reg = registry()): Valet {
  return createValet({
    registry: reg,
    verifier,
    resource: RESOURCE,
    authorizationServers: ['https://as.example.test'],
    store,
  });
}

const call = (valet: Valet, token: string | undefined, ...ids: string[]): Promise<Principal | null> =>
  valet.admit({
    ...(token === undefined ? { optional: true } : { authorization: `Bearer ${token}` }),
    operations: ids.map((id): RequestedOperation => ({ id })),
  });

describe('Rate limits: counted per operation and per caller', () => {
  it('lets the limit through, then refuses with 429 RateLimitedError', async () => {
    const valet = valetWith();
    await expect(call(valet, 'iss.alice.app', 'search')).resolves.toMatchObject({ subject: 'alice' });
    await expect(call(valet, 'iss.alice.app', 'search')).resolves.toMatchObject({ subject: 'alice' });
    const refused = call(valet, 'iss.alice.app', 'search');
    await expect(refused).rejects.toBeInstanceOf(RateLimitedError);
    await expect(refused).rejects.toMatchObject({
      code: 'ERR_RATE_LIMITED',
      status: 429,
      operationId: 'search',
      limit: 2,
      windowSeconds: 60,
      remaining: 0,
      resetSeconds: 60,
      retryAfter: 60,
      message: 'Tool "search" allows at most 2 per minute per caller; retry in 60 s.',
    });
  });

  it.each([
    ['another subject', 'iss.bob.app'],
    ['another client of the same subject', 'iss.alice.cli'],
    ['the same subject at another issuer', 'other.alice.app'],
  ])('counts %s apart', async (_who, other) => {
    const valet = valetWith();
    await call(valet, 'iss.alice.app', 'search');
    await call(valet, 'iss.alice.app', 'search');
    await expect(call(valet, 'iss.alice.app', 'search')).rejects.toBeInstanceOf(RateLimitedError);
    await expect(call(valet, other, 'search')).resolves.not.toBeNull();
    await expect(call(valet, other, 'search')).resolves.not.toBeNull();
  });

  it('counts each operation apart, and leaves unlimited operations alone', async () => {
    const valet = valetWith();
    await call(valet, 'iss.alice.app', 'search');
    await call(valet, 'iss.alice.app', 'search');
    await expect(call(valet, 'iss.alice.app', 'index')).resolves.not.toBeNull();
    for (let i = 0; i < 5; i++) await expect(call(valet, 'iss.alice.app', 'free')).resolves.not.toBeNull();
  });

  it('Security: separator injection: callers whose fields differ only in where a separator falls count apart', async () => {
    const store = memoryStateStore();
    const keys: string[] = [];
    const spy: StateStore = {
      ...store,
      increment: (key, ttl) => (keys.push(key), store.increment(key, ttl)),
    };
    const valet = valetWith(spy);
    const alice: Principal = createPrincipal({
      issuer: 'a:b',
      subject: 'c',
      clientId: 'd',
      scopes: ['search:read'],
      token: 'x',
    });
    const other: Principal = createPrincipal({
      issuer: 'a',
      subject: 'b:c',
      clientId: 'd',
      scopes: ['search:read'],
      token: 'y',
    });
    for (const principal of [alice, alice, other]) {
      await valet.admit({ principal, operations: [{ id: 'search' }] });
    }
    expect(keys[0]).toBe('valet:rl:"search":["a:b","c","d"]');
    expect(new Set(keys).size).toBe(2);
  });

  it('starts a new window when the old one ends (injected clock)', async () => {
    let now = 1_000_000;
    const valet = valetWith(memoryStateStore({ clock: () => now }));
    await call(valet, 'iss.alice.app', 'search');
    now += 20_000;
    await call(valet, 'iss.alice.app', 'search');
    now += 10_500;
    await expect(call(valet, 'iss.alice.app', 'search')).rejects.toMatchObject({
      resetSeconds: 30,
      retryAfter: 30,
    });
    now += 29_499;
    await expect(call(valet, 'iss.alice.app', 'search')).rejects.toMatchObject({ retryAfter: 1 });
    now += 1;
    await expect(call(valet, 'iss.alice.app', 'search')).resolves.not.toBeNull();
  });

  it('does not limit anonymous callers of a public operation (nobody to count them by)', async () => {
    const valet = valetWith();
    for (let i = 0; i < 3; i++) await expect(call(valet, undefined, 'open')).resolves.toBeNull();
    await call(valet, 'iss.alice.app', 'open');
    await expect(call(valet, 'iss.alice.app', 'open')).rejects.toBeInstanceOf(RateLimitedError);
  });

  it('counts a call once its token is verified, allowed or not; a refused call is answered 403, never 429', async () => {
    const store = memoryStateStore();
    let increments = 0;
    const valet = valetWith({ ...store, increment: (key, ttl) => (increments++, store.increment(key, ttl)) });
    for (let i = 0; i < 3; i++) {
      await expect(call(valet, 'iss.nobody.app', 'search')).rejects.toBeInstanceOf(InsufficientScopeError);
    }
    // A request with an allowed and a refused operation is refused whole; both are counted.
    await expect(call(valet, 'iss.nobody.app', 'open', 'search')).rejects.toBeInstanceOf(
      InsufficientScopeError,
    );
    expect(increments).toBe(5);
    // Past the limit, the policy's refusal still comes first.
    await expect(call(valet, 'iss.nobody.app', 'search')).rejects.toBeInstanceOf(InsufficientScopeError);
    // A token that fails verification is never counted.
    await expect(call(valet, 'not-a-test-token', 'search')).rejects.toBeInstanceOf(InvalidTokenError);
    expect(increments).toBe(6);
  });

  it('sends the count beside the revocation lookup of a fresh token: both leave before either is answered', async () => {
    const store = memoryStateStore();
    const sent: string[] = [];
    let answer!: () => void;
    const held = new Promise<void>((resolve) => (answer = resolve));
    const valet = valetWith({
      ...store,
      get: (key) => (sent.push('get'), held.then(() => store.get(key))),
      increment: (key, ttl) => (sent.push('increment'), held.then(() => store.increment(key, ttl))),
    });
    const admitted = call(valet, 'iss.alice.app', 'search');
    await new Promise((resolve) => setImmediate(resolve));
    expect(sent).toEqual(['get', 'get', 'increment']); // revocations of the subject and the client, the count
    answer();
    await expect(admitted).resolves.toMatchObject({ subject: 'alice' });
  });

  it('answers a revocation before the rate limit, though the count left with the lookup', async () => {
    const valet = valetWith();
    await call(valet, 'iss.alice.app', 'search');
    await call(valet, 'iss.alice.app', 'search');
    await valet.revoke({ subject: 'alice' });
    await expect(call(valet, 'iss.alice.app', 'search')).rejects.toMatchObject({ reason: 'revoked' });
  });

  it('counts every limited operation of a batch, and refuses the batch when one is over', async () => {
    const valet = valetWith();
    await call(valet, 'iss.alice.app', 'search', 'index');
    await call(valet, 'iss.alice.app', 'search');
    await expect(call(valet, 'iss.alice.app', 'index', 'search')).rejects.toMatchObject({
      operationId: 'search',
    });
  });

  it('keeps the flow free when no operation has a limit: the store is never asked', async () => {
    let asked = 0;
    const store = memoryStateStore();
    const counting: StateStore = { ...store, increment: (key, ttl) => (asked++, store.increment(key, ttl)) };
    const reg = new PolicyRegistry().register({ id: 'free', kind: 'tool', policy: allOf('search:read') });
    const valet = valetWith(counting, reg);
    for (let i = 0; i < 3; i++) await call(valet, 'iss.alice.app', 'free');
    expect(asked).toBe(0);
  });
});

describe('Rate limits fail open: a store failure lets the request through', () => {
  it.each([
    ['rejects', () => Promise.reject(new Error('ECONNREFUSED'))],
    [
      'throws',
      () => {
        throw new Error('ECONNREFUSED');
      },
    ],
    ['answers nonsense', () => Promise.resolve(undefined as never)],
    ['answers a count that is not a number', () => Promise.resolve({ count: '99', ttlMs: 1 } as never)],
  ])('when increment %s', async (_how, increment) => {
    const valet = valetWith({ ...memoryStateStore(), increment });
    for (let i = 0; i < 5; i++) {
      await expect(call(valet, 'iss.alice.app', 'search')).resolves.toMatchObject({ subject: 'alice' });
    }
  });
});

describe('Valet.errorResponse: the 429', () => {
  it('has Retry-After, the RateLimit headers, a fixed body and no challenge', async () => {
    const valet = valetWith();
    const token = 'iss.alice.app';
    await call(valet, token, 'search');
    await call(valet, token, 'search');
    const error = await call(valet, token, 'search').catch((e: unknown) => e);
    const response = valet.errorResponse(error)!;
    expect(response).toEqual({
      status: 429,
      headers: {
        'content-type': 'application/json',
        'cache-control': 'no-store',
        'retry-after': '60',
        'ratelimit-policy': '"search";q=2;w=60',
        ratelimit: '"search";r=0;t=60',
      },
      body: {
        error: 'too_many_requests',
        error_description: 'Too many requests; retry after the number of seconds in Retry-After.',
      },
    });
    expect(JSON.stringify(response)).not.toContain(token);
    expect(JSON.stringify(response)).not.toContain('alice');
  });
});

describe('Rate limits shared by several operations', () => {
  const sharedRegistry = (second = '2/m') =>
    new PolicyRegistry()
      .register({
        id: 'search',
        kind: 'tool',
        policy: rateLimited(allOf('search:read'), '2/m', { shared: 'tools/call' }),
      })
      .register({
        id: 'index',
        kind: 'tool',
        policy: rateLimited(allOf('search:read'), second, { shared: 'tools/call' }),
      })
      .register({ id: 'free', kind: 'tool', policy: rateLimited(allOf('search:read'), '2/m') });

  it('counts every operation under one name against one limit per caller', async () => {
    const valet = valetWith(memoryStateStore(), sharedRegistry());
    await call(valet, 'iss.alice.app', 'search');
    await call(valet, 'iss.alice.app', 'index');
    await expect(call(valet, 'iss.alice.app', 'search')).rejects.toMatchObject({ status: 429 });
    await expect(call(valet, 'iss.alice.app', 'index')).rejects.toMatchObject({ status: 429 });
    await expect(call(valet, 'iss.bob.app', 'index')).resolves.toMatchObject({ subject: 'bob' });
    // An operation limited on its own still counts apart.
    await expect(call(valet, 'iss.alice.app', 'free')).resolves.toMatchObject({ subject: 'alice' });
  });

  it('refuses at start-up two specs under one name, and a name that is not one', () => {
    expect(() => valetWith(memoryStateStore(), sharedRegistry('3/m')).freeze()).toThrow(
      /shared as "tools\/call" is "2\/m" elsewhere and "3\/m" here/,
    );
    expect(() => rateLimited(allOf('search:read'), '2/m', { shared: ' ' })).toThrow(
      /shared must be a non-empty name/,
    );
  });

  it('says so in the description', () => {
    expect(describePolicy(rateLimited(allOf('search:read'), '2/m', { shared: 'tools/call' }))).toContain(
      'shared by every operation limited as "tools/call"',
    );
  });
});
