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

/** A Valet refusal: its status, headers (`WWW-Authenticate` among them) and JSON body. */
export function sendRefusal(res: ServerResponse, response: ErrorResponse): void {
  send(res, response.status, response.headers, JSON.stringify(response.body));
}
