import { afterEach, describe, expect, it } from '@jest/globals';
import { createTestIssuer, type TestIssuer } from '@valet/testing';
import { AuthorizationServerUnavailableError } from '../../src/errors.js';
import type { JwksOptions } from '../../src/verify/jwks.js';
import { JwtVerifier } from '../../src/verify/jwt-verifier.js';
import { MultiIssuerVerifier } from '../../src/verify/multi-issuer-verifier.js';
import type { TokenVerifier } from '../../src/verify/token-verifier.js';

/**
 * Fault injection over real sockets: test issuers on 127.0.0.1 that go down, stall, answer
 * slowly or flap, and the verifiers' answers measured for status, latency and the number of
 * requests they cause. Timings are shrunk through `jwks` options; bounds are generous (a loaded CI
 * machine), but each would fail if a request waited for a fetch it should not wait for.
 */

const AUDIENCE = 'https://mcp.example.com/mcp';
const KEYS_UNAVAILABLE = {
  code: 'ERR_AUTHORIZATION_SERVER_UNAVAILABLE',
  status: 503,
  reason: 'keys_unavailable',
};
const DISCOVERY_FAILED = {
  code: 'ERR_AUTHORIZATION_SERVER_UNAVAILABLE',
  status: 503,
  reason: 'discovery_failed',
};
const UNKNOWN_KEY = { code: 'ERR_INVALID_TOKEN', status: 401, reason: 'unknown_key' };
/** Scheduling slack for a request on loopback, in milliseconds. */
const SLACK_MS = 500;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const sleepUntil = (time: number) => sleep(Math.max(0, time - Date.now()));

const issuers: TestIssuer[] = [];
async function startIssuer(): Promise<TestIssuer> {
  const issuer = await createTestIssuer({ audience: AUDIENCE, algorithm: 'ES256' });
  issuers.push(issuer);
  return issuer;
}
afterEach(async () => {
  await Promise.all(issuers.splice(0).map((issuer) => issuer.close()));
});

/** A verifier reading keys from the issuer's JWKS URL. */
const jwksVerifier = (issuer: TestIssuer, jwks: JwksOptions) =>
  new JwtVerifier({ issuer: issuer.url, audience: AUDIENCE, jwksUri: issuer.jwksUri, jwks });
/** A verifier given only issuer and audience: it finds the keys through the issuer's metadata. */
const discoveryVerifier = (issuer: TestIssuer, jwks: JwksOptions) =>
  new JwtVerifier({ issuer: issuer.url, audience: AUDIENCE, jwks });

/** How one verification ended, and how long it took in milliseconds. */
interface Outcome {
  readonly ms: number;
  readonly error?: unknown;
}

async function timed(verifier: TokenVerifier, token: string): Promise<Outcome> {
  const started = performance.now();
  try {
    await verifier.verify(token);
    return { ms: performance.now() - started };
  } catch (error) {
    return { ms: performance.now() - started, error };
  }
}

const statusOf = (error: unknown) => (error as { status?: number } | undefined)?.status;
const slowest = (outcomes: readonly Outcome[]) => Math.max(...outcomes.map((outcome) => outcome.ms));

/**
 * Retries `token` every 20 ms (a client honouring a short Retry-After) until it verifies; every
 * refusal on the way must be a 503, never a 401 that would make the client drop a good token.
 * Returns the milliseconds until it was served.
 */
async function servedAfter(verifier: TokenVerifier, token: string, limitMs: number): Promise<number> {
  const started = Date.now();
  for (;;) {
    const { error } = await timed(verifier, token);
    if (error === undefined) return Date.now() - started;
    expect(error).toMatchObject({ status: 503 });
    if (Date.now() - started > limitMs) throw new Error(`not served within ${limitMs} ms`);
    await sleep(20);
  }
}

/** Tokens signed with the issuer's real key, naming key ids it never published. */
const madeUpKids = (issuer: TestIssuer, count: number) =>
  Promise.all(Array.from({ length: count }, (_, i) => issuer.mint({ header: { kid: `made-up-${i}` } })));

