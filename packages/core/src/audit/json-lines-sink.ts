import { OptionsError } from '../errors.js';
import type { AuditEvent, AuditSink } from './audit-sink.js';

/** Where {@link jsonLinesAuditSink} writes: a stream (a newline is added) or a function taking each line. */
export type JsonLinesTarget = ((line: string) => void) | { write(chunk: string): unknown };

/**
 * Writes each event as one line of JSON (JSON Lines), e.g. to `process.stderr`, a file stream,
 * or a logger. A function target gets the line without its newline; a stream gets it with one.
 * Writes are not awaited: the stream buffers, as Node streams do.
 *
 * @example
 * ```ts
 * const audit = jsonLinesAuditSink(fs.createWriteStream('audit.jsonl', { flags: 'a' }));
 * const logged = jsonLinesAuditSink((line) => logger.info(line));
 * ```
 */
export function jsonLinesAuditSink(target: JsonLinesTarget): AuditSink {
  if (typeof target === 'function') {
    return Object.freeze({
      record(event: AuditEvent): void {
        target(JSON.stringify(event));
      },
    });
  }
  if (typeof target !== 'object' || target === null || typeof target.write !== 'function') {
    throw new OptionsError(
      'target',
      'jsonLinesAuditSink needs a writable stream (with write()) or a function that takes a line.',
    );
  }
  return Object.freeze({
    record(event: AuditEvent): void {
      target.write(`${JSON.stringify(event)}\n`);
    },
  });
}
