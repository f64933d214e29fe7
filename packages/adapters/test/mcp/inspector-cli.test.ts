import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { READ_TOOLS } from './support/file-toolsets.js';
import { startMcpHttp, type McpHttpFixture } from './support/mcp-http.js';

/** The Inspector's launcher, installed as a dev dependency of this package. */
const INSPECTOR = join(__dirname, '..', '..', 'node_modules', '.bin', 'mcp-inspector');

let mcp: McpHttpFixture;
let home: string;

beforeAll(async () => {
  mcp = await startMcpHttp();
  home = await mkdtemp(join(tmpdir(), 'valet-inspector-'));
});

afterAll(async () => {
  await mcp.close();
  await rm(home, { recursive: true, force: true });
});

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `mcp-inspector --cli <endpoint> --transport http --header "Authorization: Bearer …" ...args`. */
function inspector(token: string, args: readonly string[]): Promise<Run> {
  const argv = [
    '--cli',
    mcp.url,
    '--transport',
    'http',
    '--header',
    `Authorization: Bearer ${token}`,
    ...args,
  ];
  return new Promise((resolve) => {
    execFile(
      INSPECTOR,
      argv,
      // A private HOME: the Inspector keeps a catalog of servers there.
      { env: { ...process.env, HOME: home, MCP_CATALOG_PATH: join(home, 'mcp.json') }, timeout: 60_000 },
      (error, stdout, stderr) =>
        resolve({ code: error === null ? 0 : Number(error.code ?? 1), stdout, stderr }),
    );
  });
}

describe('the MCP Inspector CLI against a Valet-protected endpoint', () => {
  it('lists only the tools a read-only token allows', async () => {
    const run = await inspector(await mcp.token(['files:read']), ['--method', 'tools/list']);
    expect(run.code).toBe(0);
    const { tools } = JSON.parse(run.stdout) as { tools: { name: string }[] };
    expect(tools.map((t) => t.name)).toEqual(READ_TOOLS);
  });

  it('calls a tool with its arguments', async () => {
    const token = await mcp.token(['files:read', 'files:write']);
    const run = await inspector(token, [
      '--method',
      'tools/call',
      '--tool-name',
      'write_file',
      '--tool-arg',
      'path=notes.txt',
      'content=hi',
    ]);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({
      structuredContent: { written: 'notes.txt', by: 'dev-client' },
    });
  });

  it('cannot call a tool the token does not allow: the filtered list does not offer it', async () => {
    const run = await inspector(await mcp.token(['files:read']), [
      '--method',
      'tools/call',
      '--tool-name',
      'purge',
    ]);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain("Tool 'purge' not found on server.");
  });
});
