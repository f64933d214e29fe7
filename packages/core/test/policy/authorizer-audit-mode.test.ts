import { describe, expect, it } from '@jest/globals';
import { Authorizer } from '../../src/policy/authorizer.js';
import { allOf } from '../../src/policy/policy.js';
import { PolicyRegistry } from '../../src/policy/registry.js';
import { memoryAuditSink } from '../../src/audit/memory-sink.js';
import { createPrincipal } from '../../src/principal.js';

describe('Authorizer audit modes', () => {
  const audit = memoryAuditSink();
  const registry = new PolicyRegistry().register({
    id: 'write_file',
    kind: 'tool',
    policy: allOf('files:write'),
  });
  const authorizer = new Authorizer(registry, { audit });
  const reader = createPrincipal({ subject: 'ada', scopes: ['files:read'], token: 't1' });
  const writer = createPrincipal({ subject: 'bob', scopes: ['files:write'], token: 't2' });

  it('records every decision by default', () => {
    audit.clear();
    authorizer.authorize(reader, 'write_file');
    authorizer.authorize(writer, 'write_file');
    expect(audit.events.map((e) => [e.subject, e.allowed])).toEqual([
      ['ada', false],
      ['bob', true],
    ]);
  });

  it("records only refusals with audit: 'denied' (a pre-check)", () => {
    audit.clear();
    authorizer.authorize(reader, 'write_file', {}, { audit: 'denied' });
    authorizer.authorize(writer, 'write_file', {}, { audit: 'denied' });
    expect(audit.events.map((e) => [e.subject, e.allowed])).toEqual([['ada', false]]);
  });

  it("records nothing with audit: 'none', and still decides", () => {
    audit.clear();
    expect(authorizer.authorizeSync(reader, 'write_file', {}, { audit: 'none' }).allowed).toBe(false);
    expect(authorizer.authorizeSync(writer, 'write_file', {}, { audit: 'none' }).allowed).toBe(true);
    expect(audit.events).toEqual([]);
  });
});
