import { IncomingMessage } from 'node:http';
import type { Principal } from '@valet/core';
import type { Request, Response } from 'express';

/**
 * What Valet authenticated each request as (`null`: anonymous) is kept in the response's
 * `res.locals` (Express's request-scoped bag) under a symbol, rather than on the request.
 * Express gives every request its app's prototype, after which V8 adds a property to the
 * request on a slow path (about 3 µs here, as much as the rest of a cached-token request), and a
 * WeakMap keyed by requests costs more still (about 5 µs a request: an identity hash for each
 * request, and ephemerons for the garbage collector to trace). `res.locals` is a plain object
 * Express makes for every request. `req.auth` reads it through an accessor defined once on the
 * app's request prototype (`app.request`, where Express extends requests).
 */
const PRINCIPAL = Symbol('valet.principal');

type Locals = Record<symbol, Principal | null | undefined>;

/** For a response without `res.locals` (not made by Express): the principal beside the request. */
const principals = new WeakMap<object, Principal | null>();
/** What other middleware assigned to `req.auth`: shown while Valet has no principal for the request. */
const assigned = new WeakMap<object, unknown>();
/** Per request prototype: whether `req.auth` is the accessor below. */
const accessorOn = new WeakMap<object, boolean>();

function localsOf(res: Response | undefined): Locals | undefined {
  const locals = res?.locals as unknown;
  return typeof locals === 'object' && locals !== null ? (locals as Locals) : undefined;
}

const AUTH_ACCESSOR: PropertyDescriptor = {
  configurable: true,
  get(this: Request): unknown {
    return requestPrincipal(this, this.res) ?? assigned.get(this);
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

/** Records that Valet authenticated `req` (answered by `res`) as `principal`; a principal is then `req.auth`. */
export function setRequestPrincipal(req: Request, res: Response, principal: Principal | null): void {
  const locals = localsOf(res);
  if (locals !== undefined) locals[PRINCIPAL] = principal;
  else principals.set(req, principal);
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
export function requestPrincipal(req: Request, res: Response | undefined): Principal | null | undefined {
  const locals = localsOf(res);
  return locals !== undefined ? locals[PRINCIPAL] : principals.get(req);
}
