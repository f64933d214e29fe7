import { describe, expect, it } from '@jest/globals';
import { noopAuditSink, type AuditEvent, type AuditSink } from '../../src/audit/audit-sink.js';
import { memoryAuditSink } from '../../src/audit/memory-sink.js';
import { createPrincipal } from '../../src/principal.js';
import { Authorizer } from '../../src/policy/authorizer.js';
import { allOf, check } from '../../src/policy/policy.js';
import { PolicyRegistry } from '../../src/policy/registry.js';

function authorizerWith(audit: AuditSink): Authorizer {
  const registry = new PolicyRegistry()
    .register({ id: 'write_file', kind: 'tool', policy: allOf('files:write') })
    .register({ id: 'slow', kind: 'tool', policy: check('slow', async () => true) });
  return new Authorizer(registry, { audit });
}

const principal = createPrincipal({
  subject: 'alice',
  clientId: 'cli',
  issuer: 'https://as.example',
  scopes: ['files:read'],
  token: 'secret-token-value',
  claims: { email: 'alice@example.com' },
});

describe('Authorizer audit reporting', () => {
  it('reports every decision: allowed, denied, anonymous and unknown operations', async () => {
    const audit = memoryAuditSink();
    const authorizer = authorizerWith(audit);
    await authorizer.authorize(principal, 'write_file');
    await authorizer.authorize(null, 'write_file');
    await authorizer.authorize(principal, 'nope');
    await authorizer.authorize(principal, 'slow');
    expect(audit.events.map((e) => [e.operationId, e.allowed])).toEqual([
      ['write_file', false],
      ['write_file', false],
      ['nope', false],
      ['slow', true],
    ]);
    const first: AuditEvent = audit.events[0]!;
    expect(first).toEqual({
      time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      subject: 'alice',
      clientId: 'cli',
      issuer: 'https://as.example',
      operationId: 'write_file',
      allowed: false,
      missing: ['files:write'],
      reason: 'Tool "write_file" requires scope "files:write"; the token grants "files:read".',
    });
    expect(audit.events[1]).toMatchObject({ subject: undefined, missing: ['files:write'] });
  });

  it('never records the token or the claims', () => {
    const audit = memoryAuditSink();
    authorizerWith(audit).authorizeSync(principal, 'write_file');
    const line = JSON.stringify(audit.events);
    expect(line).not.toContain('secret-token-value');
    expect(line).not.toContain('alice@example.com');
  });

  it('propagates a failing sink: a decision that cannot be audited is not handed out', async () => {
    const registry = new PolicyRegistry().register({ id: 't', kind: 'tool', policy: allOf('a') });
    const failing = new Authorizer(registry, {
      audit: {
        record() {
          throw new Error('disk full');
        },
      },
    });
    await expect(failing.authorize(principal, 't')).rejects.toThrow('disk full');
    expect(() => failing.authorizeSync(principal, 't')).toThrow('disk full');
  });
});

describe('memoryAuditSink', () => {
  it('keeps frozen events in order and can be cleared', () => {
    const audit = memoryAuditSink();
    const event: AuditEvent = { time: 't', operationId: 'x', allowed: true, missing: [], reason: 'r' };
    audit.record(event);
    expect(audit.events).toEqual([event]);
    expect(Object.isFrozen(audit.events[0])).toBe(true);
    audit.clear();
    expect(audit.events).toEqual([]);
  });
});

describe('noopAuditSink', () => {
  it('accepts events and keeps nothing', () => {
    expect(
      noopAuditSink.record({ time: 't', operationId: 'x', allowed: true, missing: [], reason: 'r' }),
    ).toBeUndefined();
    expect(Object.isFrozen(noopAuditSink)).toBe(true);
  });
});
