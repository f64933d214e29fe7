import { isValetError, type Decision, type Principal } from '@valet/core';
import { InputValidationError, validateInput, type ToolsetClass } from '@valet/decorators';
import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';
import type {
  CallToolRequest,
  CallToolResult,
  GetPromptRequest,
  GetPromptResult,
  ReadResourceResult,
} from '@modelcontextprotocol/sdk/types.js';
import type { McpRequestExtra, ResourceContext, ToolContext } from '../tool-context.js';
import { principalFromAuthInfo } from './auth-info.js';
import { ProtocolError } from './protocol-error.js';
import { promptResult, resourceResult, toolError, toolResult } from './call-result.js';
import type { CompiledToolsets } from './compiled-toolsets.js';

/** MCP's code for a URI that names no resource. */
export const RESOURCE_NOT_FOUND = -32002;

/** What the bound handlers need: the compiled toolsets and how to decide, resolve and report. */
export interface Binding {
  readonly compiled: CompiledToolsets;
  /**
   * Decides an operation; `audit` false for a request that came over HTTP, where the flow
   * (`valet.admit`) decided and recorded the same call before the SDK saw it.
   */
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
}

type Method = (input: unknown, ctx: unknown) => unknown;

/**
 * Who is calling: the principal the HTTP layer verified (`extra.authInfo`), else, for a request
 * that did not come over HTTP, the configured principal. An HTTP request without a token is
 * anonymous: the stdio principal never stands in for it.
 */
export function principalOf(binding: Binding, extra: McpRequestExtra): Principal | null {
  if (extra.authInfo !== undefined) return principalFromAuthInfo(extra.authInfo);
  const fixed = binding.principal;
  if (extra.requestInfo !== undefined || fixed === undefined) return null;
  if (fixed.expiresAt !== undefined && fixed.expiresAt * 1000 <= Date.now()) {
    throw new ProtocolError(
      ErrorCode.InvalidRequest,
      'The access token this server was started with has expired; restart it with a new token.',
    );
  }
  return fixed;
}

/**
 * True for a request that did not come over HTTP (stdio, in-memory): the check here is the only
 * one, so it is audited. Over HTTP, `createMcpHttpHandler` decided and audited the call already.
 */
function overStdio(extra: McpRequestExtra): boolean {
  return extra.requestInfo === undefined;
}

/** `tools/call`: authorize, validate (the method never sees invalid input), call, convert. */
export async function callTool(
  binding: Binding,
  params: CallToolRequest['params'],
  extra: McpRequestExtra,
): Promise<CallToolResult> {
  const tool = binding.compiled.tools.get(params.name);
  if (tool === undefined) throw new ProtocolError(ErrorCode.InvalidParams, `Unknown tool "${params.name}".`);
  const principal = principalOf(binding, extra);
  // Without checks, the decision needs no arguments: refuse before revealing anything about the input.
  if (!tool.checks) {
    const decision = await binding.authorize(principal, tool.id, undefined, overStdio(extra));
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
    const decision = await binding.authorize(principal, tool.id, { arguments: input }, overStdio(extra));
    if (!decision.allowed) return toolError(decision.reason);
  }
  const ctx: ToolContext = { principal, signal: extra.signal, extra };
  try {
    return toolResult(await invoke(binding, tool.declaration, input, ctx));
  } catch (error) {
    if (error instanceof McpError) throw error;
    binding.onError?.(error, tool.id);
    return toolError(clientMessage(error, `Tool "${params.name}"`));
  }
}

/** `resources/read`: the resource the URI names (fixed or template), authorized with its variables. */
export async function readResource(
  binding: Binding,
  uri: string,
  extra: McpRequestExtra,
): Promise<ReadResourceResult> {
  const match = binding.compiled.matchResource(uri);
  if (match === undefined) throw new ProtocolError(RESOURCE_NOT_FOUND, 'Resource not found.', { uri });
  const { resource, variables } = match;
  const principal = principalOf(binding, extra);
  const decision = await binding.authorize(
    principal,
    resource.id,
    { arguments: variables, uri },
    overStdio(extra),
  );
  if (!decision.allowed) throw refusal(decision);
  const ctx: ResourceContext = { principal, signal: extra.signal, extra, variables };
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    throw new ProtocolError(ErrorCode.InvalidParams, 'The resource URI is not a valid URI.');
  }
  try {
    return resourceResult(
      await invoke(binding, resource.declaration, url, ctx),
      uri,
      resource.declaration.mimeType,
    );
  } catch (error) {
    throw failure(binding, error, resource.id, `Resource "${resource.uri}"`);
  }
}

/** `prompts/get`: authorize, require the declared arguments, call. */
export async function getPrompt(
  binding: Binding,
  params: GetPromptRequest['params'],
  extra: McpRequestExtra,
): Promise<GetPromptResult> {
  const prompt = binding.compiled.prompts.get(params.name);
  if (prompt === undefined)
    throw new ProtocolError(ErrorCode.InvalidParams, `Unknown prompt "${params.name}".`);
  const args = params.arguments ?? {};
  const principal = principalOf(binding, extra);
  const decision = await binding.authorize(principal, prompt.id, { arguments: args }, overStdio(extra));
  if (!decision.allowed) throw refusal(decision);
  const missing = prompt.required.filter((name) => typeof args[name] !== 'string');
  if (missing.length > 0) {
    const list = missing.map((name) => `"${name}"`).join(', ');
    throw new ProtocolError(
      ErrorCode.InvalidParams,
      `Prompt "${params.name}" needs the argument(s) ${list}.`,
    );
  }
  const ctx: ToolContext = { principal, signal: extra.signal, extra };
  try {
    return promptResult(await invoke(binding, prompt.declaration, args, ctx));
  } catch (error) {
    throw failure(binding, error, prompt.id, `Prompt "${params.name}"`);
  }
}

function invoke(
  binding: Binding,
  declaration: { readonly toolset: ToolsetClass; readonly method: string },
  first: unknown,
  ctx: ToolContext,
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
  return new ProtocolError(ErrorCode.InvalidRequest, decision.reason, {
    operationId: decision.operationId,
    required: decision.required,
  });
}

/** A method's exception as a JSON-RPC error, without internals. */
function failure(binding: Binding, error: unknown, operationId: string, label: string): Error {
  if (error instanceof McpError) return error;
  binding.onError?.(error, operationId);
  return new ProtocolError(ErrorCode.InternalError, clientMessage(error, label));
}

/** Valet's own 4xx messages are written for clients; anything else stays in the server. */
function clientMessage(error: unknown, label: string): string {
  if (isValetError(error) && error.status < 500) return error.message;
  return `${label} failed.`;
}
