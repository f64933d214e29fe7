import { check, type Policy } from '@valet/core';

/** What a route's check saw of one request. */
export interface SeenByCheck {
  readonly query: unknown;
  readonly body: unknown;
  readonly request: boolean;
}

/**
 * A check named "owner" that allows a caller only on `/users/<its own subject>/...` routes, and
 * records what it saw of each request (query, parsed body, whether the request was passed).
 */
export function ownerCheck(): { readonly policy: Policy; readonly seen: SeenByCheck[] } {
  const seen: SeenByCheck[] = [];
  const policy = check('owner', (principal, ctx) => {
    const { params, query, body } = ctx.arguments as {
      params: { user: string };
      query: unknown;
      body: unknown;
    };
    seen.push({ query, body, request: ctx.request !== undefined });
    return params.user === principal.subject;
  });
  return { policy, seen };
}