describe('Fault: the authorization server is down at start-up', () => {
  it('answers 503 at once while discovery fails, and serves within the backoff cap once it is back', async () => {
    const issuer = await startIssuer();
    const verifier = discoveryVerifier(issuer, { cooldownMs: 300 });
    const token = await issuer.mint();
    issuer.stopMetadata();

    const first = await timed(verifier, token);
    expect(first.error).toMatchObject(DISCOVERY_FAILED);
    expect(first.ms).toBeLessThan(SLACK_MS);
    expect(issuer.requests).toEqual({ jwks: 0, oauthMetadata: 1, openidConfiguration: 1 });
    // Within the backoff: answered at once, without a request.
    const during = await timed(verifier, token);
    expect(during.error).toMatchObject(DISCOVERY_FAILED);
    expect(during.ms).toBeLessThan(50);
    expect(issuer.requests.oauthMetadata).toBe(1);

    issuer.startMetadata();
    expect(await servedAfter(verifier, token, 300 + SLACK_MS)).toBeLessThan(300 + SLACK_MS);
    expect(issuer.requests).toEqual({ jwks: 1, oauthMetadata: 2, openidConfiguration: 1 });
  });

  it('answers 503 while the JWKS fails behind working metadata, and serves once it is back', async () => {
    const issuer = await startIssuer();
    const verifier = discoveryVerifier(issuer, { cooldownMs: 300 });
    const token = await issuer.mint();
    issuer.stopJwks();

    const first = await timed(verifier, token);
    expect(first.error).toMatchObject(KEYS_UNAVAILABLE);
    expect(first.ms).toBeLessThan(SLACK_MS);
    expect(issuer.requests).toEqual({ jwks: 1, oauthMetadata: 1, openidConfiguration: 0 });

    issuer.startJwks();
    expect(await servedAfter(verifier, token, 300 + SLACK_MS)).toBeLessThan(300 + SLACK_MS);
    // The metadata found before the JWKS failed is kept: no second discovery.
    expect(issuer.requests).toEqual({ jwks: 2, oauthMetadata: 1, openidConfiguration: 0 });
  });

  it('stays 503 while only the JWKS is back, and serves once the metadata is back too', async () => {
    const issuer = await startIssuer();
    const verifier = discoveryVerifier(issuer, { cooldownMs: 300 });
    const token = await issuer.mint();
    issuer.stopMetadata();
    issuer.stopJwks();
    expect((await timed(verifier, token)).error).toMatchObject(DISCOVERY_FAILED);
    issuer.startJwks();
    await sleep(350);
    expect((await timed(verifier, token)).error).toMatchObject(DISCOVERY_FAILED);
    issuer.startMetadata();
    expect(await servedAfter(verifier, token, 300 + SLACK_MS)).toBeLessThan(300 + SLACK_MS);
    expect(issuer.requests.jwks).toBe(1);
  });
});

describe('Fault: the authorization server goes down mid-run', () => {
  it('keeps verifying known keys, answers unknown kids 503, and fetches only as the backoff allows', async () => {
    const issuer = await startIssuer();
    const verifier = jwksVerifier(issuer, { cooldownMs: 300 });
    const token = await issuer.mint();
    const forged = await madeUpKids(issuer, 100);
    await verifier.verify(token);
    issuer.stopJwks();

    // 200 requests over 1 s: 20 rounds of 5 known-key and 5 made-up-kid tokens at once.
    const known: Outcome[] = [];
    const unknown: Outcome[] = [];
    const started = Date.now();
    for (let round = 0; round < 20; round++) {
      const batch = forged.slice(round * 5, round * 5 + 5);
      const [good, bad] = await Promise.all([
        Promise.all(Array.from({ length: 5 }, () => timed(verifier, token))),
        Promise.all(batch.map((forgedToken) => timed(verifier, forgedToken))),
      ]);
      known.push(...good);
      unknown.push(...bad);
      await sleepUntil(started + (round + 1) * 50);
    }

    expect(known.filter((outcome) => outcome.error !== undefined)).toEqual([]);
    // Within the cooldown after the last good fetch the set is current (401); after it, 503.
    for (const { error } of unknown) expect([401, 503]).toContain(statusOf(error));
    expect(unknown.filter(({ error }) => statusOf(error) === 503).length).toBeGreaterThan(0);
    expect(slowest([...known, ...unknown])).toBeLessThan(SLACK_MS);
    // One fetch at start, then at most one per backoff (300 ms) over about 1 s.
    expect(issuer.requests.jwks).toBeLessThanOrEqual(1 + Math.ceil((Date.now() - started) / 300) + 1);
  });

  it('keeps serving through a metadata outage once the keys are found', async () => {
    const issuer = await startIssuer();
    const verifier = discoveryVerifier(issuer, { cooldownMs: 300 });
    const token = await issuer.mint();
    await verifier.verify(token);
    issuer.stopMetadata();
    await sleep(350);
    const outcomes = await Promise.all(Array.from({ length: 20 }, () => timed(verifier, token)));
    expect(outcomes.filter((outcome) => outcome.error !== undefined)).toEqual([]);
    expect(issuer.requests).toEqual({ jwks: 1, oauthMetadata: 1, openidConfiguration: 0 });
  });
});

