import { OptionsError, PolicyRegistry } from '@valet/core';
import { collectToolsets } from './collect-toolsets.js';
import type { OperationDeclaration, ToolsetClass, ToolsetDefinition } from './toolset-definition.js';

/**
 * Collects `classes` (see {@link collectToolsets}; scopes are checked against the registry's
 * catalog) and registers every operation in `registry` with its policy: tools under their name,
 * resources as `resource:<uri>`, prompts as `prompt:<name>`, each with `source`
 * (`FileTools.writeFile`) so start-up messages name the method. `meta` carries what the manifest
 * and adapters read: `toolset`, `method`, `name`, and per kind `annotations` and `inputSchema`,
 * `uri` and `mimeType`, or `arguments`. Does not freeze the registry (the Authorizer does), so
 * more operations can be added. Returns the definitions.
 *
 * @example
 * ```ts
 * const registry = new PolicyRegistry({ catalog: scopes });
 * registerToolsets(registry, [FileTools, AdminTools]);
 * const authorizer = new Authorizer(registry); // freezes: unknown scopes fail here
 * ```
 */
export function registerToolsets(
  registry: PolicyRegistry,
  classes: readonly ToolsetClass[],
): readonly ToolsetDefinition[] {
  if (!(registry instanceof PolicyRegistry)) {
    throw new OptionsError('registry', 'registry must be a PolicyRegistry from @valet/core.');
  }
  const definitions = collectToolsets(
    classes,
    registry.catalog === undefined ? {} : { catalog: registry.catalog },
  );
  for (const definition of definitions) {
    for (const operation of definition.operations) {
      registry.register({
        id: operation.id,
        kind: operation.kind,
        policy: operation.policy,
        ...(operation.title === undefined ? {} : { title: operation.title }),
        description: operation.description,
        source: operation.source,
        meta: metaOf(definition, operation),
        ...(operation.downstream.length === 0 ? {} : { downstream: operation.downstream }),
      });
    }
  }
  return definitions;
}

function metaOf(definition: ToolsetDefinition, operation: OperationDeclaration): Record<string, unknown> {
  const common = { toolset: definition.name, method: operation.method, name: operation.name };
  switch (operation.kind) {
    case 'tool':
      return { ...common, annotations: operation.annotations, inputSchema: operation.inputSchema };
    case 'resource':
      return { ...common, uri: operation.uri, mimeType: operation.mimeType };
    case 'prompt':
      return { ...common, arguments: operation.arguments };
  }
}
