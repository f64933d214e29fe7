import { describe, expect, it } from '@jest/globals';
import {
  protectedResourceMetadataPaths,
  protectedResourceMetadataUrl,
} from '../../src/http/resource-metadata-url.js';

const WK = '/.well-known/oauth-protected-resource';

describe('protectedResourceMetadataUrl (RFC 9728 section 3.1)', () => {
  it.each([
    ['a path', 'https://h.example/mcp', `https://h.example${WK}/mcp`],
    ['a deeper path', 'https://h.example/api/v1/mcp', `https://h.example${WK}/api/v1/mcp`],
    ['a path with a trailing slash (kept)', 'https://h.example/mcp/', `https://h.example${WK}/mcp/`],
    ['the root path: the terminating slash goes', 'https://h.example/', `https://h.example${WK}`],
    ['no path at all', 'https://h.example', `https://h.example${WK}`],
    ['a port', 'https://h.example:8443/mcp', `https://h.example:8443${WK}/mcp`],
    ['a default port (dropped by URL syntax)', 'https://h.example:443/mcp', `https://h.example${WK}/mcp`],
    ['a query after the path', 'https://h.example/mcp?tenant=a', `https://h.example${WK}/mcp?tenant=a`],
    ['a query on the root', 'https://h.example/?tenant=a', `https://h.example${WK}?tenant=a`],
    ['http on 127.0.0.1', 'http://127.0.0.1:3000/mcp', `http://127.0.0.1:3000${WK}/mcp`],
    ['http on localhost', 'http://localhost:3000/', `http://localhost:3000${WK}`],
    ['http on ::1', 'http://[::1]:8080/mcp', `http://[::1]:8080${WK}/mcp`],
    ['a URL object', new URL('https://h.example/mcp'), `https://h.example${WK}/mcp`],
  ])('handles %s', (_name, resource, expected) => {
    expect(protectedResourceMetadataUrl(resource).href).toBe(expected);
  });

  it.each([
    ['plain http off loopback', 'http://h.example/mcp'],
    ['a fragment', 'https://h.example/mcp#top'],
    ['an empty fragment', 'https://h.example/mcp#'],
    ['a relative URL', '/mcp'],
    ['credentials', 'https://user:pw@h.example/mcp'],
    ['another scheme', 'ftp://h.example/mcp'],
    ['surrounding whitespace', ' https://h.example/mcp'],
    ['not a string', 42 as unknown as string],
  ])('refuses a resource with %s (OptionsError "resource")', (_name, resource) => {
    expect(() => protectedResourceMetadataUrl(resource)).toThrow(
      expect.objectContaining({ field: 'resource' }),
    );
  });
});

describe('protectedResourceMetadataPaths', () => {
  it('serves the path-aware path first, then the root', () => {
    expect(protectedResourceMetadataPaths('https://h.example/mcp')).toEqual([`${WK}/mcp`, WK]);
  });

  it('serves the root once for a root resource', () => {
    expect(protectedResourceMetadataPaths('https://h.example/')).toEqual([WK]);
    expect(protectedResourceMetadataPaths('https://h.example/?tenant=a')).toEqual([WK]);
  });
});
