import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { createPrincipal, describePolicy, memoryAuditSink, oidc, type Principal } from '@valet/core';
import {
  ValetTypes,
  resolveToolset,
  validateInput,
  type ToolDeclaration,
  type ToolsetClass,
} from '@valet/decorators';
import { createFilesApp, type FilesApp } from '../src/container.js';
import { FileAdminTools, FileDeleteTools, FileReadTools, FileWriteTools } from '../src/file-tools.js';
import { createSampleRoot } from '../src/files-root.js';
import { LIMITS } from '../src/limits.js';

let root: string;
let app: FilesApp;
const audit = memoryAuditSink();

beforeAll(async () => {
  root = await createSampleRoot();
  app = createFilesApp({
    resource: 'http://127.0.0.1:3000/mcp',
    filesRoot: root,
    // Never asked for keys here: these tests make principals directly.
    idp: oidc({
      issuer: 'http://127.0.0.1:9/',
      audience: 'http://127.0.0.1:3000/mcp',
      jwksUri: 'http://127.0.0.1:9/jwks',
    }),
    audit,
  });
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

function token(...scopes: string[]): Principal {
  return createPrincipal({ subject: 'ada', clientId: 'test', scopes, token: `t-${scopes.join('-')}` });
}

/** Authorizes like the MCP adapter does, then validates the input and calls the tool resolved from the container. */
async function call(principal: Principal | null, tool: string, args?: Record<string, unknown>) {
  const op = app.toolsets.flatMap((t) => t.operations).find((o) => o.id === tool) as ToolDeclaration;
  const decision = await app.container
    .get(ValetTypes.Authorizer)
    .authorize(principal, op.id, { arguments: args });
  if (!decision.allowed) return { refused: decision.missing, reason: decision.reason };
  const input = op.input === undefined ? undefined : await validateInput(op.input, args);
  const instance = resolveToolset(app.container, op.toolset) as Record<string, (input: unknown) => unknown>;
  return { result: await instance[op.method]!(input) };
}

describe('the file toolsets', () => {
  it('register every tool with its policy, title and hints', () => {
    const tools = app.registry.operations('tool');
    expect(tools.map((op) => [op.id, describePolicy(op.policy!)])).toEqual([
      ['list_files', 'files:read'],
      ['read_file', 'files:read'],
      ['search_files', 'files:read'],
      ['write_file', 'files:write'],
      ['move_file', 'files:write'],
      ['delete_file', 'files:delete'],
      ['sandbox_info', 'files:admin'],
    ]);
    expect(app.registry.get('write_file')).toMatchObject({
      title: 'Write a file',
      source: 'FileWriteTools.writeFile',
      meta: { annotations: { destructiveHint: true, idempotentHint: true, readOnlyHint: false } },
    });
    expect(app.registry.get('read_file')?.meta).toMatchObject({ annotations: { readOnlyHint: true } });
    expect(app.registry.scopes()).toEqual([
      'files:admin',
      'files:backup',
      'files:delete',
      'files:read',
      'files:write',
    ]);
    expect(app.registry.frozen).toBe(true);
  });

  it('publish the catalog in the resource metadata and ask for files:read first', () => {
    expect(app.valet.metadata()).toMatchObject({
      resource: 'http://127.0.0.1:3000/mcp',
      authorization_servers: ['http://127.0.0.1:9/'],
      scopes_supported: ['files:admin', 'files:backup', 'files:delete', 'files:read', 'files:write'],
    });
    expect(app.registry.catalog?.basicScopes()).toEqual(['files:read']);
  });

  it('resolve from the container with the one Sandbox injected', () => {
    const read = resolveToolset(app.container, FileReadTools);
    expect(read).toBe(resolveToolset(app.container, FileReadTools));
    for (const toolset of [
      FileReadTools,
      FileWriteTools,
      FileDeleteTools,
      FileAdminTools,
    ] as ToolsetClass[]) {
      expect((resolveToolset(app.container, toolset) as unknown as { sandbox: unknown }).sandbox).toBe(
        app.sandbox,
      );
    }
  });
});

describe('calling the tools through the authorizer', () => {
  it('lets a files:read token list, read and search, and nothing else', async () => {
    const reader = token('files:read');
    await expect(call(reader, 'list_files', {})).resolves.toMatchObject({
      result: { path: '.', entries: expect.arrayContaining([expect.objectContaining({ name: 'notes' })]) },
    });
    await expect(call(reader, 'read_file', { path: 'notes/todo.md' })).resolves.toMatchObject({
      result: { content: expect.stringContaining('# To do') },
    });
    await expect(call(reader, 'search_files', { query: 'valet' })).resolves.toMatchObject({
      result: { matches: [{ path: 'notes/ideas.md', kind: 'content', line: 3 }] },
    });
    await expect(call(reader, 'write_file', { path: 'x.md', content: 'x' })).resolves.toEqual({
      refused: ['files:write'],
      reason: 'Tool "write_file" requires scope "files:write"; the token grants "files:read".',
    });
    await expect(call(reader, 'delete_file', { path: 'x.md' })).resolves.toMatchObject({
      refused: ['files:delete'],
    });
    await expect(call(reader, 'sandbox_info')).resolves.toMatchObject({ refused: ['files:admin'] });
  });

  it('lets a files:write token write and move, and read through the implication', async () => {
    const writer = token('files:write');
    await expect(
      call(writer, 'write_file', { path: 'plans/q3.md', content: 'ship', createDirs: true }),
    ).resolves.toEqual({
      result: { path: 'plans/q3.md', bytes: 4, created: true },
    });
    await expect(call(writer, 'read_file', { path: 'plans/q3.md' })).resolves.toMatchObject({
      result: { content: 'ship' },
    });
    await expect(
      call(writer, 'move_file', { from: 'plans/q3.md', to: 'plans/q4.md' }),
    ).resolves.toMatchObject({
      result: { from: 'plans/q3.md', to: 'plans/q4.md' },
    });
    expect(await readFile(join(root, 'plans', 'q4.md'), 'utf8')).toBe('ship');
    await expect(call(writer, 'delete_file', { path: 'plans/q4.md' })).resolves.toMatchObject({
      refused: ['files:delete'],
    });
  });

  it('deletes only with files:delete, and shows sandbox_info only to files:admin', async () => {
    await expect(call(token('files:delete'), 'delete_file', { path: 'plans/q4.md' })).resolves.toEqual({
      result: { path: 'plans/q4.md', type: 'file' },
    });
    await expect(call(token('files:admin'), 'sandbox_info')).resolves.toMatchObject({
      result: { root, files: expect.any(Number), limits: LIMITS },
    });
  });

  it('answers a path escape as a tool error the model can read, not a crash', async () => {
    await expect(call(token('files:read'), 'read_file', { path: '../../etc/passwd' })).resolves.toEqual({
      result: {
        isError: true,
        content: [
          {
            type: 'text',
            text: 'Path "../../etc/passwd" refused: ".." is not allowed; paths cannot leave the sandbox.',
          },
        ],
      },
    });
    await expect(
      call(token('files:write'), 'write_file', { path: 'README.md', content: 'x', overwrite: false }),
    ).resolves.toMatchObject({
      result: {
        isError: true,
        content: [{ text: '"README.md" exists; pass overwrite: true to replace it.' }],
      },
    });
  });

  it('refuses anonymous callers and records every decision', async () => {
    await expect(call(null, 'list_files', {})).resolves.toMatchObject({ refused: ['files:read'] });
    const last = audit.events.at(-1);
    expect(last).toMatchObject({ operationId: 'list_files', allowed: false, missing: ['files:read'] });
    expect(audit.events.some((e) => e.operationId === 'write_file' && e.allowed && e.subject === 'ada')).toBe(
      true,
    );
  });
});
