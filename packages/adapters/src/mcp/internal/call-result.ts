import type { CallToolResult, GetPromptResult, ReadResourceResult } from '@modelcontextprotocol/sdk/types.js';

const RESULT_KEYS = new Set(['content', 'structuredContent', 'isError', '_meta']);

/**
 * What a tool method returned, as a `tools/call` result: a string is text content; a value that
 * is a JSON object is `structuredContent` plus the same JSON as text (for clients that only read
 * text); other JSON values (arrays, numbers, ...) are JSON text; `undefined` is no content; an
 * object that is already a `CallToolResult` (a `content` array and only result members) passes
 * through.
 */
export function toolResult(value: unknown): CallToolResult {
  if (value === undefined) return { content: [] };
  if (typeof value === 'string') return textResult(value);
  if (isPassThrough(value, 'content', RESULT_KEYS)) return value as CallToolResult;
  const text = JSON.stringify(value);
  const parsed: unknown = JSON.parse(text);
  return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
    ? { content: [{ type: 'text', text }], structuredContent: parsed as Record<string, unknown> }
    : textResult(text);
}

/** A tool error result: the model sees the text and can react; the method did not (fully) run. */
export function toolError(text: string): CallToolResult {
  return { content: [{ type: 'text', text }], isError: true };
}

/**
 * What a resource method returned, as a `resources/read` result: a string is text, bytes are a
 * base64 blob, other values are JSON text; a result with a `contents` array passes through.
 */
export function resourceResult(
  value: unknown,
  uri: string,
  mimeType: string | undefined,
): ReadResourceResult {
  if (isPassThrough(value, 'contents')) return value as ReadResourceResult;
  if (typeof value === 'string')
    return { contents: [{ uri, mimeType: mimeType ?? 'text/plain', text: value }] };
  if (value instanceof Uint8Array) {
    const blob = Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64');
    return { contents: [{ uri, mimeType: mimeType ?? 'application/octet-stream', blob }] };
  }
  return { contents: [{ uri, mimeType: mimeType ?? 'application/json', text: JSON.stringify(value) }] };
}

/**
 * What a prompt method returned, as a `prompts/get` result: a string is one user message; a
 * result with a `messages` array passes through.
 */
export function promptResult(value: unknown): GetPromptResult {
  if (isPassThrough(value, 'messages')) return value as GetPromptResult;
  if (typeof value === 'string')
    return { messages: [{ role: 'user', content: { type: 'text', text: value } }] };
  throw new TypeError('A @Prompt method must return a string or a GetPromptResult ({ messages: [...] }).');
}

function textResult(text: string): CallToolResult {
  return { content: [{ type: 'text', text }] };
}

function isPassThrough(value: unknown, key: string, allowed?: ReadonlySet<string>): boolean {
  if (
    typeof value !== 'object' ||
    value === null ||
    !Array.isArray((value as Record<string, unknown>)[key])
  ) {
    return false;
  }
  return allowed === undefined || Object.keys(value).every((k) => allowed.has(k));
}
