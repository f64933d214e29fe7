import { describe, expect, it } from '@jest/globals';
import { expectedHtu, normalizeHtu } from '../../src/dpop/htu.js';

describe('normalizeHtu: RFC 9449 section 4.3 (RFC 3986 sections 6.2.2, 6.2.3)', () => {
  it.each([
    ['HTTPS://API.Example.COM/mcp', 'https://api.example.com/mcp'],
    ['https://api.example.com:443/mcp', 'https://api.example.com/mcp'],
    ['http://api.example.com:80/mcp', 'http://api.example.com/mcp'],
    ['https://api.example.com/mcp?x=1#y', 'https://api.example.com/mcp'],
    ['https://api.example.com/a/../mcp', 'https://api.example.com/mcp'],
    ['https://api.example.com/%6d%63p', 'https://api.example.com/mcp'],
    ['https://api.example.com/a%2fb', 'https://api.example.com/a%2Fb'],
    ['https://api.example.com', 'https://api.example.com/'],
  ])('%s -> %s', (input, normalised) => {
    expect(normalizeHtu(input)).toBe(normalised);
  });

  it.each([
    ['mcp'],
    ['/mcp'],
    ['ftp://api.example.com/mcp'],
    ['https://user:pass@api.example.com/mcp'],
    [''],
  ])('refuses %j', (input) => {
    expect(normalizeHtu(input)).toBeUndefined();
  });

  it('keeps path case and a different port apart', () => {
    expect(normalizeHtu('https://api.example.com/MCP')).not.toBe(normalizeHtu('https://api.example.com/mcp'));
    expect(normalizeHtu('https://api.example.com:8443/mcp')).not.toBe(
      normalizeHtu('https://api.example.com/mcp'),
    );
  });
});

describe('expectedHtu: the request path on the resource origin', () => {
  it('drops query and fragment, and takes the origin from the resource, never from the request', () => {
    expect(expectedHtu('https://api.example.com', '/mcp?session=1')).toBe('https://api.example.com/mcp');
    expect(expectedHtu('https://api.example.com', '/files/a%2fb#x')).toBe(
      'https://api.example.com/files/a%2Fb',
    );
    expect(expectedHtu('https://api.example.com', 'http://evil.example/mcp')).toBe(
      'https://api.example.com/mcp',
    );
  });

  it('keeps a path that starts with // on the resource host (no protocol-relative reading)', () => {
    expect(expectedHtu('https://api.example.com', '//evil.example/mcp')).toBe(
      'https://api.example.com//evil.example/mcp',
    );
  });

  it('gives nothing for a target that is not a path or URL', () => {
    expect(expectedHtu('https://api.example.com', '*')).toBeUndefined();
  });
});
