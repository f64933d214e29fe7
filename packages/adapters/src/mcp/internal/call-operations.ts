import type { RequestedOperation, Valet } from '@valet/core';
import type { CheckedCall } from './jsonrpc-inspect.js';
import { resourceMatcher, type DeclaredResource, type MatchedResource } from './resource-matcher.js';

const RESOURCE_PREFIX = 'resource:';

/**
 * The operations the calls of one POST perform, with the same ids and check context as the bound
 * handlers: a tool by name, a prompt as `prompt:<name>`, a resource by the fixed URI or template
 * it matches (with the template's variables as arguments). An id the registry does not know is
 * kept: the flow refuses it (default deny).
 */
export function callOperations(valet: Valet): (calls: readonly CheckedCall[]) => RequestedOperation[] {
  let matchResource: ((uri: string) => MatchedResource<DeclaredResource> | undefined) | undefined;
  const resourceOperation = (uri: string): RequestedOperation => {
    if (matchResource === undefined) {
      valet.freeze();
      const resources = valet.registry
        .operations('resource')
        .map((op) => ({ id: op.id, uri: op.id.slice(RESOURCE_PREFIX.length) }));
      matchResource = resourceMatcher(resources);
    }
    const match = matchResource(uri);
    return match === undefined
      ? { id: `${RESOURCE_PREFIX}${uri}`, context: { uri } }
      : { id: match.resource.id, context: { arguments: match.variables, uri } };
  };
  return (calls) =>
    calls.map((call) =>
      call.method === 'resources/read'
        ? resourceOperation(call.name)
        : {
            id: call.method === 'prompts/get' ? `prompt:${call.name}` : call.name,
            context: { arguments: call.arguments },
          },
    );
}
