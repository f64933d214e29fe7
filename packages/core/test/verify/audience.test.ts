import { describe, expect, it } from '@jest/globals';
import { audienceMatcher, audienceMatches, canonicalAudience } from '../../src/verify/audience.js';

const RESOURCE = 'https://mcp.example.com/mcp';

describe('audienceMatches: the same MCP server, spelled differently, is accepted', () => {
  it.each([
    ['exactly equal', RESOURCE],
    ['upper-case scheme', 'HTTPS://mcp.example.com/mcp'],
    ['upper-case host', 'https://MCP.Example.COM/mcp'],
    ['explicit default port', 'https://mcp.example.com:443/mcp'],
    ['one trailing slash', 'https://mcp.example.com/mcp/'],
  ])('%s', (_name, actual) => {
    expect(audienceMatches(RESOURCE, actual)).toBe(true);
    expect(audienceMatches(actual, RESOURCE)).toBe(true);
  });

  it('treats an origin with and without its root slash as one resource', () => {
    expect(audienceMatches('https://mcp.example.com', 'https://mcp.example.com/')).toBe(true);
    expect(audienceMatches('http://127.0.0.1:3000', 'http://127.0.0.1:3000/')).toBe(true);
    expect(audienceMatches('http://h:80/mcp', 'http://h/mcp')).toBe(true);
  });
});

describe('audienceMatches: another resource is refused (token replay across servers)', () => {
  it.each([
    ['another path', 'https://mcp.example.com/other'],
    ['a path prefix', 'https://mcp.example.com/mc'],
    ['a longer path', 'https://mcp.example.com/mcp/admin'],
    ['path case', 'https://mcp.example.com/MCP'],
    ['two trailing slashes', 'https://mcp.example.com/mcp//'],
    ['another port', 'https://mcp.example.com:8443/mcp'],
    ['plain http', 'http://mcp.example.com/mcp'],
    ['another host', 'https://mcp.example.org/mcp'],
    ['a subdomain', 'https://a.mcp.example.com/mcp'],
    ['a query', 'https://mcp.example.com/mcp?tenant=2'],
    ['a fragment', 'https://mcp.example.com/mcp#x'],
    ['an empty fragment', 'https://mcp.example.com/mcp#'],
    ['user info', 'https://user@mcp.example.com/mcp'],
    ['a backslash the URL parser would repair', 'https://mcp.example.com\\mcp'],
    ['a newline the URL parser would drop', 'https://mcp.example.com/m\ncp'],
    ['no slashes after the scheme', 'https:mcp.example.com/mcp'],
    ['the host alone', 'mcp.example.com'],
    ['an empty string', ''],
  ])('%s', (_name, actual) => {
    expect(audienceMatches(RESOURCE, actual)).toBe(false);
  });
});

describe('audienceMatches: non-URL audiences compare exactly', () => {
  it('is case-sensitive and slash-sensitive for identifiers that are not http(s) URLs', () => {
    expect(audienceMatches('api://default', 'api://default')).toBe(true);
    expect(audienceMatches('api://default', 'API://default')).toBe(false);
    expect(audienceMatches('api://default', 'api://default/')).toBe(false);
    expect(audienceMatches('my-api', 'My-Api')).toBe(false);
  });
});

describe('canonicalAudience', () => {
  it('lower-cases scheme and host, drops the default port and one trailing slash', () => {
    expect(canonicalAudience('HTTPS://MCP.Example.com:443/Mcp/')).toBe('https://mcp.example.com/Mcp');
    expect(canonicalAudience('http://localhost:8080/')).toBe('http://localhost:8080');
  });
});

describe('audienceMatcher', () => {
  const matcher = audienceMatcher([RESOURCE, 'api://default']);

  it('accepts a string or an array with at least one expected audience', () => {
    expect(matcher.matches('https://MCP.example.com/mcp/')).toBe(true);
    expect(matcher.matches(['https://other.example', 'api://default'])).toBe(true);
    expect(matcher.matches(['https://other.example', 'https://mcp.example.com:8443/mcp'])).toBe(false);
    expect(matcher.matches([])).toBe(false);
  });

  it('keeps the configured audiences, frozen', () => {
    expect(matcher.expected).toEqual([RESOURCE, 'api://default']);
    expect(Object.isFrozen(matcher.expected)).toBe(true);
  });
});
