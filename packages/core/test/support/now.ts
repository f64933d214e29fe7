/** Seconds since the epoch, now: the unit of `exp`, `iat` and `nbf`. */
export const now = (): number => Math.floor(Date.now() / 1000);
