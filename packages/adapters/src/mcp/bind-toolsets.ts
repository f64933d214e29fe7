import { Authorizer, OptionsError, PolicyRegistry, type Principal, type Valet } from '@valet/core';
import { ValetTypes, resolveToolset, type ToolsetClass, type ToolsetDefinition } from '@valet/decorators';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import {
  CallToolRequestSchema,
  GetPromptRequestSchema,
  ListPromptsRequestSchema,
  ListResourceTemplatesRequestSchema,
  ListResourcesRequestSchema,
  ListToolsRequestSchema,
  ReadResourceRequestSchema,
} from '@modelcontextprotocol/sdk/types.js';
import { assertValet } from '../internal/assert-valet.js';
import { compileToolsets, type CompiledToolsets } from './internal/compiled-toolsets.js';
import { callTool, getPrompt, principalOf, readResource, type Binding } from './internal/operation-calls.js';
import type { McpRequestExtra } from './tool-context.js';

/** The inversify container toolsets are resolved from (the type `resolveToolset` takes). */
export type ToolsetContainer = Parameters<typeof resolveToolset>[0];

/** Options of {@link bindToolsets}. */
export interface BindToolsetsOptions {
  /**
   * The toolsets: the definitions `registerToolsets` returned (cheapest: compiled once), or the
   * `@Toolset()` classes. Default, with a `container`: the toolsets `valetContainerModule` bound.
   */
  readonly toolsets?: readonly ToolsetDefinition[] | readonly ToolsetClass[];
  /** Resolves toolset instances (constructor injection); also the default source of `toolsets` and the authorizer. */
  readonly container?: ToolsetContainer;
  /** Decides with the Valet's registry and audit sink (the usual choice). */
  readonly valet?: Valet;
  /** Decides with this authorizer instead (stdio servers without a Valet). */
  readonly authorizer?: Authorizer;
  /**
   * `'filter'` (default): `tools/list`, `resources/list` and `prompts/list` show a caller only
   * what its scopes allow (a check in a policy counts as passing: it needs a call's arguments).
   * `'all'`: everything is listed; calls are still authorized.
   */
  readonly listing?: 'filter' | 'all';
  /**
   * The caller of every request that does not come over HTTP (stdio, in-memory): a principal
   * from {@link verifyStdioToken}, or one you build for a trusted local user. Never used for an
   * HTTP request, where the token decides (an HTTP request without one is anonymous).
   */
  readonly principal?: Principal;
  /** Receives what a method threw (the client only hears that it failed). */
  readonly onError?: (error: unknown, operationId: string) => void;
}

const instances = new WeakMap<ToolsetClass, object>();

/**
 * Registers every `@Tool`, `@Resource` and `@Prompt` of the toolsets with an MCP SDK server
 * (`McpServer` or its low-level `Server`), through the SDK's low-level request handlers, so that
 * lists are per caller and input schemas are the DTOs' plain JSON Schema. Each call is authorized
 * against its policy (again, after the HTTP layer; on stdio, only here), its input transformed
 * and validated (invalid input is a tool error listing each violation; the method never runs),
 * then the method is called with the input and a {@link ToolContext}. A tool may return a string,
 * a JSON value (an object becomes `structuredContent`) or a full `CallToolResult`; what it throws
 * becomes a tool error that tells the client only that it failed.
 *
 * Call it before `server.connect()`. The server must not also register tools, resources or
 * prompts of its own through `McpServer.registerTool` & co (they would bypass authorization):
 * that fails with an error naming the conflict. Returns `server`.
 *
 * @example
 * ```ts
 * const registry = new PolicyRegistry({ catalog: scopes });
 * const toolsets = registerToolsets(registry, [FileTools]);
 * const valet = createValet({ registry, resource: 'https://files.example.com/mcp', idp });
 * const server = bindToolsets(new McpServer({ name: 'files', version: '1.0.0' }), { toolsets, valet });
 * ```
 */
export function bindToolsets<S extends McpServer | Server>(server: S, options: BindToolsetsOptions): S {
  const low = lowLevelServer(server);
  if (typeof options !== 'object' || options === null) {
    throw new OptionsError('options', 'bindToolsets() needs an options object: { toolsets, valet }.');
  }
  const { container, valet, authorizer } = options;
  if (valet !== undefined && authorizer !== undefined) {
    throw new OptionsError(
      'authorizer',
      'Give valet or authorizer, not both: they would decide differently.',
    );
  }
  if (valet !== undefined) assertValet(valet, 'bindToolsets()');
  if (authorizer !== undefined && !(authorizer instanceof Authorizer)) {
    throw new OptionsError('authorizer', 'authorizer must be an Authorizer from @valet/core.');
  }
  if (container !== undefined && typeof container?.get !== 'function') {
    throw new OptionsError('container', 'container must be an inversify Container.');
  }
  if (options.listing !== undefined && options.listing !== 'filter' && options.listing !== 'all') {
    throw new OptionsError('listing', 'listing must be "filter" or "all".');
  }
  if (options.principal !== undefined && !(options.principal?.scopes instanceof Set)) {
    throw new OptionsError(
      'principal',
      'principal must be a Principal (createPrincipal() or verifyStdioToken()).',
    );
  }
  if (options.onError !== undefined && typeof options.onError !== 'function') {
    throw new OptionsError('onError', 'onError must be a function (error, operationId) => void.');
  }
  const decider =
    valet ?? authorizer ?? (container === undefined ? undefined : container.get(ValetTypes.Authorizer));
  if (decider === undefined) {
    throw new OptionsError(
      'valet',
      'bindToolsets() needs a valet, an authorizer or a container to decide with.',
    );
  }
  const toolsets =
    options.toolsets ?? (container === undefined ? undefined : container.get(ValetTypes.Toolsets));
  if (!Array.isArray(toolsets) || toolsets.length === 0) {
    throw new OptionsError(
      'toolsets',
      'toolsets must list the @Toolset() classes or the definitions registerToolsets() returned.',
    );
  }
  const compiled = compileToolsets(toolsets, registryOf(decider));
  const binding: Binding = {
    compiled,
    authorize: (principal, id, ctx, audit) => decider.authorize(principal, id, ctx, { audit }),
    instanceOf: instanceResolver(compiled, container),
    principal: options.principal,
    onError: options.onError,
  };
  install(low, binding, options.listing ?? 'filter');
  return server;
}

