import { isValetError, type Decision, type Principal } from '@valet/core';
import { InputValidationError, validateInput, type ToolsetClass } from '@valet/decorators';
import type { CallToolResult, GetPromptResult, ReadResourceResult } from '@modelcontextprotocol/sdk/types.js';
import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';
import { principalFromAuthInfo } from './auth-info.js';
import { ProtocolError } from './protocol-error.js';
import { promptResult, resourceResult, toolError, toolResult } from './call-result.js';
import type { CompiledToolsets } from './compiled-toolsets.js';
import type { DownstreamContext } from '../../internal/downstream-context.js';
import { downstreamFor, type DownstreamOutcome } from './downstream-call.js';
import type { TokenExchanger } from '../../internal/downstream-grants.js';

/** MCP's code for a URI that names no resource. */
export const RESOURCE_NOT_FOUND = -32002;
/** JSON-RPC error codes the bound handlers answer with. */
const INVALID_REQUEST = -32600;
const INVALID_PARAMS = -32602;
const INTERNAL_ERROR = -32603;

/**
 * What a bound handler reads off the SDK's handler context (`extra` in SDK v1, `ctx` in SDK v2):
 * each binding translates its SDK's context into these facts.
 */
export interface HandlerFacts {
  /** The caller the HTTP layer verified, when the request carried one. */
  readonly authInfo: AuthInfo | undefined;
  /** The request came over HTTP: the configured (stdio) principal never stands in for its caller. */
  readonly overHttp: boolean;
  /**
   * Valet's HTTP handler decided (`valet.admit`) and recorded this request's calls before the SDK
   * saw it: the check here is then not audited again. False on stdio, where it is the only check.
   */
  readonly admitted: boolean;
  /** Aborted when the client cancels the request. */
  readonly signal: AbortSignal;
}

/**
 * What the bound handlers need: the compiled toolsets, how to decide, resolve and report, and how
 * to read the SDK's handler context `X`.
 */
export interface Binding<X> {
  readonly compiled: CompiledToolsets;
  /** Decides an operation; `audit` false when the flow already decided and recorded the same call. */
  readonly authorize: (
    principal: Principal | null,
    operationId: string,
    ctx: Readonly<Record<string, unknown>> | undefined,
    audit: boolean,
  ) => Promise<Decision>;
  readonly instanceOf: (toolset: ToolsetClass) => object;
  /** The principal of requests that carry no HTTP request (stdio, in-memory). */
  readonly principal: Principal | undefined;
  readonly onError: ((error: unknown, operationId: string) => void) | undefined;
  /** The facts of the SDK's handler context. */
  readonly facts: (extra: X) => HandlerFacts;
  /** True for the SDK's own JSON-RPC error, which a method throws for the client to get as is. */
  readonly isSdkError: (error: unknown) => boolean;
  /** Exchanges for `@Downstream` operations called without an HTTP admission (stdio, in memory). */
  readonly exchanger: TokenExchanger | undefined;
}

/** The context a bound method gets: who, the abort signal, the SDK's handler context, and its downstream tokens. */
export interface MethodContext<X> {
  readonly principal: Principal | null;
  readonly signal: AbortSignal;
  readonly extra: X;
  /** Only for an operation declared with `@Downstream`. */
  readonly downstream?: DownstreamContext;
}

/** `tools/call` params, as both SDKs parse them. */
export interface ToolCallParams {
  readonly name: string;
  readonly arguments?: Readonly<Record<string, unknown>> | undefined;
}

/** `prompts/get` params, as both SDKs parse them. */
export interface PromptGetParams {
  readonly name: string;
  readonly arguments?: Readonly<Record<string, string>> | undefined;
}

type Method = (input: unknown, ctx: unknown) => unknown;

/**
 * Who is calling: the principal the HTTP layer verified (`authInfo`), else, for a request that
 * did not come over HTTP, the configured principal. An HTTP request without a token is
 * anonymous: the stdio principal never stands in for it.
 */