describe('Fault: the authorization server stalls (accepts connections, never answers)', () => {
  it('holds each request at most the deadline, and concurrent requests share one fetch', async () => {
    const issuer = await startIssuer();
    const verifier = jwksVerifier(issuer, { deadlineMs: 300, timeoutMs: 5000, cooldownMs: 300 });
    const token = await issuer.mint();
    issuer.stopJwks('hang');

    const first = await Promise.all(Array.from({ length: 20 }, () => timed(verifier, token)));
    await sleep(100);
    // A second wave joins the fetch still hanging, with a deadline of its own.
    const second = await Promise.all(Array.from({ length: 20 }, () => timed(verifier, token)));
    for (const outcome of [...first, ...second]) {
      expect(outcome.error).toMatchObject({ ...KEYS_UNAVAILABLE, retryAfter: 1 });
      expect(outcome.ms).toBeGreaterThanOrEqual(290);
      expect(outcome.ms).toBeLessThan(300 + SLACK_MS);
    }
    expect(issuer.requests.jwks).toBe(1);

    // The stalled connection is cut off: the fetch fails, and the backoff is no lock-out.
    issuer.startJwks();
    expect(await servedAfter(verifier, token, 300 + SLACK_MS)).toBeLessThan(300 + SLACK_MS);
    expect(issuer.requests.jwks).toBe(2);
  });

  it('holds each request at most the deadline while discovery stalls, sharing one metadata fetch', async () => {
    const issuer = await startIssuer();
    const verifier = discoveryVerifier(issuer, { deadlineMs: 300, timeoutMs: 5000 });
    const token = await issuer.mint();
    issuer.stopMetadata('hang');
    const outcomes = await Promise.all(Array.from({ length: 20 }, () => timed(verifier, token)));
    for (const outcome of outcomes)
      expect(outcome.error).toMatchObject({ ...DISCOVERY_FAILED, retryAfter: 1 });
    expect(slowest(outcomes)).toBeLessThan(300 + SLACK_MS);
    expect(issuer.requests).toEqual({ jwks: 0, oauthMetadata: 1, openidConfiguration: 0 });
  });
});

