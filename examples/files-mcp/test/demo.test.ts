import 'reflect-metadata';
import { describe, expect, it } from '@jest/globals';
import { runDemo } from '../src/demo.js';

describe('the demo walkthrough', () => {
  it('shows 401 + discovery, a filtered list, a 403 step-up challenge, a successful write and a refused delete', async () => {
    const lines: string[] = [];
    const result = await runDemo({ print: (line) => lines.push(line) });

    expect(result.steps.map((s) => [s.title, s.ok])).toEqual(result.steps.map((s) => [s.title, true]));
    const [noToken, , list, , write, , remove] = result.steps;
    expect(noToken?.status).toBe(401);
    expect(noToken?.challenge).toMatch(
      /^Bearer scope="files:read", resource_metadata="http:\/\/127\.0\.0\.1:\d+\/\.well-known\/oauth-protected-resource\/mcp"$/,
    );
    expect(list?.tools).toEqual(['list_files', 'read_file', 'search_files']);
    expect(write?.status).toBe(403);
    expect(write?.challenge).toContain('scope="files:write"');
    expect(remove?.status).toBe(403);

    const denied = result.audit.filter((e) => !e.allowed).map((e) => e.operationId);
    expect(denied).toEqual(['write_file', 'delete_file']);
    expect(lines.join('\n')).not.toMatch(/eyJ[\w-]+\.[\w-]+\.[\w-]+/);
  });
});
