import { OptionsError } from '@valet/core';
import { bindingCore, lowLevelServer, type BindToolsetsOptions } from './binding-setup.js';
import {
  callTool,
  getPrompt,
  principalOf,
  readResource,
  type Binding,
  type HandlerFacts,
  type PromptGetParams,
  type ToolCallParams,
} from './operation-calls.js';

/** The MCP request methods Valet answers for bound toolsets. */
export type BoundMethodName =
  | 'tools/list'
  | 'tools/call'
  | 'resources/list'
  | 'resources/templates/list'
  | 'resources/read'
  | 'prompts/list'
  | 'prompts/get';

/** The low-level server calls both SDKs share. */
interface LowLevelServer {
  assertCanSetRequestHandler(method: string): void;
  registerCapabilities(capabilities: Readonly<Record<string, object>>): void;
}

/** What a binding translates for its SDK: which one it is, its handler context, its errors, its handlers. */
export interface SdkTranslation<X, L> {
  readonly sdk: 'v1' | 'v2';
  /** The facts of the SDK's handler context `X`. */
  readonly facts: (extra: X) => HandlerFacts;
  /** True for the SDK's own JSON-RPC error, which a method throws for the client to get as is. */
  readonly isSdkError: (error: unknown) => boolean;
  /**
   * Installs `handle` for `method` on the SDK's low-level server; `perCaller` when the result is
   * a list filtered for the caller (the binding may mark it, e.g. as privately cacheable).
   */
  readonly setHandler: (
    low: L,
    method: BoundMethodName,
    handle: (params: unknown, extra: X) => unknown,
    perCaller: boolean,
  ) => void;
}

/** A bound operation as lists show it: its registry id and its precomputed list entry. */
interface Listed {
  readonly id: string;
  readonly listing: unknown;
}

interface BoundMethod<X> {
  readonly method: BoundMethodName;
  readonly perCaller: boolean;
  readonly handle: (params: unknown, extra: X) => unknown;
}

/**
 * `bindToolsets` for either SDK, given its translation: checks the server and the options, then
 * installs the bound toolsets' handlers on the low-level server: lists per caller (`listing:
 * 'filter'`, one precompiled scope-only decision per operation, not audited) or whole, and the
 * calls through {@link callTool}, {@link readResource} and {@link getPrompt}. Fails, before
 * installing anything, when the server already handles one of the methods: an operation
 * registered around Valet would not be authorized.
 */
export function bindToolsetsWith<X, L extends LowLevelServer>(
  server: unknown,
  options: BindToolsetsOptions,
  translation: SdkTranslation<X, L>,
): void {
  const low = lowLevelServer(server, translation.sdk) as L;
  const { listing, ...core } = bindingCore(options);
  const binding: Binding<X> = { ...core, facts: translation.facts, isSdkError: translation.isSdkError };
  const { compiled } = binding;
  const perCaller = listing === 'filter';
  const visible = (entries: readonly Listed[], extra: X): unknown[] => {
    if (!perCaller) return entries.map((entry) => entry.listing);
    const principal = principalOf(binding, binding.facts(extra));
    const authorizer = compiled.listingAuthorizer;
    return entries
      .filter((entry) => authorizer.authorizeSync(principal, entry.id).allowed)
      .map((e) => e.listing);
  };
  const list = (method: BoundMethodName, key: string, entries: readonly Listed[]): BoundMethod<X> => ({
    method,
    perCaller,
    handle: (_params, extra) => ({ [key]: visible(entries, extra) }),
  });
  const call = (method: BoundMethodName, handle: BoundMethod<X>['handle']): BoundMethod<X> => ({
    method,
    perCaller: false,
    handle,
  });
  const methods: BoundMethod<X>[] = [];
  const capabilities: Record<string, object> = {};
  if (compiled.tools.size > 0) {
    capabilities['tools'] = {};
    methods.push(
      list('tools/list', 'tools', [...compiled.tools.values()]),
      call('tools/call', (params, extra) => callTool(binding, params as ToolCallParams, extra)),
    );
  }
  if (compiled.resources.length > 0) {
    capabilities['resources'] = {};
    methods.push(
      list(
        'resources/list',
        'resources',
        compiled.resources.filter((resource) => !resource.template),
      ),
      list(
        'resources/templates/list',
        'resourceTemplates',
        compiled.resources.filter((resource) => resource.template),
      ),
      call('resources/read', (params, extra) =>
        readResource(binding, (params as { uri: string }).uri, extra),
      ),
    );
  }
  if (compiled.prompts.size > 0) {
    capabilities['prompts'] = {};
    methods.push(
      list('prompts/list', 'prompts', [...compiled.prompts.values()]),
      call('prompts/get', (params, extra) => getPrompt(binding, params as PromptGetParams, extra)),
    );
  }
  for (const { method } of methods) {
    try {
      low.assertCanSetRequestHandler(method);
    } catch {
      throw new OptionsError(
        'server',
        `The server already handles ${method} (through McpServer.registerTool/registerResource/registerPrompt or an earlier bindToolsets()); declare every operation in Valet toolsets so each one is authorized.`,
      );
    }
  }
  low.registerCapabilities(capabilities);
  for (const { method, handle, perCaller: filtered } of methods) {
    translation.setHandler(low, method, handle, filtered);
  }
}
