import { IncomingMessage } from 'node:http';
import type { Principal } from '@valet/core';
import type { Request } from 'express';

/**
 * What Valet authenticated each request as (`null`: anonymous), kept beside the request rather
 * than on it. Express gives every request its app's prototype, after which V8 adds a property to
 * the request on a slow path: about 2 µs each, as much as the rest of a cached-token request. A
 * WeakMap entry costs a fraction of that, and `req.auth` reads it through an accessor defined
 * once on the app's request prototype (`app.request`, where Express extends requests).
 */
const principals = new WeakMap<object, Principal | null>();
/** What other middleware assigned to `req.auth`: shown while Valet has no principal for the request. */
const assigned = new WeakMap<object, unknown>();
/** Per request prototype: whether `req.auth` is the accessor below. */
const accessorOn = new WeakMap<object, boolean>();

const AUTH_ACCESSOR: PropertyDescriptor = {
  configurable: true,
  get(this: object): unknown {
    return principals.get(this) ?? assigned.get(this);
  },
  set(this: object, value: unknown) {
    assigned.set(this, value);
  },
};

/** Defines the accessor on an app's request prototype (below Node's own `IncomingMessage.prototype`) if `auth` is free there. */
function installAccessor(proto: object): boolean {
  if (!(proto instanceof IncomingMessage) || Object.hasOwn(proto, 'auth')) return false;
  Object.defineProperty(proto, 'auth', AUTH_ACCESSOR);
  return true;
}

/** Records that Valet authenticated `req` as `principal`; a principal is then `req.auth`. */
export function setRequestPrincipal(req: Request, principal: Principal | null): void {
  principals.set(req, principal);
  const proto = Object.getPrototypeOf(req) as object | null;
  let accessor = proto === null ? false : accessorOn.get(proto);
  if (accessor === undefined) {
    accessor = installAccessor(proto!);
    accessorOn.set(proto!, accessor);
  }
  // Without the accessor (a request of another shape, or an `auth` someone else defined): a plain property.
  if (!accessor && principal !== null) req.auth = principal;
}

/** What Valet authenticated `req` as (`null`: anonymous), or `undefined` before it did. */
export function requestPrincipal(req: Request): Principal | null | undefined {
  return principals.get(req);
}