describe('Fault: the authorization server is slow', () => {
  it('makes the first requests wait for a slow JWKS within the deadline, with one fetch', async () => {
    const issuer = await startIssuer();
    const verifier = jwksVerifier(issuer, { deadlineMs: 2000 });
    const token = await issuer.mint();
    issuer.slowJwks(300);
    const outcomes = await Promise.all(Array.from({ length: 10 }, () => timed(verifier, token)));
    expect(outcomes.filter((outcome) => outcome.error !== undefined)).toEqual([]);
    expect(Math.min(...outcomes.map((outcome) => outcome.ms))).toBeGreaterThanOrEqual(290);
    expect(slowest(outcomes)).toBeLessThan(300 + SLACK_MS);
    expect(issuer.requests.jwks).toBe(1);
  });

  it('makes the first requests wait for slow metadata and a slow JWKS under one deadline', async () => {
    const issuer = await startIssuer();
    const verifier = discoveryVerifier(issuer, { deadlineMs: 2000 });
    const token = await issuer.mint();
    issuer.slowMetadata(200);
    issuer.slowJwks(200);
    const outcomes = await Promise.all(Array.from({ length: 10 }, () => timed(verifier, token)));
    expect(outcomes.filter((outcome) => outcome.error !== undefined)).toEqual([]);
    expect(slowest(outcomes)).toBeGreaterThanOrEqual(390);
    expect(slowest(outcomes)).toBeLessThan(400 + SLACK_MS);
    expect(issuer.requests).toEqual({ jwks: 1, oauthMetadata: 1, openidConfiguration: 0 });
  });

  it('answers 503 at the deadline when the JWKS is slower, then serves once the fetch lands', async () => {
    const issuer = await startIssuer();
    const verifier = jwksVerifier(issuer, { deadlineMs: 200 });
    const token = await issuer.mint();
    issuer.slowJwks(600);
    const started = Date.now();
    const first = await timed(verifier, token);
    expect(first.error).toMatchObject({ ...KEYS_UNAVAILABLE, retryAfter: 1 });
    expect(first.ms).toBeGreaterThanOrEqual(190);
    expect(first.ms).toBeLessThan(200 + SLACK_MS);
    await sleepUntil(started + 700);
    const later = await timed(verifier, token);
    expect(later.error).toBeUndefined();
    expect(later.ms).toBeLessThan(100);
    expect(issuer.requests.jwks).toBe(1);
  });

  it('answers 503 when discovery and keys together pass the deadline, then serves once both land', async () => {
    const issuer = await startIssuer();
    const verifier = discoveryVerifier(issuer, { deadlineMs: 450 });
    const token = await issuer.mint();
    issuer.slowMetadata(300);
    issuer.slowJwks(300);
    const started = Date.now();
    const first = await timed(verifier, token);
    expect(first.error).toMatchObject(KEYS_UNAVAILABLE);
    expect(first.ms).toBeLessThan(450 + SLACK_MS);
    await sleepUntil(started + 800);
    const later = await timed(verifier, token);
    expect(later.error).toBeUndefined();
    expect(later.ms).toBeLessThan(100);
    expect(issuer.requests).toEqual({ jwks: 1, oauthMetadata: 1, openidConfiguration: 0 });
  });

  it('goes on to fetch the keys when discovery lands after the deadline, without waiting for a request', async () => {
    const issuer = await startIssuer();
    const verifier = discoveryVerifier(issuer, { deadlineMs: 400 });
    const token = await issuer.mint();
    issuer.slowMetadata(600);
    issuer.slowJwks(500);
    const started = Date.now();
    const first = await timed(verifier, token);
    expect(first.error).toMatchObject(DISCOVERY_FAILED);
    expect(first.ms).toBeLessThan(400 + SLACK_MS);
    // Metadata lands at ~600 ms, keys ~500 ms later: by 1400 ms both fetches have gone on.
    await sleepUntil(started + 1400);
    const later = await timed(verifier, token);
    expect(later.error).toBeUndefined();
    expect(later.ms).toBeLessThan(100);
    expect(issuer.requests).toEqual({ jwks: 1, oauthMetadata: 1, openidConfiguration: 0 });
  });
});

describe('Fault: the JWKS endpoint flaps', () => {
  it('never answers 5xx for known keys, fetches boundedly, and serves a new key at the end', async () => {
    const issuer = await startIssuer();
    const verifier = jwksVerifier(issuer, { cooldownMs: 300, cacheMaxAgeMs: 150, deadlineMs: 500 });
    const token = await issuer.mint();
    const forged = await madeUpKids(issuer, 1);
    await verifier.verify(token);

    // Down and up every 100 ms for 1.5 s; background refreshes (max age 150 ms) meet both states.
    issuer.flapJwks(100);
    const known: Outcome[] = [];
    const unknown: Outcome[] = [];
    const started = Date.now();
    while (Date.now() - started < 1500) {
      const [good, bad] = await Promise.all([timed(verifier, token), timed(verifier, forged[0]!)]);
      known.push(good);
      unknown.push(bad);
      await sleep(10);
    }
    const flapFetches = issuer.requests.jwks - 1;
    issuer.startJwks();

    expect(known.filter((outcome) => outcome.error !== undefined)).toEqual([]);
    expect(slowest(known)).toBeLessThan(100);
    for (const { error } of unknown) expect([401, 503]).toContain(statusOf(error));
    expect(slowest(unknown)).toBeLessThan(500 + SLACK_MS);
    // At most one fetch per max age (150 ms) while fetches succeed, fewer while they back off.
    expect(flapFetches).toBeGreaterThan(0);
    expect(flapFetches).toBeLessThanOrEqual(Math.ceil(1500 / 150) + 1);

    await issuer.rotateKeys();
    const rotated = await issuer.mint();
    // Served once the cooldown or the backoff (both at most 300 ms) has passed.
    expect(await servedAfterRefusals(verifier, rotated, 300 + SLACK_MS)).toBeLessThan(300 + SLACK_MS);
  });

  it('gets through a flapping metadata endpoint at start-up within a few backoffs', async () => {
    const issuer = await startIssuer();
    const verifier = discoveryVerifier(issuer, { cooldownMs: 300 });
    const token = await issuer.mint();
    issuer.flapMetadata(100);
    expect(await servedAfter(verifier, token, 1500)).toBeLessThan(1500);
    // Each attempt asks at most both metadata URLs; at most one attempt per 300 ms backoff.
    const { oauthMetadata, openidConfiguration } = issuer.requests;
    expect(oauthMetadata).toBeLessThanOrEqual(Math.ceil(1500 / 300) + 1);
    expect(openidConfiguration).toBeLessThanOrEqual(oauthMetadata);
  });
});

