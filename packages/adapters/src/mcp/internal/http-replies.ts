import type { ServerResponse } from 'node:http';
import { send } from '../../internal/send.js';

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
