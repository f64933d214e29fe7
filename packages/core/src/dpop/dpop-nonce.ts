import { createHmac, timingSafeEqual } from 'node:crypto';

/** Issues and checks server-provided DPoP nonces (RFC 9449 section 9). */
export interface DpopNonces {
  /** The nonce of the current window (the `DPoP-Nonce` header value). */
  current(nowSeconds: number): string;
  /** True for a nonce of the current or the previous window made with this secret and resource. */
  accepts(nonce: unknown, nowSeconds: number): boolean;
}

/**
 * Stateless nonces: `<window>.<HMAC-SHA256(secret, origin + window)>`, so every instance sharing
 * the secret issues and accepts the same ones without a store. A nonce is accepted in its window
 * and the next one, for between one and two `lifetimeSeconds`.
 */
export function dpopNonces(secret: Uint8Array, lifetimeSeconds: number, origin: string): DpopNonces {
  const mac = (window: number): string =>
    createHmac('sha256', secret).update(`valet-dpop-nonce\n${origin}\n${window}`).digest('base64url');
  const make = (window: number): string => `${window.toString(36)}.${mac(window)}`;
  let memo: { window: number; nonce: string } | undefined;
  return {
    current(nowSeconds) {
      const window = Math.floor(nowSeconds / lifetimeSeconds);
      if (memo?.window !== window) memo = { window, nonce: make(window) };
      return memo.nonce;
    },
    accepts(nonce, nowSeconds) {
      if (typeof nonce !== 'string' || nonce.length > 64) return false;
      const dot = nonce.indexOf('.');
      if (dot <= 0 || !/^[0-9a-z]+$/.test(nonce.slice(0, dot))) return false;
      const window = parseInt(nonce.slice(0, dot), 36);
      const now = Math.floor(nowSeconds / lifetimeSeconds);
      if (window !== now && window !== now - 1) return false;
      const expected = Buffer.from(make(window));
      const given = Buffer.from(nonce);
      return expected.length === given.length && timingSafeEqual(expected, given);
    },
  };
}
