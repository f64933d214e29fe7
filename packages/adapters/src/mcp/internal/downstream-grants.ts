import {
  AuthorizationServerUnavailableError,
  InsufficientScopeError,
  TokenExchangeError,
  type ExchangedToken,
  type Principal,
  type RegisteredOperation,
  type TokenExchanger,
} from '@valet/core';

export type { ExchangedToken, TokenExchanger };

/** One operation's downstream need, with the step-up scope `@Downstream` named (if any). */
export type Need = NonNullable<RegisteredOperation['downstream']>[number];

/** The outcome of one operation's exchanges: its tokens by audience, or why there are none. */
export type Grant =
  | { readonly ok: true; readonly tokens: ReadonlyMap<string, ExchangedToken> }
  | { readonly ok: false; readonly error: unknown };

/** Every exchange of the operation's needs for `principal`, at once; the first failure wins. */
export async function exchangeNeeds(
  exchanger: TokenExchanger,
  principal: Principal | null,
  needs: readonly Need[],
): Promise<Grant> {
  if (principal === null) {
    return { ok: false, error: new Error('An anonymous caller has no token to exchange.') };
  }
  try {
    const tokens = await Promise.all(
      needs.map((need) =>
        exchanger.exchange({ subjectToken: principal.token, audience: need.audience, scopes: need.scopes }),
      ),
    );
    return { ok: true, tokens: new Map(needs.map((need, i) => [need.audience, tokens[i]!])) };
  } catch (error) {
    return { ok: false, error };
  }
}

/** True when the IdP refused for want of consent or scope: a step-up at this server may help. */
export function isConsentRefusal(error: unknown): boolean {
  return error instanceof TokenExchangeError && error.reason === 'consent_or_scope';
}

/** True when the IdP could not be reached. */
export function isUnreachable(error: unknown): boolean {
  return error instanceof AuthorizationServerUnavailableError;
}

/**
 * The step-up refusal of `label` for a consent refusal: 403 `insufficient_scope` naming the
 * declared `stepUpScope` of the refused audience, else `required` (the operation's own scopes).
 */
export function stepUpRefusal(
  label: string,
  operationId: string,
  needs: readonly Need[],
  error: unknown,
  required: readonly string[],
): InsufficientScopeError {
  const audience = error instanceof TokenExchangeError ? error.audience : undefined;
  const need = needs.find((n) => n.audience === audience) ?? needs[0];
  const scopes = need?.stepUpScope === undefined ? required : [need.stepUpScope];
  const asked = scopes.map((s) => `"${s}"`).join(', ');
  return new InsufficientScopeError(
    `${label} acts on your behalf at ${String(need?.audience)}, which needs your consent: ask this server for scope ${asked} and try again.`,
    { required: scopes, operationId },
  );
}

/** What a tool error says when no downstream token could be obtained (no internals). */
export function noTokenMessage(label: string): string {
  return `${label} could not obtain a token to act on your behalf downstream; try again later or ask the server's administrator.`;
}

// The grants an HTTP request's admission obtained, handed to the bound handlers through the SDK:
// by request until the dispatcher builds the request's AuthInfo, then by that AuthInfo (the
// object the SDK hands the handlers as `authInfo`). Weak, so nothing outlives the request.
const byRequest = new WeakMap<object, ReadonlyMap<string, Grant>>();
const byAuthInfo = new WeakMap<object, ReadonlyMap<string, Grant>>();

/** Keeps the grants of `req`'s calls, by operation id. */
export function holdGrants(req: object, grants: ReadonlyMap<string, Grant>): void {
  byRequest.set(req, grants);
}

/** Hands `req`'s grants on to the AuthInfo the SDK will give the handlers. */
export function passGrants(req: object, authInfo: object | undefined): void {
  const grants = byRequest.get(req);
  if (grants !== undefined && authInfo !== undefined) byAuthInfo.set(authInfo, grants);
}

/** The grant the admission obtained for `operationId`, if any. */
export function grantOf(authInfo: object | undefined, operationId: string): Grant | undefined {
  return authInfo === undefined ? undefined : byAuthInfo.get(authInfo)?.get(operationId);
}
