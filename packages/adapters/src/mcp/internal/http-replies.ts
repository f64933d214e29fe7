import type { ServerResponse } from 'node:http';
import type { ErrorResponse } from '@valet/core';

/** Writes a whole response; Node leaves the body out of a HEAD response. */
export function send(
  res: ServerResponse,
  status: number,
  headers: Readonly<Record<string, string>>,
  body?: string,
): void {
  res.writeHead(
    status,
    body === undefined ? headers : { ...headers, 'content-length': String(Buffer.byteLength(body)) },
  );
  res.end(body);
}

/** A Valet refusal (400/401/403 with its `WWW-Authenticate` challenge, or 500 without details). */
export function sendRefusal(res: ServerResponse, response: ErrorResponse): void {
  send(res, response.status, response.headers, JSON.stringify(response.body));
}

/**
 * A transport-level JSON-RPC error, as the SDK's transport writes them (`id: null`: the message
 * was not read, or not as one request). `extra` headers: `allow` for 405, `connection` for 413.
 */
export function sendJsonRpcError(
  res: ServerResponse,
  status: number,
  code: number,
  message: string,
  extra: Readonly<Record<string, string>> = {},
): void {
  const body = JSON.stringify({ jsonrpc: '2.0', error: { code, message }, id: null });
  send(res, status, { 'content-type': 'application/json', ...extra }, body);
}
