import {
  InsufficientScopeError,
  MissingTokenError,
  decisionError,
  type Decision,
  type Principal,
  type Valet,
  type ValetError,
} from '@valet/core';
import type { CheckedCall } from './jsonrpc-inspect.js';
import { resourceMatcher, type DeclaredResource, type MatchedResource } from './resource-matcher.js';

const RESOURCE_PREFIX = 'resource:';
const PRECHECK = Object.freeze({ audit: 'denied' } as const);

/**
 * Authorizes the calls of one POST before the SDK sees them, with the same operation ids and
 * check context as the bound handlers: a tool by name, a prompt as `prompt:<name>`, a resource
 * by the fixed URI or template it matches (with the template's variables as arguments). An
 * operation the registry does not know is refused (default deny). Resolves to `undefined` when
 * every call is allowed, else to the one error to answer with.
 */
export function callAuthorizer(
  valet: Valet,
): (principal: Principal | null, calls: readonly CheckedCall[]) => Promise<ValetError | undefined> {
  let matchResource: ((uri: string) => MatchedResource<DeclaredResource> | undefined) | undefined;
  const resourceTarget = (uri: string): readonly [string, Readonly<Record<string, unknown>>] => {
    if (matchResource === undefined) {
      valet.freeze();
      const resources = valet.registry
        .operations('resource')
        .map((op) => ({ id: op.id, uri: op.id.slice(RESOURCE_PREFIX.length) }));
      matchResource = resourceMatcher(resources);
    }
    const match = matchResource(uri);
    return match === undefined
      ? [`${RESOURCE_PREFIX}${uri}`, { uri }]
      : [match.resource.id, { arguments: match.variables, uri }];
  };
  return async (principal, calls) => {
    let refused: Decision[] | undefined;
    for (const call of calls) {
      const [id, ctx] =
        call.method === 'resources/read'
          ? resourceTarget(call.name)
          : [
              call.method === 'prompts/get' ? `prompt:${call.name}` : call.name,
              { arguments: call.arguments },
            ];
      // The bound handler decides again and records allowed calls; here only refusals, so each
      // call is audited once.
      const decision = await valet.authorize(principal, id, ctx, PRECHECK);
      if (!decision.allowed) (refused ??= []).push(decision);
    }
    return refused === undefined ? undefined : refusalOf(refused);
  };
}

/**
 * One error for every refused call of a batch: one challenge carrying the union of the scopes
 * they need, so a client steps up once. A refusal scopes cannot fix wins (asking for scopes
 * would not help).
 */
function refusalOf(refused: readonly Decision[]): ValetError {
  const errors = refused.map((decision) => decisionError(decision)!);
  if (errors.length === 1) return errors[0]!;
  const reason = refused.map((decision) => decision.reason).join(' ');
  const required = union(refused.map((decision) => decision.required));
  if (errors.every((error) => error instanceof MissingTokenError))
    return new MissingTokenError(reason, required);
  if (errors.every((error) => error instanceof InsufficientScopeError)) {
    return new InsufficientScopeError(reason, {
      required,
      missing: union(refused.map((decision) => decision.missing)),
    });
  }
  return errors.find((error) => !(error instanceof InsufficientScopeError))!;
}

function union(lists: readonly (readonly string[])[]): string[] {
  return [...new Set(lists.flat())];
}
