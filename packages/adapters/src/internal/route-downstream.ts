import {
  MissingTokenError,
  operationLabel,
  type Principal,
  type RegisteredOperation,
  type Valet,
} from '@valet/core';
import { downstreamContext, type DownstreamContext } from './downstream-context.js';
import { admissionGrant, requireExchanger, type TokenExchanger } from './downstream-grants.js';

/** Obtains the downstream helper of an admitted call of a route that declares `@Downstream`. */
export type RouteDelegate = (
  principal: Principal | null,
  operation: RegisteredOperation,
) => Promise<DownstreamContext>;

/**
 * The delegate of an adapter serving `valet` with `exchanger`: once the call is admitted, its
 * tokens by exchange (one per declared audience), before the route's handlers run. Rejects with
 * what the adapter renders: an anonymous caller is a 401 (there is no token to exchange), a
 * refusal for want of consent or scope a 403 step-up, an unreachable IdP a 503 with
 * `Retry-After`, any other refusal the `TokenExchangeError` (502, no internals in the body).
 */
export function routeDelegate(valet: Valet, exchanger: TokenExchanger): RouteDelegate {
  return async (principal, operation) => {
    const label = operationLabel(operation.kind, operation.id);
    if (principal === null) {
      throw new MissingTokenError(`${label} acts on your behalf downstream; send a bearer token.`);
    }
    const grant = await admissionGrant(valet, exchanger, principal, operation);
    if (!grant.ok) throw grant.error;
    return downstreamContext(label, operation.downstream ?? [], grant.tokens);
  };
}

/**
 * The delegate of the route `id` just registered, when it declares `@Downstream`; `undefined`
 * when it acts on no one's behalf. Set-up fails when it does and `delegate` is missing (the
 * adapter `who` was given no exchanger).
 */
export function routeDelegateFor(
  operation: RegisteredOperation,
  delegate: RouteDelegate | undefined,
  who: string,
): RouteDelegate | undefined {
  if ((operation.downstream?.length ?? 0) === 0) return undefined;
  if (delegate === undefined) requireExchanger(operation, undefined, who);
  return delegate;
}
