import { inspect } from 'node:util';
import { describe, expect, it } from '@jest/globals';
import { createPrincipal } from '../src/principal.js';

describe('Principal', () => {
  const principal = createPrincipal({
    subject: 'alice',
    clientId: 'cli',
    issuer: 'https://as.example',
    audience: 'https://mcp.example/mcp',
    scopes: ['files:read'],
    expiresAt: 2_000_000_000,
    claims: { sub: 'alice' },
    token: 'secret-token',
  });

  it('is frozen, scopes included', () => {
    expect(Object.isFrozen(principal)).toBe(true);
    expect(() => (principal.scopes as Set<string>).add('files:write')).toThrow(TypeError);
    expect(principal.scopes.has('files:write')).toBe(false);
    expect(principal.audience).toEqual(['https://mcp.example/mcp']);
  });

  it('never prints its token', () => {
    expect(principal.token).toBe('secret-token');
    expect(JSON.stringify(principal)).not.toContain('secret-token');
    expect(Object.keys(principal)).not.toContain('token');
    expect(Object.getOwnPropertyNames(principal)).not.toContain('token');
    expect({ ...principal }).not.toHaveProperty('token');
    expect(inspect(principal, { depth: 5 })).not.toContain('secret-token');
  });
});