export function principalOf(
  binding: Pick<Binding<never>, 'principal'>,
  facts: HandlerFacts,
): Principal | null {
  if (facts.authInfo !== undefined) return principalFromAuthInfo(facts.authInfo);
  const fixed = binding.principal;
  if (facts.overHttp || fixed === undefined) return null;
  if (fixed.expiresAt !== undefined && fixed.expiresAt * 1000 <= Date.now()) {
    throw new ProtocolError(
      INVALID_REQUEST,
      'The access token this server was started with has expired; restart it with a new token.',
    );
  }
  return fixed;
}

/** `tools/call`: authorize, validate (the method never sees invalid input), call, convert. */
export async function callTool<X>(
  binding: Binding<X>,
  params: ToolCallParams,
  extra: X,
): Promise<CallToolResult> {
  const tool = binding.compiled.tools.get(params.name);
  if (tool === undefined) throw new ProtocolError(INVALID_PARAMS, `Unknown tool "${params.name}".`);
  const facts = binding.facts(extra);
  const principal = principalOf(binding, facts);
  // Without checks, the decision needs no arguments: refuse before revealing anything about the input.
  if (!tool.checks) {
    const decision = await binding.authorize(principal, tool.id, undefined, !facts.admitted);
    if (!decision.allowed) return toolError(decision.reason);
  }
  let input: unknown;
  try {
    const dto = tool.declaration.input;
    input = dto === undefined ? noInput(params.arguments) : await validateInput(dto, params.arguments);
  } catch (error) {
    if (error instanceof InputValidationError) return toolError(error.message);
    throw error;
  }
  if (tool.checks) {
    const decision = await binding.authorize(principal, tool.id, { arguments: input }, !facts.admitted);
    if (!decision.allowed) return toolError(decision.reason);
  }
  const delegated = await downstreamOf(binding, tool.declaration, `Tool "${params.name}"`, principal, facts);
  if (!delegated.ok) return toolError(delegated.message);
  const ctx: MethodContext<X> = { principal, signal: facts.signal, extra, ...withDownstream(delegated) };
  try {
    return toolResult(await invoke(binding, tool.declaration, input, ctx));
  } catch (error) {
    if (binding.isSdkError(error)) throw error;
    binding.onError?.(error, tool.id);
    return toolError(clientMessage(error, `Tool "${params.name}"`));
  }
}

/** `resources/read`: the resource the URI names (fixed or template), authorized with its variables. */
export async function readResource<X>(
  binding: Binding<X>,
  uri: string,
  extra: X,
): Promise<ReadResourceResult> {
  const match = binding.compiled.matchResource(uri);
  if (match === undefined) throw new ProtocolError(RESOURCE_NOT_FOUND, 'Resource not found.', { uri });
  const { resource, variables } = match;
  const facts = binding.facts(extra);
  const principal = principalOf(binding, facts);
  const decision = await binding.authorize(
    principal,
    resource.id,
    { arguments: variables, uri },
    !facts.admitted,
  );
  if (!decision.allowed) throw refusal(decision);
  const label = `Resource "${resource.uri}"`;
  const delegated = await downstreamOf(binding, resource.declaration, label, principal, facts);
  if (!delegated.ok) throw new ProtocolError(INTERNAL_ERROR, delegated.message);
  const ctx = { principal, signal: facts.signal, extra, variables, ...withDownstream(delegated) };
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    throw new ProtocolError(INVALID_PARAMS, 'The resource URI is not a valid URI.');
  }
  try {
    return resourceResult(
      await invoke(binding, resource.declaration, url, ctx),
      uri,
      resource.declaration.mimeType,
    );
  } catch (error) {
    throw failure(binding, error, resource.id, label);
  }
}

