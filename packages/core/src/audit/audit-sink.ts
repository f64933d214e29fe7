/**
 * One authorization decision, as an audit trail records it. Never holds a token or claims:
 * who (subject, client, issuer), what (operation), the outcome and why.
 */
export interface AuditEvent {
  /** When the decision was made, ISO 8601. */
  readonly time: string;
  readonly subject?: string;
  readonly clientId?: string;
  readonly issuer?: string;
  readonly operationId: string;
  readonly allowed: boolean;
  /** The scopes that would have allowed a denied call. */
  readonly missing: readonly string[];
  readonly reason: string;
}

/**
 * Where the {@link Authorizer} reports decisions. `record` runs synchronously on the request
 * path: keep it cheap (buffer, queue) and do not throw; an exception propagates to the caller
 * of `authorize`, so a decision that cannot be audited is never handed out.
 */
export interface AuditSink {
  record(event: AuditEvent): void;
}

/** A sink that drops every event. Passing no sink at all is cheaper still: no event is built. */
export const noopAuditSink: AuditSink = Object.freeze({
  record(): void {},
});