function lowLevelServer(server: McpServer | Server): Server {
  const low = (server as McpServer | undefined)?.server ?? (server as Server | undefined);
  if (typeof low?.setRequestHandler !== 'function' || typeof low.registerCapabilities !== 'function') {
    throw new OptionsError(
      'server',
      'server must be an McpServer or a Server from @modelcontextprotocol/sdk.',
    );
  }
  if (low.transport !== undefined) {
    throw new OptionsError(
      'server',
      'bindToolsets() must run before server.connect(): capabilities are fixed on connecting.',
    );
  }
  return low;
}

function registryOf(decider: Valet | Authorizer): PolicyRegistry {
  const registry = decider.registry;
  if (!(registry instanceof PolicyRegistry)) {
    throw new OptionsError('valet', 'The valet or authorizer has no PolicyRegistry from @valet/core.');
  }
  return registry;
}

function instanceResolver(
  compiled: CompiledToolsets,
  container: ToolsetContainer | undefined,
): (toolset: ToolsetClass) => object {
  for (const toolset of compiled.toolsets) {
    if (container !== undefined) {
      // Checked now, so a missing binding fails at start-up rather than at the first call.
      if (!container.isBound(toolset)) resolveToolset(container, toolset);
    } else if (toolset.length > 0) {
      throw new OptionsError(
        'container',
        `${toolset.name} takes constructor arguments; pass the inversify container that builds it.`,
      );
    }
  }
  if (container !== undefined) return (toolset) => resolveToolset(container, toolset);
  return (toolset) => {
    let instance = instances.get(toolset);
    if (instance === undefined) instances.set(toolset, (instance = new toolset()));
    return instance;
  };
}

function install(low: Server, binding: Binding, listing: 'filter' | 'all'): void {
  const { compiled } = binding;
  const methods = [
    ...(compiled.tools.size > 0 ? ['tools/list', 'tools/call'] : []),
    ...(compiled.resources.length > 0
      ? ['resources/list', 'resources/templates/list', 'resources/read']
      : []),
    ...(compiled.prompts.size > 0 ? ['prompts/list', 'prompts/get'] : []),
  ];
  for (const method of methods) {
    try {
      low.assertCanSetRequestHandler(method);
    } catch {
      throw new OptionsError(
        'server',
        `The server already handles ${method} (through McpServer.registerTool/registerResource/registerPrompt or an earlier bindToolsets()); declare every operation in Valet toolsets so each one is authorized.`,
      );
    }
  }
  const visible = <T extends { readonly id: string; readonly listing: unknown }>(
    entries: Iterable<T>,
    extra: McpRequestExtra,
  ): T['listing'][] => {
    const all = [...entries];
    if (listing === 'all') return all.map((entry) => entry.listing);
    const principal = principalOf(binding, extra);
    const authorizer = compiled.listingAuthorizer;
    return all.filter((entry) => authorizer.authorizeSync(principal, entry.id).allowed).map((e) => e.listing);
  };
  if (compiled.tools.size > 0) {
    low.registerCapabilities({ tools: {} });
    low.setRequestHandler(ListToolsRequestSchema, (_request, extra) => ({
      tools: visible(compiled.tools.values(), extra),
    }));
    low.setRequestHandler(CallToolRequestSchema, (request, extra) =>
      callTool(binding, request.params, extra),
    );
  }
  if (compiled.resources.length > 0) {
    low.registerCapabilities({ resources: {} });
    const fixed = compiled.resources.filter((resource) => !resource.template);
    const templates = compiled.resources.filter((resource) => resource.template);
    low.setRequestHandler(ListResourcesRequestSchema, (_request, extra) => ({
      resources: visible(fixed, extra) as { uri: string; name: string }[],
    }));
    low.setRequestHandler(ListResourceTemplatesRequestSchema, (_request, extra) => ({
      resourceTemplates: visible(templates, extra) as { uriTemplate: string; name: string }[],
    }));
    low.setRequestHandler(ReadResourceRequestSchema, (request, extra) =>
      readResource(binding, request.params.uri, extra),
    );
  }
  if (compiled.prompts.size > 0) {
    low.registerCapabilities({ prompts: {} });
    low.setRequestHandler(ListPromptsRequestSchema, (_request, extra) => ({
      prompts: visible(compiled.prompts.values(), extra),
    }));
    low.setRequestHandler(GetPromptRequestSchema, (request, extra) =>
      getPrompt(binding, request.params, extra),
    );
  }
}