/** `prompts/get`: authorize, require the declared arguments, call. */
export async function getPrompt<X>(
  binding: Binding<X>,
  params: PromptGetParams,
  extra: X,
): Promise<GetPromptResult> {
  const prompt = binding.compiled.prompts.get(params.name);
  if (prompt === undefined) throw new ProtocolError(INVALID_PARAMS, `Unknown prompt "${params.name}".`);
  const args = params.arguments ?? {};
  const facts = binding.facts(extra);
  const principal = principalOf(binding, facts);
  const decision = await binding.authorize(principal, prompt.id, { arguments: args }, !facts.admitted);
  if (!decision.allowed) throw refusal(decision);
  const missing = prompt.required.filter((name) => typeof args[name] !== 'string');
  if (missing.length > 0) {
    const list = missing.map((name) => `"${name}"`).join(', ');
    throw new ProtocolError(INVALID_PARAMS, `Prompt "${params.name}" needs the argument(s) ${list}.`);
  }
  const delegated = await downstreamOf(
    binding,
    prompt.declaration,
    `Prompt "${params.name}"`,
    principal,
    facts,
  );
  if (!delegated.ok) throw new ProtocolError(INTERNAL_ERROR, delegated.message);
  const ctx: MethodContext<X> = { principal, signal: facts.signal, extra, ...withDownstream(delegated) };
  try {
    return promptResult(await invoke(binding, prompt.declaration, args, ctx));
  } catch (error) {
    throw failure(binding, error, prompt.id, `Prompt "${params.name}"`);
  }
}

/** The downstream tokens of a call (see {@link downstreamFor}). */
function downstreamOf<X>(
  binding: Binding<X>,
  declaration: { readonly id: string; readonly downstream: DownstreamDeclarationList },
  label: string,
  principal: Principal | null,
  facts: HandlerFacts,
): Promise<DownstreamOutcome> {
  const { id, downstream: needs } = declaration;
  return downstreamFor({
    id,
    label,
    needs,
    principal,
    authInfo: facts.authInfo,
    exchanger: binding.exchanger,
    required: async () => (await binding.authorize(principal, id, undefined, false)).required,
  });
}

type DownstreamDeclarationList = Parameters<typeof downstreamFor>[0]['needs'];

function withDownstream(outcome: DownstreamOutcome & { ok: true }): { downstream?: DownstreamContext } {
  return outcome.downstream === undefined ? {} : { downstream: outcome.downstream };
}

function invoke<X>(
  binding: Binding<X>,
  declaration: { readonly toolset: ToolsetClass; readonly method: string },
  first: unknown,
  ctx: MethodContext<X>,
): unknown {
  const instance = binding.instanceOf(declaration.toolset) as Record<string, Method>;
  return instance[declaration.method]!(first, ctx);
}

/** A tool without an input DTO takes no arguments: `{}` or none. */
function noInput(args: unknown): undefined {
  if (args === undefined || (isObject(args) && Object.keys(args).length === 0)) return undefined;
  if (!isObject(args)) {
    throw new InputValidationError([{ path: '', constraint: 'isObject', message: 'must be an object' }]);
  }
  throw new InputValidationError(
    Object.keys(args).map((path) => ({
      path,
      constraint: 'whitelistValidation',
      message: 'should not exist',
    })),
  );
}

function isObject(value: unknown): value is object {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A denial as a JSON-RPC error (resources and prompts have no error result): the reason and the scopes to ask for. */
function refusal(decision: Decision): ProtocolError {
  return new ProtocolError(INVALID_REQUEST, decision.reason, {
    operationId: decision.operationId,
    required: decision.required,
  });
}

/** A method's exception as a JSON-RPC error, without internals. */
function failure<X>(binding: Binding<X>, error: unknown, operationId: string, label: string): unknown {
  if (binding.isSdkError(error)) return error;
  binding.onError?.(error, operationId);
  return new ProtocolError(INTERNAL_ERROR, clientMessage(error, label));
}

/** Valet's own 4xx messages are written for clients; anything else stays in the server. */
function clientMessage(error: unknown, label: string): string {
  if (isValetError(error) && error.status < 500) return error.message;
  return `${label} failed.`;
}
