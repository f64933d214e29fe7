import { describe, expect, it } from '@jest/globals';
import { dpopNonces } from '../../src/dpop/dpop-nonce.js';

const secret = new TextEncoder().encode('n'.repeat(32));
const ORIGIN = 'https://api.example.com';

describe('dpopNonces: stateless server nonces', () => {
  const nonces = dpopNonces(secret, 300, ORIGIN);

  it('accepts a nonce in its window and the next, not after', () => {
    const issued = nonces.current(1_000_000);
    expect(nonces.accepts(issued, 1_000_000)).toBe(true);
    expect(nonces.accepts(issued, 1_000_000 + 300)).toBe(true);
    expect(nonces.accepts(issued, 1_000_000 + 600)).toBe(false);
  });

  it('is the same on every instance with the secret, and differs for another secret or origin', () => {
    const issued = nonces.current(1_000_000);
    expect(dpopNonces(secret, 300, ORIGIN).accepts(issued, 1_000_000)).toBe(true);
    expect(dpopNonces(new TextEncoder().encode('m'.repeat(32)), 300, ORIGIN).accepts(issued, 1_000_000)).toBe(
      false,
    );
    expect(dpopNonces(secret, 300, 'https://other.example.com').accepts(issued, 1_000_000)).toBe(false);
  });

  it.each([[undefined], [42], [''], ['.'], ['zz'], ['1.abc'], ['x'.repeat(100)], ['-1.abc']])(
    'refuses %j',
    (nonce) => {
      expect(nonces.accepts(nonce, 1_000_000)).toBe(false);
    },
  );

  it('refuses a nonce whose MAC was edited', () => {
    const issued = nonces.current(1_000_000);
    const edited = issued.slice(0, -1) + (issued.endsWith('A') ? 'B' : 'A');
    expect(nonces.accepts(edited, 1_000_000)).toBe(false);
  });
});
