import type { OperationKind, RequestedOperation, Valet } from '@valet/core';
import type { CheckedCall } from './jsonrpc-inspect.js';
import { resourceMatcher } from './resource-matcher.js';

const RESOURCE_PREFIX = 'resource:';
const PROMPT_PREFIX = 'prompt:';

/** The operation a call performs, or `undefined` for a call the flow leaves to the SDK. */
type CallOperation = (call: CheckedCall) => RequestedOperation | undefined;

/**
 * The operations the calls of one POST perform, with the same ids and check context as the bound
 * handlers: a tool by name, a prompt as `prompt:<name>`, a resource by the fixed URI or template
 * it matches (with the template's variables as arguments).
 *
 * A call naming an operation the registry does not know is left out: it reaches the SDK, whose
 * bound handler answers with the protocol's JSON-RPC error (unknown tool or prompt: InvalidParams;
 * resource not found: -32002), as over stdio, and runs nothing (`bindToolsets` binds only
 * registered operations and refuses servers that handle those methods themselves). The caller is
 * still authenticated: leaving a call out never lets a request without a token in.
 */
export function callOperations(valet: Valet): (calls: readonly CheckedCall[]) => RequestedOperation[] {
  let operationOf: CallOperation | undefined;
  return (calls) => {
    const operations: RequestedOperation[] = [];
    if (calls.length === 0) return operations;
    operationOf ??= callOperation(valet);
    for (const call of calls) {
      const operation = operationOf(call);
      if (operation !== undefined) operations.push(operation);
    }
    return operations;
  };
}

function callOperation(valet: Valet): CallOperation {
  // Frozen first, so the lookups see every operation the bound handlers can (a toolset
  // registered later could not be bound: compileToolsets refuses it then).
  valet.freeze();
  const { registry } = valet;
  const resources = registry.operations('resource');
  const matchResource = resourceMatcher(
    resources.map((op) => ({ id: op.id, uri: op.id.slice(RESOURCE_PREFIX.length) })),
  );
  // bindToolsets binds no handler for a kind the registry has no operation of: a handler there
  // would be the server's own, unauthorized, so its calls stay in for the flow to refuse
  // (default deny) rather than reach it.
  const bound = (kind: OperationKind): boolean => registry.operations(kind).length > 0;
  const tools = bound('tool');
  const prompts = bound('prompt');
  const anyResource = resources.length > 0;

  return (call) => {
    switch (call.method) {
      case 'tools/call':
        return registry.get(call.name)?.kind === 'tool' || !tools
          ? { id: call.name, context: { arguments: call.arguments } }
          : undefined;
      case 'prompts/get': {
        const id = `${PROMPT_PREFIX}${call.name}`;
        return registry.get(id)?.kind === 'prompt' || !prompts
          ? { id, context: { arguments: call.arguments } }
          : undefined;
      }
      case 'resources/read': {
        const uri = call.name;
        const match = matchResource(uri);
        if (match !== undefined)
          return { id: match.resource.id, context: { arguments: match.variables, uri } };
        return anyResource ? undefined : { id: `${RESOURCE_PREFIX}${uri}`, context: { uri } };
      }
    }
  };
}
