import type { IncomingMessage } from 'node:http';
import type { RequestedOperation, Valet } from '@valet/core';
import { usesChecks } from '../../internal/policy-checks.js';
import { isFormContentType } from '../../internal/node-request.js';
import { callOperations } from './call-operations.js';
import type { CheckedMethod } from './jsonrpc-inspect.js';

const CHECKED: ReadonlySet<string> = new Set<CheckedMethod>(['tools/call', 'resources/read', 'prompts/get']);

/**
 * The operation a request names in its `Mcp-Method` / `Mcp-Name` headers (2026-07-28), when it
 * can be authorized before the body is read: one method that acts on an operation, one name, an
 * operation the registry knows whose policy needs no arguments (no `check`), and a body that is
 * not form-encoded (the only kind that may carry a token core must see). `undefined` otherwise:
 * the request is then authorized from its body. The body must still agree with the headers
 * (`inspectMessages` refuses it with 400 otherwise), so what was authorized is what runs.
 */
export function headerOperation(valet: Valet): (req: IncomingMessage) => RequestedOperation | undefined {
  const operationsOf = callOperations(valet);
  return (req) => {
    const method = req.headers['mcp-method'];
    const name = req.headersDistinct['mcp-name'];
    if (typeof method !== 'string' || !CHECKED.has(method) || name?.length !== 1) return undefined;
    if (isFormContentType(req.headers['content-type'])) return undefined;
    const [operation] = operationsOf([
      { method: method as CheckedMethod, name: name[0]!, arguments: undefined },
    ]);
    const policy = operation === undefined ? undefined : valet.registry.get(operation.id)?.policy;
    return policy === undefined || usesChecks(policy) ? undefined : operation;
  };
}
