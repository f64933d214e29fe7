import type { AuditEvent, AuditSink } from './audit-sink.js';

/** An {@link AuditSink} that keeps events in memory, returned by {@link memoryAuditSink}. */
export interface MemoryAuditSink extends AuditSink {
  /** Every event recorded so far, oldest first (a live view). */
  readonly events: readonly AuditEvent[];
  /** Forgets the recorded events. */
  clear(): void;
}

/**
 * Keeps every event in an array: for tests and demos, not for production (it grows without bound).
 *
 * @example
 * ```ts
 * const audit = memoryAuditSink();
 * new Authorizer(registry, { audit }).authorize(null, 'write_file');
 * audit.events[0]?.allowed; // false
 * ```
 */
export function memoryAuditSink(): MemoryAuditSink {
  const events: AuditEvent[] = [];
  return Object.freeze({
    events,
    record(event: AuditEvent): void {
      events.push(Object.freeze({ ...event }));
    },
    clear(): void {
      events.length = 0;
    },
  });
}
