import { describe, expect, it } from '@jest/globals';
import { cacheKey } from '../../src/internal/cache-key.js';

const signature = 'Kx3_vQ9-abcdEFGHijklMNOPqrstUVWXyz0123456789';

describe('cacheKey', () => {
  it('is a small non-negative integer for any token', () => {
    for (const token of ['', 'a', 'opaque-token', `h.p.${signature}`, 'é'.repeat(100), '.'.repeat(50)]) {
      const key = cacheKey(token);
      expect(Number.isInteger(key)).toBe(true);
      expect(key).toBeGreaterThanOrEqual(0);
      expect(key).toBeLessThan(2 ** 30);
    }
  });

  it('keys a JWS by its signature tail, whatever its header and payload', () => {
    expect(cacheKey(`aaa.bbb.${signature}`)).toBe(cacheKey(`ccc.ddd.${signature}`));
    expect(cacheKey(`aaa.bbb.${signature}`)).not.toBe(cacheKey(`aaa.bbb.${signature.slice(0, -1)}X`));
  });

  it('keys opaque tokens by their digest, so tokens ending alike (a checksum, a suffix) spread', () => {
    const keys = new Set(Array.from({ length: 1000 }, (_, i) => cacheKey(`tok_${i}_SAMESUFFIX`)));
    expect(keys.size).toBeGreaterThan(995);
  });

  it('spreads signatures over the key space: few shared keys among 20 000 random tails', () => {
    const keys = new Set<number>();
    for (let i = 0; i < 20_000; i++) {
      keys.add(
        cacheKey(
          `h.p.${signature.slice(0, 35)}${Buffer.from(crypto.getRandomValues(new Uint8Array(6))).toString('base64url')}`,
        ),
      );
    }
    expect(keys.size).toBeGreaterThan(19_990);
  });
});
