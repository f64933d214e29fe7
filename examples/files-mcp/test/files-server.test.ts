import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OptionsError, memoryAuditSink } from '@valet/core';
import { loadConfig } from '../src/config.js';
import { SAMPLE_FILES, filesRootFor } from '../src/files-root.js';
import { prepareFilesServer, type FilesServerParts } from '../src/files-server.js';

describe('prepareFilesServer in development mode', () => {
  const lines: string[] = [];
  const audit = memoryAuditSink();
  let parts: FilesServerParts;

  beforeAll(async () => {
    parts = await prepareFilesServer(loadConfig({ PORT: '3917' }), {
      log: (line) => lines.push(line),
      audit,
    });
  });

  afterAll(async () => {
    await parts.close();
  });

  it('starts the embedded authorization server and says loudly that it is for development only', () => {
    const as = parts.devAuthorizationServer!;
    expect(as.issuer).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(lines[0]).toBe(
      `DEVELOPMENT ONLY: no VALET_ISSUER set, so an embedded authorization server runs at ${as.issuer}.`,
    );
    expect(lines[1]).toContain('never use it in production');
    expect(parts.app.valet.metadata()).toMatchObject({
      resource: 'http://127.0.0.1:3917/mcp',
      authorization_servers: [as.issuer],
    });
  });

  it('makes a temporary sandbox with the sample files', async () => {
    expect(parts.filesRoot.temporary).toBe(true);
    expect(lines[2]).toContain(`a temporary sandbox with sample files at ${parts.filesRoot.path}`);
    await expect(parts.app.sandbox.read('notes/todo.md')).resolves.toMatchObject({
      content: SAMPLE_FILES['notes/todo.md'],
    });
  });

  it('accepts the development server’s tokens for the resource and enforces their scopes', async () => {
    const as = parts.devAuthorizationServer!;
    const token = await as.clientCredentialsToken({
      resource: 'http://127.0.0.1:3917/mcp',
      scope: 'files:read',
    });
    const authorization = `Bearer ${token}`;
    const { valet } = parts.app;
    const principal = await valet.admit({ authorization, operations: [{ id: 'read_file' }] });
    expect([...principal!.scopes]).toEqual(['files:read']);
    const refusal = valet.admit({ authorization, operations: [{ id: 'write_file' }] });
    await expect(refusal).rejects.toMatchObject({ status: 403 });
    await expect(refusal).rejects.toHaveProperty('challenge.error', 'insufficient_scope');
    await expect(refusal).rejects.toHaveProperty('challenge.scope', expect.arrayContaining(['files:write']));
    expect(audit.events.map((e) => [e.operationId, e.allowed])).toEqual([
      ['read_file', true],
      ['write_file', false],
    ]);
  });

  it('close() stops the authorization server and removes the temporary sandbox', async () => {
    const other = await prepareFilesServer(loadConfig({ PORT: '3918' }), { log: () => undefined });
    const issuer = other.devAuthorizationServer!.issuer;
    await other.close();
    await expect(stat(other.filesRoot.path)).rejects.toThrow('ENOENT');
    await expect(fetch(`${issuer}/.well-known/openid-configuration`)).rejects.toThrow();
  });
});

describe('prepareFilesServer with VALET_ALLOWED_ORIGINS', () => {
  it('Security: DNS rebinding: admits the configured browser origin and refuses another with 403', async () => {
    const parts = await prepareFilesServer(
      loadConfig({ PORT: '3918', VALET_ALLOWED_ORIGINS: 'https://app.example.com' }),
      { log: () => undefined },
    );
    try {
      const { valet } = parts.app;
      const authorization = `Bearer ${await parts.devAuthorizationServer!.clientCredentialsToken({
        resource: 'http://127.0.0.1:3918/mcp',
        scope: 'files:read',
      })}`;
      const operations = [{ id: 'read_file' }];
      await expect(
        valet.admit({ authorization, operations, origin: 'https://app.example.com' }),
      ).resolves.not.toBeNull();
      await expect(
        valet.admit({ authorization, operations, origin: 'http://localhost:3918' }),
      ).rejects.toMatchObject({ status: 403 });
    } finally {
      await parts.close();
    }
  });
});

describe('prepareFilesServer with an issuer and FILES_ROOT', () => {
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'files-mcp-root-'));
    await writeFile(join(dir, 'mine.txt'), 'kept');
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('uses the given directory, keeps it on close, and starts no authorization server', async () => {
    const lines: string[] = [];
    const config = loadConfig({
      VALET_ISSUER: 'https://example.us.auth0.com/',
      VALET_IDP: 'auth0',
      VALET_AUDIENCE: 'https://files.example.com/mcp',
      FILES_ROOT: dir,
    });
    const parts = await prepareFilesServer(config, { log: (line) => lines.push(line) });
    expect(parts.devAuthorizationServer).toBeUndefined();
    expect(lines[0]).toBe(
      'Tokens: issued by https://example.us.auth0.com/ (auth0), for https://files.example.com/mcp.',
    );
    await expect(parts.app.sandbox.read('mine.txt')).resolves.toMatchObject({ content: 'kept' });
    await parts.close();
    await expect(stat(join(dir, 'mine.txt'))).resolves.toBeDefined();
  });

  it('refuses a FILES_ROOT that is missing or not a directory', async () => {
    for (const filesRoot of [join(dir, 'missing'), join(dir, 'mine.txt')]) {
      const error = await filesRootFor({ filesRoot }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(OptionsError);
      expect(error).toMatchObject({
        field: 'FILES_ROOT',
        message: 'FILES_ROOT must name an existing directory; create it first.',
      });
    }
  });
});