/** Like {@link servedAfter}, but a 401 `unknown_key` on the way is fine (the cooldown of a new kid). */
async function servedAfterRefusals(verifier: TokenVerifier, token: string, limitMs: number): Promise<number> {
  const started = Date.now();
  for (;;) {
    const { error } = await timed(verifier, token);
    if (error === undefined) return Date.now() - started;
    expect([401, 503]).toContain(statusOf(error));
    if (Date.now() - started > limitMs) throw new Error(`not served within ${limitMs} ms`);
    await sleep(20);
  }
}

describe('Key rotation', () => {
  it('serves a token signed with a new key as soon as the cooldown since the last fetch has passed', async () => {
    const issuer = await startIssuer();
    const verifier = jwksVerifier(issuer, { cooldownMs: 300 });
    await verifier.verify(await issuer.mint());
    const fetchedAt = Date.now();
    await issuer.rotateKeys();
    const rotated = await issuer.mint();

    // Within the cooldown the set is taken as current: no fetch for a kid it lacks.
    expect((await timed(verifier, rotated)).error).toMatchObject(UNKNOWN_KEY);
    expect(issuer.requests.jwks).toBe(1);
    await sleepUntil(fetchedAt + 320);
    const served = await timed(verifier, rotated);
    expect(served.error).toBeUndefined();
    expect(served.ms).toBeLessThan(200);
    expect(issuer.requests.jwks).toBe(2);
  });

  it('stops verifying a removed key after the background refresh at the maximum age', async () => {
    const issuer = await startIssuer();
    const verifier = jwksVerifier(issuer, { cooldownMs: 100, cacheMaxAgeMs: 300 });
    const old = await issuer.mint();
    await verifier.verify(old);
    const fetchedAt = Date.now();
    await issuer.rotateKeys({ keepOld: false });

    let stoppedAt: number | undefined;
    while (stoppedAt === undefined && Date.now() - fetchedAt < 300 + SLACK_MS) {
      const { error } = await timed(verifier, old);
      if (error !== undefined) {
        expect(error).toMatchObject(UNKNOWN_KEY);
        stoppedAt = Date.now() - fetchedAt;
      }
      await sleep(20);
    }
    // Cached keys serve until the maximum age; the refresh then lands within a request or two.
    expect(stoppedAt).toBeGreaterThanOrEqual(300);
    expect(stoppedAt).toBeLessThan(300 + SLACK_MS);
    expect(issuer.requests.jwks).toBe(2);
  });
});

