import {
  Authorizer,
  PolicyConfigError,
  PolicyRegistry,
  and,
  authenticated,
  or,
  type Policy,
} from '@valet/core';
import {
  collectToolsets,
  registerToolsets,
  type PromptDeclaration,
  type ResourceDeclaration,
  type ToolDeclaration,
  type ToolsetClass,
  type ToolsetDefinition,
} from '@valet/decorators';
import type { Prompt, Resource, ResourceTemplate, Tool } from '@modelcontextprotocol/sdk/types.js';
import { usesChecks } from '../../internal/policy-checks.js';
import { resourceMatcher, type MatchedResource } from './resource-matcher.js';
import { isUriTemplate } from './uri-template.js';

/** What every bound operation carries: its registry id, declaration and precomputed facts. */
interface CompiledBase<D> {
  readonly id: string;
  readonly declaration: D;
  /** The policy has a `check`: it needs the call's arguments to decide. */
  readonly checks: boolean;
}

export interface CompiledTool extends CompiledBase<ToolDeclaration> {
  /** The `tools/list` entry, built once. */
  readonly listing: Tool;
}

export interface CompiledResource extends CompiledBase<ResourceDeclaration> {
  readonly uri: string;
  readonly template: boolean;
  readonly listing: Resource | ResourceTemplate;
}

export interface CompiledPrompt extends CompiledBase<PromptDeclaration> {
  readonly listing: Prompt;
  readonly required: readonly string[];
}

/** Toolsets prepared for binding to any number of servers (one per request in stateless mode). */
export interface CompiledToolsets {
  readonly tools: ReadonlyMap<string, CompiledTool>;
  readonly resources: readonly CompiledResource[];
  readonly matchResource: (uri: string) => MatchedResource<CompiledResource> | undefined;
  readonly prompts: ReadonlyMap<string, CompiledPrompt>;
  /**
   * Decides listings without auditing: each policy with its checks read as "may pass" (a check
   * needs the arguments of a call), over a private copy of the registry.
   */
  readonly listingAuthorizer: Authorizer;
  /** Every toolset class an operation is called on. */
  readonly toolsets: ReadonlySet<ToolsetClass>;
}

const cache = new WeakMap<object, WeakMap<PolicyRegistry, CompiledToolsets>>();

/**
 * Compiles `toolsets` (classes or the definitions `registerToolsets` returned) against the
 * registry decisions come from, once per pair. Classes not yet in an unfrozen registry are
 * registered; every operation must be in the registry, declared by the same method.
 */
export function compileToolsets(
  toolsets: readonly ToolsetDefinition[] | readonly ToolsetClass[],
  registry: PolicyRegistry,
): CompiledToolsets {
  let byRegistry = cache.get(toolsets);
  if (byRegistry === undefined) cache.set(toolsets, (byRegistry = new WeakMap()));
  let compiled = byRegistry.get(registry);
  if (compiled === undefined)
    byRegistry.set(registry, (compiled = compile(definitionsOf(toolsets, registry), registry)));
  return compiled;
}

function definitionsOf(
  toolsets: readonly ToolsetDefinition[] | readonly ToolsetClass[],
  registry: PolicyRegistry,
): readonly ToolsetDefinition[] {
  if (!toolsets.every((t): t is ToolsetClass => typeof t === 'function')) {
    return toolsets as readonly ToolsetDefinition[];
  }
  const catalog = registry.catalog;
  const definitions = collectToolsets(toolsets, catalog === undefined ? {} : { catalog });
  const ids = definitions.flatMap((d) => d.operations.map((op) => op.id));
  if (!registry.frozen && ids.every((id) => !registry.has(id))) return registerToolsets(registry, toolsets);
  return definitions;
}

function compile(definitions: readonly ToolsetDefinition[], registry: PolicyRegistry): CompiledToolsets {
  const tools = new Map<string, CompiledTool>();
  const resources: CompiledResource[] = [];
  const prompts = new Map<string, CompiledPrompt>();
  const listing = new PolicyRegistry(registry.catalog === undefined ? {} : { catalog: registry.catalog });
  for (const operation of definitions.flatMap((d) => d.operations)) {
    const registered = registry.get(operation.id);
    if (registered === undefined || registered.source !== operation.source) {
      throw new PolicyConfigError(
        registered === undefined
          ? `${operation.source} ("${operation.id}") is not in the registry the Valet decides with; register its toolset there (registerToolsets(registry, toolsets)) before binding.`
          : `"${operation.id}" is registered by ${registered.source ?? 'another declaration'}, not by ${operation.source}; bind the toolsets the registry was filled from.`,
      );
    }
    const base = { id: operation.id, checks: usesChecks(operation.policy) };
    listing.register({ id: operation.id, kind: operation.kind, policy: optimistic(operation.policy) });
    if (operation.kind === 'tool') {
      tools.set(operation.name, { ...base, declaration: operation, listing: toolListing(operation) });
    } else if (operation.kind === 'resource') {
      const template = isUriTemplate(operation.uri);
      resources.push({
        ...base,
        declaration: operation,
        uri: operation.uri,
        template,
        listing: resourceListing(operation, template),
      });
    } else {
      const required = operation.arguments.filter((a) => a.required === true).map((a) => a.name);
      prompts.set(operation.name, {
        ...base,
        declaration: operation,
        listing: promptListing(operation),
        required,
      });
    }
  }
  return {
    tools,
    resources,
    matchResource: resourceMatcher(resources),
    prompts,
    listingAuthorizer: new Authorizer(listing),
    toolsets: new Set(definitions.map((definition) => definition.target)),
  };
}

/** The policy with every check read as passing for any authenticated caller. */
function optimistic(policy: Policy): Policy {
  switch (policy.kind) {
    case 'check':
      return authenticated();
    case 'not':
      return usesChecks(policy.policy) ? authenticated() : policy;
    case 'rateLimit':
      // Listing is not a call: a limited tool is listed to whoever its policy allows.
      return optimistic(policy.policy);
    case 'and':
      return and(...policy.policies.map(optimistic));
    case 'or':
      return or(...policy.policies.map(optimistic));
    default:
      return policy;
  }
}

function toolListing(tool: ToolDeclaration): Tool {
  return withOptional(
    { name: tool.name, description: tool.description, inputSchema: tool.inputSchema as Tool['inputSchema'] },
    { title: tool.title, annotations: tool.annotations },
  );
}

function resourceListing(resource: ResourceDeclaration, template: boolean): Resource | ResourceTemplate {
  const optional = { title: resource.title, description: resource.description, mimeType: resource.mimeType };
  return template
    ? withOptional({ uriTemplate: resource.uri, name: resource.name }, optional)
    : withOptional({ uri: resource.uri, name: resource.name }, optional);
}

function promptListing(prompt: PromptDeclaration): Prompt {
  return withOptional(
    { name: prompt.name, description: prompt.description },
    { title: prompt.title, arguments: prompt.arguments.length > 0 ? [...prompt.arguments] : undefined },
  );
}

/** `base` plus the members of `optional` that are defined (the SDK's schemas refuse explicit `undefined`). */
function withOptional<T extends object>(base: T, optional: Record<string, unknown>): T {
  const out = { ...base } as Record<string, unknown>;
  for (const [key, value] of Object.entries(optional)) if (value !== undefined) out[key] = value;
  return Object.freeze(out) as T;
}
