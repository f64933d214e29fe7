import { Authorizer, OptionsError, PolicyRegistry, type Principal, type Valet } from '@valet/core';
import { ValetTypes, resolveToolset, type ToolsetClass, type ToolsetDefinition } from '@valet/decorators';
import { assertValet } from '../../internal/assert-valet.js';
import { compileToolsets, type CompiledToolsets } from './compiled-toolsets.js';
import type { Binding } from './operation-calls.js';
import { exchangerOption, requireExchanger, type TokenExchanger } from '../../internal/downstream-grants.js';

/** The inversify container toolsets are resolved from (the type `resolveToolset` takes). */
export type ToolsetContainer = Parameters<typeof resolveToolset>[0];

/** Options of `bindToolsets`, the same for both MCP SDKs. */
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
  /**
   * Obtains the downstream tokens of `@Downstream` operations for calls that did not come through
   * `createMcpHttpHandler` (stdio, in memory): the caller's token is exchanged before the method
   * runs, and any refusal is a tool error (naming the scope to ask for, when consent is missing).
   * Over HTTP, the handler's own `exchanger` obtains them at admission. Required when an operation
   * declares `@Downstream` and no `valet` is given.
   */
  readonly exchanger?: TokenExchanger;
}

/** A {@link Binding} without what only the SDK's binding knows (its handler context and errors). */
export type BindingCore = Omit<Binding<never>, 'facts' | 'isSdkError'> & {
  readonly listing: 'filter' | 'all';
};

const instances = new WeakMap<ToolsetClass, object>();

/**
 * Validates `bindToolsets` options (every misuse fails here, naming the option) and prepares what
 * both bindings share: the compiled toolsets, the decider, the toolset instances.
 */
export function bindingCore(options: BindToolsetsOptions): BindingCore {
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
  const exchanger = exchangerOption(options.exchanger);
  const delegating = [...compiled.tools.values(), ...compiled.resources, ...compiled.prompts.values()]
    .map((operation) => operation.declaration)
    .find((declaration) => declaration.downstream.length > 0);
  // Over HTTP with a Valet, the handler's own exchanger obtains the tokens at admission.
  if (valet === undefined) requireExchanger(delegating, exchanger, 'bindToolsets()');
  return {
    exchanger,
    compiled,
    authorize: (principal, id, ctx, audit) => decider.authorize(principal, id, ctx, { audit }),
    instanceOf: instanceResolver(compiled, container),
    principal: options.principal,
    onError: options.onError,
    listing: options.listing ?? 'filter',
  };
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

/** The two MCP SDKs a binding can be given a server of, and where their binding is imported from. */
const SDKS = {
  v1: { package: '@modelcontextprotocol/sdk', subpath: '@valet/adapters/mcp' },
  v2: { package: '@modelcontextprotocol/server', subpath: '@valet/adapters/mcp-v2' },
} as const;

/**
 * The low-level `Server` of `server` (an `McpServer`, or the `Server` itself) of the binding's
 * SDK, not yet connected; a server of the other SDK is refused with the subpath to import.
 */
export function lowLevelServer(server: unknown, sdk: keyof typeof SDKS): unknown {
  const low = ((server as { server?: unknown } | undefined)?.server ?? server) as
    Readonly<Record<string, unknown>> | undefined;
  if (typeof low?.['setRequestHandler'] !== 'function' || typeof low['registerCapabilities'] !== 'function') {
    throw new OptionsError('server', `server must be an McpServer or a Server from ${SDKS[sdk].package}.`);
  }
  // Only SDK v2's Server projects tool results per protocol era.
  const given = typeof low['projectCallToolResult'] === 'function' ? SDKS.v2 : SDKS.v1;
  if (given !== SDKS[sdk]) {
    throw new OptionsError(
      'server',
      `server is from ${given.package}: import bindToolsets from ${given.subpath}.`,
    );
  }
  if (low['transport'] !== undefined) {
    throw new OptionsError(
      'server',
      'bindToolsets() must run before server.connect(): capabilities are fixed on connecting.',
    );
  }
  return low;
}
