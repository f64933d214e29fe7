import { describe, expect, it } from '@jest/globals';
import { AuthorizationServerUnavailableError, InvalidTokenError, OptionsError } from '../../src/errors.js';
import { createPrincipal, type Principal } from '../../src/principal.js';
import type { TokenVerifier } from '../../src/verify/token-verifier.js';
import { CachingVerifier } from '../../src/verify/caching-verifier.js';

/**
 * A verifier that accepts tokens "ok:<exp>" (or "ok:none" for no exp), optionally followed by
 * ".<anything>" (JWS-shaped), and counts its calls.
 */
class CountingVerifier implements TokenVerifier {
  calls = 0;
  failNext = 0;
  gate: Promise<void> | undefined;

  async verify(token: string): Promise<Principal> {
    this.calls++;
    if (this.gate) await this.gate;
    if (this.failNext > 0) {
      this.failNext--;
      throw new AuthorizationServerUnavailableError('keys_unavailable', 'JWKS unreachable');
    }
    const [kind, exp] = token.split('.')[0]!.split(':');
    if (kind !== 'ok') throw new InvalidTokenError('malformed', 'not a token');
    return createPrincipal({
      token,
      subject: `sub-${token}`,
      expiresAt: exp === 'none' ? undefined : Number(exp),
    });
  }
}

function setup(options: ConstructorParameters<typeof CachingVerifier>[1] = {}) {
  let now = 1_000_000_000_000;
  const inner = new CountingVerifier();
  const verifier = new CachingVerifier(inner, { clock: () => now, ...options });
  return {
    inner,
    verifier,
    advance(ms: number) {
      now += ms;
    },
    nowSeconds: () => Math.floor(now / 1000),
  };
}

