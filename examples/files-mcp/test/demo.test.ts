import 'reflect-metadata';
import { describe, expect, it } from '@jest/globals';
import { runDemo } from '../src/demo.js';

describe('the demo walkthrough', () => {
  it('shows 401 + discovery, a filtered list, a 403 step-up challenge, a successful write, a refused delete, a modern client on the same endpoint, and a token exchange for backup_file', async () => {
    const lines: string[] = [];
    const result = await runDemo({ print: (line) => lines.push(line) });

    expect(result.steps.map((s) => [s.title, s.ok])).toEqual(result.steps.map((s) => [s.title, true]));
    const [noToken, , list, , write, , remove, modernList, modernWrite, backup] = result.steps;
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
    // backup_file: the backup API got a token for itself, for the caller, acting as the files server.
    expect(result.steps).toHaveLength(10);
    expect(backup).toEqual({
      title:
        'backup_file: the backup API gets a token for itself, for the caller, acting as the files server',
      ok: true,
    });
    expect(lines).toContainEqual(
      expect.stringMatching(
        /^ {3}the backup API received PUT \/files\/notes\/todo\.md with a token: aud \["http:\/\/127\.0\.0\.1:\d+"\], sub "dev-user" \(the caller: "dev-user"\), act\.sub "files-mcp", not the caller’s token$/,
      ),
    );

    // One audit event per call: the HTTP pre-check records refusals, the tool handler the rest.
    expect(result.audit.map((e) => [e.operationId, e.allowed])).toEqual([
      ['read_file', true],
      ['write_file', false],
      ['write_file', true],
      ['delete_file', false],
      ['write_file', false],
      ['backup_file', true],
    ]);
    expect(lines.join('\n')).not.toMatch(/eyJ[\w-]+\.[\w-]+\.[\w-]+/);
  });
});
