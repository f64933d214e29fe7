import { inspect } from 'node:util';
import { describe, expect, it } from '@jest/globals';
import { createPrincipal, fromAuthInfo, toAuthInfo } from '../src/principal.js';

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

  it('round-trips through the SDK AuthInfo shape', () => {
    const info = toAuthInfo(principal);
    expect(info).toMatchObject({
      token: 'secret-token',
      clientId: 'cli',
      scopes: ['files:read'],
      expiresAt: 2_000_000_000,
    });
    expect(info.resource?.href).toBe('https://mcp.example/mcp');
    expect(fromAuthInfo(info)).toBe(principal);
  });

  it('builds a principal from a foreign AuthInfo', () => {
    const p = fromAuthInfo({ token: 't', clientId: 'c', scopes: ['a', 'b'], expiresAt: 5 });
    expect(p.clientId).toBe('c');
    expect([...p.scopes]).toEqual(['a', 'b']);
    expect(p.expiresAt).toBe(5);
    expect(p.subject).toBeUndefined();
  });
});
