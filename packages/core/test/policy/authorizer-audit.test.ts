import { describe, expect, it } from '@jest/globals';
import { Authorizer } from '../../src/policy/authorizer.js';
import { allOf } from '../../src/policy/policy.js';
import { PolicyRegistry } from '../../src/policy/registry.js';
import { memoryAuditSink } from '../../src/audit/memory-sink.js';
import { createPrincipal } from '../../src/principal.js';

describe('Authorizer: what goes to the audit sink', () => {
  const audit = memoryAuditSink();
  const registry = new PolicyRegistry().register({
    id: 'write_file',
    kind: 'tool',
    policy: allOf('files:write'),
  });
  const authorizer = new Authorizer(registry, { audit });
  const reader = createPrincipal({ subject: 'ada', scopes: ['files:read'], token: 't1' });
  const writer = createPrincipal({ subject: 'bob', scopes: ['files:write'], token: 't2' });

  it('records every decision by default', async () => {
    audit.clear();
    await authorizer.authorize(reader, 'write_file');
    await authorizer.authorize(writer, 'write_file');
    expect(audit.events.map((e) => [e.subject, e.allowed])).toEqual([
      ['ada', false],
      ['bob', true],
    ]);
  });

  it('records nothing with audit: false, and still decides', async () => {
    audit.clear();
    expect(authorizer.authorizeSync(reader, 'write_file', {}, { audit: false }).allowed).toBe(false);
    expect(authorizer.authorizeSync(writer, 'write_file', {}, { audit: false }).allowed).toBe(true);
    await expect(authorizer.authorize(writer, 'write_file', {}, { audit: false })).resolves.toMatchObject({
      allowed: true,
    });
    expect(audit.events).toEqual([]);
  });
});