describe('CachingVerifier', () => {
  it('peek(token) gives the principal held for exactly that token while it is fresh, and never verifies', async () => {
    const { inner, verifier, nowSeconds, advance } = setup();
    const token = `ok:${nowSeconds() + 60}`;
    expect(verifier.peek(token)).toBeUndefined();
    expect(inner.calls).toBe(0);
    const principal = await verifier.verify(token);
    expect(verifier.peek(token)).toBe(principal);
    expect(verifier.peek(`${token}x`)).toBeUndefined();
    expect(verifier.stats.hits).toBe(1);
    advance(61_000);
    expect(verifier.peek(token)).toBeUndefined();
    expect(inner.calls).toBe(1);
  });

  it('answers a repeated token from the cache with the same principal', async () => {
    const { inner, verifier, nowSeconds } = setup();
    const token = `ok:${nowSeconds() + 3600}`;
    const first = await verifier.verify(token);
    const second = await verifier.verify(token);
    expect(second).toBe(first);
    expect(inner.calls).toBe(1);
    expect(verifier.stats).toEqual({ hits: 1, misses: 1, shared: 0, size: 1 });
  });

  it('keeps tokens apart: another token is a miss', async () => {
    const { inner, verifier, nowSeconds } = setup();
    const exp = nowSeconds() + 3600;
    const a = await verifier.verify(`ok:${exp}`);
    const b = await verifier.verify(`ok:${exp + 1}`);
    expect(b.subject).not.toBe(a.subject);
    expect(inner.calls).toBe(2);
  });

  describe('Security: serving a token past its expiry', () => {
    it('drops the entry at exp and asks the inner verifier again', async () => {
      const { inner, verifier, advance, nowSeconds } = setup();
      const token = `ok:${nowSeconds() + 60}`;
      await verifier.verify(token);
      advance(59_000);
      await verifier.verify(token);
      expect(inner.calls).toBe(1);
      advance(1_000);
      await verifier.verify(token);
      expect(inner.calls).toBe(2);
    });

    it('caps the lifetime with maxTtlSeconds, however far exp is', async () => {
      const { inner, verifier, advance, nowSeconds } = setup({ maxTtlSeconds: 30 });
      const token = `ok:${nowSeconds() + 3600}`;
      await verifier.verify(token);
      advance(29_999);
      await verifier.verify(token);
      expect(inner.calls).toBe(1);
      advance(1);
      await verifier.verify(token);
      expect(inner.calls).toBe(2);
    });

    it('serves a token whose exp is a day away no longer than 300 s by default', async () => {
      const { verifier, inner, advance, nowSeconds } = setup();
      const token = `ok:${nowSeconds() + 86_400}`;
      await verifier.verify(token);
      advance(299_000);
      await verifier.verify(token);
      expect(inner.calls).toBe(1);
      advance(1_000);
      await verifier.verify(token);
      expect(inner.calls).toBe(2);
    });

    it('caches a token without exp for maxTtlSeconds, 300 by default', async () => {
      const plain = setup();
      await plain.verifier.verify('ok:none');
      await plain.verifier.verify('ok:none');
      expect(plain.inner.calls).toBe(1);
      plain.advance(299_000);
      await plain.verifier.verify('ok:none');
      expect(plain.inner.calls).toBe(1);
      plain.advance(1_000);
      await plain.verifier.verify('ok:none');
      expect(plain.inner.calls).toBe(2);

      const capped = setup({ maxTtlSeconds: 10 });
      await capped.verifier.verify('ok:none');
      await capped.verifier.verify('ok:none');
      expect(capped.inner.calls).toBe(1);
      capped.advance(10_000);
      await capped.verifier.verify('ok:none');
      expect(capped.inner.calls).toBe(2);
    });

    it('does not cache a principal the inner verifier accepted already past exp (clock tolerance)', async () => {
      const { inner, verifier, nowSeconds } = setup();
      const token = `ok:${nowSeconds() - 2}`;
      await verifier.verify(token);
      await verifier.verify(token);
      expect(inner.calls).toBe(2);
      expect(verifier.stats.size).toBe(0);
    });
  });

  it('never caches a failure: a token refused while keys were unavailable is retried', async () => {
    const { inner, verifier, nowSeconds } = setup();
    const token = `ok:${nowSeconds() + 3600}`;
    inner.failNext = 1;
    await expect(verifier.verify(token)).rejects.toMatchObject({ reason: 'keys_unavailable' });
    await expect(verifier.verify(token)).resolves.toMatchObject({ subject: `sub-${token}` });
    expect(inner.calls).toBe(2);
  });

  it('shares one inner call between concurrent verifications of the same token', async () => {
    const { inner, verifier, nowSeconds } = setup();
    let open!: () => void;
    inner.gate = new Promise((resolve) => (open = resolve));
    const token = `ok:${nowSeconds() + 3600}`;
    const all = Promise.all([verifier.verify(token), verifier.verify(token), verifier.verify(token)]);
    open();
    const [a, b, c] = await all;
    expect(b).toBe(a);
    expect(c).toBe(a);
    expect(inner.calls).toBe(1);
    expect(verifier.stats.shared).toBe(2);
  });

  it('shares a failure too, then retries on the next request', async () => {
    const { inner, verifier, nowSeconds } = setup();
    let open!: () => void;
    inner.gate = new Promise((resolve) => (open = resolve));
    inner.failNext = 1;
    const token = `ok:${nowSeconds() + 3600}`;
    const both = Promise.allSettled([verifier.verify(token), verifier.verify(token)]);
    open();
    const results = await both;
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(inner.calls).toBe(1);
    await expect(verifier.verify(token)).resolves.toBeDefined();
    expect(inner.calls).toBe(2);
  });

  it('does not get stuck when the inner verifier throws synchronously', async () => {
    let calls = 0;
    const verifier = new CachingVerifier({
      verify(token: string): Promise<Principal> {
        calls++;
        if (calls === 1) throw new InvalidTokenError('malformed', 'sync failure');
        return Promise.resolve(createPrincipal({ token, expiresAt: Math.floor(Date.now() / 1000) + 60 }));
      },
    });
    await expect(verifier.verify('t')).rejects.toBeInstanceOf(InvalidTokenError);
    await expect(verifier.verify('t')).resolves.toMatchObject({ expiresAt: expect.any(Number) });
    expect(calls).toBe(2);
  });

  it('refuses a token that is not a string without calling the inner verifier', async () => {
    const { inner, verifier } = setup();
    await expect(verifier.verify(undefined as unknown as string)).rejects.toMatchObject({
      reason: 'malformed',
    });
    expect(inner.calls).toBe(0);
  });

  it('evicts the least recently used entry when full', async () => {
    const { inner, verifier, nowSeconds } = setup({ maxEntries: 2 });
    const exp = nowSeconds() + 3600;
    const [a, b, c] = [`ok:${exp}`, `ok:${exp + 1}`, `ok:${exp + 2}`];
    await verifier.verify(a);
    await verifier.verify(b);
    await verifier.verify(a); // a is now the most recently used
    await verifier.verify(c); // evicts b
    expect(inner.calls).toBe(3);
    await verifier.verify(a);
    expect(inner.calls).toBe(3);
    await verifier.verify(b);
    expect(inner.calls).toBe(4);
    expect(verifier.stats.size).toBe(2);
  });

  it('forgets a token on evict() and everything on clear()', async () => {
    const { inner, verifier, nowSeconds } = setup();
    const token = `ok:${nowSeconds() + 3600}`;
    await verifier.verify(token);
    expect(verifier.evict(token)).toBe(true);
    expect(verifier.evict(token)).toBe(false);
    await verifier.verify(token);
    verifier.clear();
    await verifier.verify(token);
    expect(inner.calls).toBe(3);
  });

  describe('Security: tokens sharing a signature are answered only for the exact token', () => {
    const signature = 'S'.repeat(43);
    const jws = (exp: number, body: string) => `ok:${exp}.${body}.${signature}`;

    it('answers the same JWS from the cache', async () => {
      const { inner, verifier, nowSeconds } = setup();
      const token = jws(nowSeconds() + 3600, 'payload');
      const first = await verifier.verify(token);
      await expect(verifier.verify(token)).resolves.toBe(first);
      expect(inner.calls).toBe(1);
    });

    it("Attack: a forged token reusing a cached token's signature is verified, never answered from the cache", async () => {
      const { inner, verifier, nowSeconds } = setup();
      const exp = nowSeconds() + 3600;
      const genuine = await verifier.verify(jws(exp, 'payload'));
      const forged = `bad:${exp}.other-payload.${signature}`;
      await expect(verifier.verify(forged)).rejects.toMatchObject({ reason: 'malformed' });
      expect(inner.calls).toBe(2);
      await expect(verifier.verify(jws(exp, 'payload'))).resolves.toBe(genuine);
      expect(inner.calls).toBe(2);
    });

    it('answers two tokens that share a signature each with its own principal, never the other one', async () => {
      const { inner, verifier, nowSeconds } = setup();
      const exp = nowSeconds() + 3600;
      const [a, b] = [jws(exp, 'alice'), jws(exp, 'bob')];
      const pa = await verifier.verify(a);
      const pb = await verifier.verify(b);
      expect(pa.token).toBe(a);
      expect(pb.token).toBe(b);
      expect((await verifier.verify(b)).token).toBe(b);
      expect(inner.calls).toBe(2);
      // They share a slot (the signature's end): the later one holds it, the other is verified again.
      expect((await verifier.verify(a)).token).toBe(a);
      expect(inner.calls).toBe(3);
    });

    it('never shares a verification under way with another token with the same signature', async () => {
      const { inner, verifier, nowSeconds } = setup();
      let open!: () => void;
      inner.gate = new Promise((resolve) => (open = resolve));
      const exp = nowSeconds() + 3600;
      const [a, b] = [jws(exp, 'alice'), `bad:${exp}.mallory.${signature}`];
      const settled = Promise.allSettled([verifier.verify(a), verifier.verify(b), verifier.verify(a)]);
      open();
      const [ra, rb, ra2] = await settled;
      expect(ra).toMatchObject({ status: 'fulfilled', value: { token: a } });
      expect(rb).toMatchObject({ status: 'rejected', reason: { reason: 'malformed' } });
      expect(ra2).toMatchObject({ status: 'fulfilled', value: { token: a } });
      expect(inner.calls).toBe(2);
      expect(verifier.stats.shared).toBe(1);
    });

    it('evicts only the exact token', async () => {
      const { verifier, nowSeconds } = setup();
      const exp = nowSeconds() + 3600;
      await verifier.verify(jws(exp, 'alice'));
      expect(verifier.evict(jws(exp, 'mallory'))).toBe(false);
      expect(verifier.evict(jws(exp, 'alice'))).toBe(true);
    });
  });

  it('refuses bad options at construction, naming the field', () => {
    const inner = new CountingVerifier();
    const field = (fn: () => unknown) => {
      try {
        fn();
      } catch (error) {
        expect(error).toBeInstanceOf(OptionsError);
        return (error as OptionsError).field;
      }
      throw new Error('expected an OptionsError');
    };
    expect(field(() => new CachingVerifier(inner, { maxEntries: 0 }))).toBe('maxEntries');
    expect(field(() => new CachingVerifier(inner, { maxEntries: 1.5 }))).toBe('maxEntries');
    expect(field(() => new CachingVerifier(inner, { maxTtlSeconds: -1 }))).toBe('maxTtlSeconds');
    expect(field(() => new CachingVerifier(inner, { maxTtlSeconds: Number.NaN }))).toBe('maxTtlSeconds');
    expect(field(() => new CachingVerifier(null as unknown as TokenVerifier))).toBe('inner');
  });
});
