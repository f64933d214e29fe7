import { describe, expect, it } from '@jest/globals';
import { Writable } from 'node:stream';
import type { AuditEvent } from '../../src/audit/audit-sink.js';
import { jsonLinesAuditSink, type JsonLinesTarget } from '../../src/audit/json-lines-sink.js';

const event: AuditEvent = {
  time: '2026-11-28T09:00:00.000Z',
  subject: 'alice',
  operationId: 'write_file',
  allowed: false,
  missing: ['files:write'],
  reason: 'Tool "write_file" requires scope "files:write"; the token grants "files:read".',
};

describe('jsonLinesAuditSink', () => {
  it('hands one JSON document per event to a line callback', () => {
    const lines: string[] = [];
    const sink = jsonLinesAuditSink((line) => lines.push(line));
    sink.record(event);
    sink.record({ ...event, allowed: true, missing: [] });
    expect(lines).toHaveLength(2);
    expect(lines[0]).not.toContain('\n');
    expect(JSON.parse(lines[0]!)).toEqual(event);
    expect(JSON.parse(lines[1]!)).toMatchObject({ allowed: true });
  });

  it('writes newline-terminated lines to a stream', async () => {
    const chunks: string[] = [];
    const stream = new Writable({
      write(chunk: Buffer, _encoding, done) {
        chunks.push(chunk.toString('utf8'));
        done();
      },
    });
    const sink = jsonLinesAuditSink(stream);
    sink.record(event);
    sink.record({ ...event, operationId: 'read_file' });
    await new Promise<void>((resolve) => stream.end(resolve));
    const text = chunks.join('');
    expect(text.endsWith('\n')).toBe(true);
    expect(
      text
        .trim()
        .split('\n')
        .map((line) => (JSON.parse(line) as AuditEvent).operationId),
    ).toEqual(['write_file', 'read_file']);
  });

  it('refuses a target that is neither a stream nor a function', () => {
    expect(() => jsonLinesAuditSink({} as JsonLinesTarget)).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_OPTIONS', field: 'target' }),
    );
  });
});