describe('Attack: a flood of made-up key ids at one issuer, to starve another', () => {
  async function twoIssuers(jwks: JwksOptions) {
    const [a, b] = await Promise.all([startIssuer(), startIssuer()]);
    const verifier = new MultiIssuerVerifier({
      issuers: { [a.url]: jwksVerifier(a, jwks), [b.url]: jwksVerifier(b, jwks) },
    });
    // Only B's keys are cached: A's first fetch is the flood's to cause.
    await verifier.verify(await b.mint());
    return { a, b, verifier };
  }

  /**
   * The forged tokens at A in five waves 50 ms apart (each wave all at once), while one of B's
   * good tokens is verified every 5 ms, each waiting behind whatever A's flood has queued.
   */
  async function flood(verifier: TokenVerifier, forged: readonly string[], b: TestIssuer) {
    const good = await b.mint();
    const pending: Promise<Outcome>[] = [];
    const waves = (async () => {
      for (let wave = 0; wave < 5; wave++) {
        const size = forged.length / 5;
        for (const token of forged.slice(wave * size, (wave + 1) * size))
          pending.push(timed(verifier, token));
        await sleep(50);
      }
      return Promise.all(pending);
    })();
    let done = false;
    void waves.finally(() => (done = true));
    const served: Outcome[] = [];
    while (!done) {
      served.push(await timed(verifier, good));
      await sleep(5);
    }
    return { flooded: await waves, served };
  }

  it('keeps serving issuer B while 500 made-up kids at issuer A cost A one fetch', async () => {
    const { a, b, verifier } = await twoIssuers({ cooldownMs: 1000, deadlineMs: 500 });
    const forged = await madeUpKids(a, 500);
    const { flooded, served } = await flood(verifier, forged, b);
    for (const { error } of flooded) expect(error).toMatchObject(UNKNOWN_KEY);
    expect(served.length).toBeGreaterThanOrEqual(10);
    expect(served.filter((outcome) => outcome.error !== undefined)).toEqual([]);
    expect(slowest(served)).toBeLessThan(200);
    expect(a.requests.jwks).toBeLessThanOrEqual(2);
    expect(b.requests.jwks).toBe(1);
  });

  it('keeps serving issuer B while 500 made-up kids wait on a stalled issuer A', async () => {
    const { a, b, verifier } = await twoIssuers({ cooldownMs: 300, deadlineMs: 300, timeoutMs: 5000 });
    const forged = await madeUpKids(a, 500);
    a.stopJwks('hang');
    const { flooded, served } = await flood(verifier, forged, b);
    for (const { error } of flooded) expect(error).toMatchObject(KEYS_UNAVAILABLE);
    expect(slowest(flooded)).toBeLessThan(300 + SLACK_MS);
    expect(served.filter((outcome) => outcome.error !== undefined)).toEqual([]);
    expect(slowest(served)).toBeLessThan(200);
    expect(a.requests.jwks).toBeLessThanOrEqual(2);
    expect(b.requests.jwks).toBe(1);
  });
});

describe('Retry-After and time claims during an outage', () => {
  it('gives an integer Retry-After of at least 1 s and at most the cooldown, which a retry can honour', async () => {
    const issuer = await startIssuer();
    const cooldownMs = 1500;
    const verifier = jwksVerifier(issuer, { cooldownMs });
    const token = await issuer.mint();
    issuer.stopJwks();

    // Failures at 0, ~500 and ~1500 ms: backoffs of 500, 1000 and 1500 (the cap) ms.
    const retryAfters: number[] = [];
    const started = Date.now();
    let lastAt = started;
    // Until the third failure, whose capped backoff gives the first Retry-After of 2 s.
    while (!retryAfters.includes(2) && Date.now() - started < 2500) {
      lastAt = Date.now();
      const { error } = await timed(verifier, token);
      expect(error).toBeInstanceOf(AuthorizationServerUnavailableError);
      retryAfters.push((error as AuthorizationServerUnavailableError).retryAfter);
      await sleep(50);
    }
    for (const retryAfter of retryAfters) {
      expect(Number.isInteger(retryAfter)).toBe(true);
      expect(retryAfter).toBeGreaterThanOrEqual(1);
      expect(retryAfter).toBeLessThanOrEqual(Math.ceil(cooldownMs / 1000));
    }
    expect(retryAfters).toContain(2);
    expect(issuer.requests.jwks).toBeLessThanOrEqual(3);

    // A client that waits the last Retry-After is not turned away by the backoff.
    issuer.startJwks();
    await sleepUntil(lastAt + retryAfters.at(-1)! * 1000);
    expect((await timed(verifier, token)).error).toBeUndefined();
  });

  it('refuses an expired token with a known key as expired (401), not 503, while the keys are down', async () => {
    const issuer = await startIssuer();
    const verifier = jwksVerifier(issuer, { cooldownMs: 300 });
    await verifier.verify(await issuer.mint());
    issuer.stopJwks();
    await sleep(320);
    expect((await timed(verifier, await issuer.expired())).error).toMatchObject({
      code: 'ERR_INVALID_TOKEN',
      status: 401,
      reason: 'expired',
    });
    expect(issuer.requests.jwks).toBe(1);
  });
});
