import { describe, expect, it } from '@jest/globals';
import { createPrincipal } from '@valet/core';
import { authInfoOf, principalFromAuthInfo } from '../../../src/mcp/internal/auth-info.js';

describe("the SDK's AuthInfo, to and from a principal", () => {
  const principal = createPrincipal({
    token: 'secret-token',
    clientId: 'cli',
    audience: ['files-api', 'https://mcp.example/mcp'],
    scopes: ['files:read'],
    expiresAt: 2_000_000_000,
  });

  it('round-trips a principal, the same object coming back', () => {
    const info = authInfoOf(principal);
    expect(info).toMatchObject({
      token: 'secret-token',
      clientId: 'cli',
      scopes: ['files:read'],
      expiresAt: 2_000_000_000,
    });
    // The first audience that is a URL is the resource the SDK compares with its own.
    expect(info.resource?.href).toBe('https://mcp.example/mcp');
    expect(principalFromAuthInfo(info)).toBe(principal);
  });

  it("builds a principal from another middleware's AuthInfo, from its fields only", () => {
    const p = principalFromAuthInfo({ token: 't', clientId: 'c', scopes: ['a', 'b'], expiresAt: 5 });
    expect(p.clientId).toBe('c');
    expect([...p.scopes]).toEqual(['a', 'b']);
    expect(p.expiresAt).toBe(5);
    expect(p.subject).toBeUndefined();
  });

  it('Attack: an unfrozen look-alike in extra.valetPrincipal is not taken for a principal', () => {
    const forged = { token: 't', scopes: new Set(['admin']), subject: 'mallory' };
    const p = principalFromAuthInfo({
      token: 't',
      clientId: 'c',
      scopes: ['a'],
      extra: { valetPrincipal: forged },
    });
    expect(p.subject).toBeUndefined();
    expect([...p.scopes]).toEqual(['a']);
  });
});
