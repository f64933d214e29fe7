import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from '@jest/globals';
import { HeadersTooLargeError } from '@valet/core';
import { admitRequest } from '../../src/internal/node-request.js';

/** A Node request with `lines` header lines, the last one an `Authorization`, on a server with `maxHeadersCount`. */
function request(
  lines: number,
  server?: { maxHeadersCount: number | null },
  httpVersionMajor = 1,
): IncomingMessage {
  const rawHeaders = Array.from({ length: lines - 1 }, () => ['X-Filler', '1']).flat();
  rawHeaders.push('Authorization', 'Bearer abc');
  return {
    rawHeaders,
    url: '/mcp',
    httpVersionMajor,
    socket: server === undefined ? undefined : { server },
  } as unknown as IncomingMessage;
}

describe('Security: admitRequest refuses a request whose header lines Node may have dropped', () => {
  it("refuses at Node's default limit (1000 lines) when the server sets none", () => {
    expect(() => admitRequest(request(1000, { maxHeadersCount: null }), undefined, {})).toThrow(
      HeadersTooLargeError,
    );
    expect(() => admitRequest(request(1000), undefined, {})).toThrow(HeadersTooLargeError);
    expect(admitRequest(request(999, { maxHeadersCount: null }), undefined, {}).authorization).toBe(
      'Bearer abc',
    );
  });

  it("reads the limit from the request's server", () => {
    expect(() => admitRequest(request(50, { maxHeadersCount: 50 }), undefined, {})).toThrow(
      HeadersTooLargeError,
    );
    expect(admitRequest(request(49, { maxHeadersCount: 50 }), undefined, {}).authorization).toBe(
      'Bearer abc',
    );
    expect(admitRequest(request(1500, { maxHeadersCount: 2000 }), undefined, {}).authorization).toBe(
      'Bearer abc',
    );
  });

  it('sets no limit for maxHeadersCount 0', () => {
    expect(admitRequest(request(5000, { maxHeadersCount: 0 }), undefined, {}).authorization).toBe(
      'Bearer abc',
    );
  });

  it('leaves HTTP/2 requests alone: HTTP/2 refuses a stream past its limits rather than dropping lines', () => {
    expect(admitRequest(request(1000, undefined, 2), undefined, {}).authorization).toBe('Bearer abc');
  });
});
