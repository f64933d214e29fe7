import 'reflect-metadata';
import { describe, expect, it } from '@jest/globals';
import { runDemo } from '../src/demo.js';

describe('the demo walkthrough', () => {
  it('shows 401 + discovery, a filtered list, a 403 step-up challenge, a successful write, a refused delete, and a modern client on the same endpoint', async () => {
    const lines: string[] = [];
    const result = await runDemo({ print: (line) => lines.push(line) });

    expect(result.steps.map((s) => [s.title, s.ok])).toEqual(result.steps.map((s) => [s.title, true]));
    const [noToken, , list, , write, , remove, modernList, modernWrite] = result.steps;
    expect(noToken?.status).toBe(401);
    expect(noToken?.challenge).toMatch(
      /^Bearer scope="files:read", resource_metadata="(http:\/\/127\.0\.0\.1:\d+\/\.well-known\/oauth-protected-resource\/mcp)", DPoP scope="files:read", algs="[A-Z0-9 a-z]+", resource_metadata="\1"$/,
    );
    expect(list?.tools).toEqual(['list_files', 'read_file', 'search_files']);
    expect(write?.status).toBe(403);
    expect(write?.challenge).toContain('scope="files:write"');
    expect(remove?.status).toBe(403);
    // The server runs on SDK v2: a 2026-07-28 client is served on the endpoint the v1 client used.
    expect(modernList?.tools).toEqual(['list_files', 'read_file', 'search_files']);
    expect(modernWrite?.status).toBe(403);
    expect(lines).toContainEqual(expect.stringContaining('server/discover -> versions'));

    // One audit event per call: the HTTP pre-check records refusals, the tool handler the rest.
    expect(result.audit.map((e) => [e.operationId, e.allowed])).toEqual([
      ['read_file', true],
      ['write_file', false],
      ['write_file', true],
      ['delete_file', false],
      ['write_file', false],
    ]);
    expect(lines.join('\n')).not.toMatch(/eyJ[\w-]+\.[\w-]+\.[\w-]+/);
  });
});
