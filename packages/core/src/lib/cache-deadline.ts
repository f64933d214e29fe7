import type { Principal } from '../principal.js';

/**
 * Principals no cache may keep past a time of their own, besides their `exp`: an introspection
 * answer is good for `maxTtlSeconds` from when the authorization server gave it, however late an
 * instance (or an outer `CachingVerifier`) comes to cache it. A side table, so that `Principal`
 * keeps its shape.
 */
const deadlines = new WeakMap<Principal, number>();

/** Marks `principal` as cacheable until `deadlineMs` (milliseconds since the epoch) at most; returns it. */
export function cacheNoLaterThan(principal: Principal, deadlineMs: number): Principal {
  deadlines.set(principal, deadlineMs);
  return principal;
}

/** The time past which no cache may serve `principal`, besides its `exp`; `Infinity` when unmarked. */
export function cacheDeadline(principal: Principal): number {
  return deadlines.get(principal) ?? Infinity;
}
