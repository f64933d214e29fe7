import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer, type Server } from 'node:http';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { JwtVerifier, type Principal } from '@valet/core';
import { startDevAuthorizationServer, type DevAuthorizationServer } from '@valet/testing';
import { loadConfig } from '../src/config.js';
import { SAMPLE_FILES } from '../src/files-root.js';
import { freePort } from '../src/free-port.js';
import { scopes } from '../src/scopes.js';
import { startFilesServer, type RunningFilesServer } from '../src/server.js';

const EXCHANGE_CLIENT = { clientId: 'files-mcp', clientSecret: 'files-mcp-secret' };
const TOKEN_EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';

/** What the backup API received: the path, the body, and the verified token. */
interface Received {
  readonly path: string;
  readonly body: string;
  readonly principal: Principal;
}

/**
 * A backup API that accepts only tokens for its own URL from the authorization server (`issuer`,
 * read at the first request: in development mode it starts after this API), and records each PUT.
 */
async function startBackupApi(url: string, issuer: () => string, received: Received[]): Promise<Server> {
  let verifier: JwtVerifier | undefined;
  const server = createServer((req, res) => {
    const tokens = (verifier ??= new JwtVerifier({ issuer: issuer(), audience: url }));
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? '';
      tokens.verify(token).then(
        (principal) => {
          if (req.method !== 'PUT' || !principal.scopes.has('backup:write')) {
            res.writeHead(403).end();
            return;
          }
          received.push({ path: req.url!, body: Buffer.concat(chunks).toString('utf8'), principal });
          res.writeHead(201).end();
        },
        () => res.writeHead(401).end(),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(Number(new URL(url).port), '127.0.0.1', resolve));
  return server;
}

async function mcpClient(url: string, token: string): Promise<Client> {
  const client = new Client({ name: 'backup-test', version: '1.0.0' });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(url), {
      requestInit: { headers: { authorization: `Bearer ${token}` } },
    }),
  );
  return client;
}

describe('backup_file: copies a file to the backup API with an exchanged token (RFC 8693)', () => {
  const received: Received[] = [];
  const exchanges: string[] = [];
  const realFetch = globalThis.fetch;
  let as: DevAuthorizationServer;
  let backupApi: Server;
  let files: RunningFilesServer;
  let backupUrl: string;
  let filesUrl: string;

  beforeAll(async () => {
    backupUrl = `http://127.0.0.1:${await freePort()}`;
    const port = await freePort();
    filesUrl = `http://127.0.0.1:${port}/mcp`;
    as = await startDevAuthorizationServer({
      resources: [
        { url: filesUrl, scopes: scopes.names() },
        { url: backupUrl, scopes: ['backup:write'] },
      ],
      clients: [{ ...EXCHANGE_CLIENT, tokenExchange: true }],
    });
    // Counts the token exchanges the files server sends to the authorization server.
    globalThis.fetch = (input, init) => {
      const body =
        typeof init?.body === 'string' || init?.body instanceof URLSearchParams ? String(init.body) : '';
      if (
        String(input instanceof Request ? input.url : input) === as.tokenEndpoint &&
        body.includes(encodeURIComponent(TOKEN_EXCHANGE))
      ) {
        exchanges.push(body);
      }
      return realFetch(input, init);
    };
    backupApi = await startBackupApi(backupUrl, () => as.issuer, received);
    const config = loadConfig({
      VALET_ISSUER: as.issuer,
      VALET_AUDIENCE: filesUrl,
      FILES_BACKUP_URL: backupUrl,
      VALET_EXCHANGE_CLIENT_ID: EXCHANGE_CLIENT.clientId,
      VALET_EXCHANGE_CLIENT_SECRET: EXCHANGE_CLIENT.clientSecret,
    });
    files = await startFilesServer(config, { log: () => undefined });
  });

  afterAll(async () => {
    globalThis.fetch = realFetch;
    await files?.close();
    backupApi?.closeAllConnections();
    await new Promise((resolve) => backupApi?.close(resolve));
    await as?.close();
  });

  it('lists backup_file to a caller with files:backup', async () => {
    const token = await as.authorizationCodeToken({ resource: filesUrl, scope: 'files:read files:backup' });
    const client = await mcpClient(filesUrl, token);
    expect((await client.listTools()).tools.map((t) => t.name)).toContain('backup_file');
    await client.close();
  });

  it('Security: token passthrough: the backup API gets a token for itself acting for the caller, never the caller’s own', async () => {
    const token = await as.authorizationCodeToken({ resource: filesUrl, scope: 'files:read files:backup' });
    const client = await mcpClient(filesUrl, token);
    const result = await client.callTool({ name: 'backup_file', arguments: { path: 'notes/todo.md' } });
    expect(result.isError).not.toBe(true);
    expect(received).toHaveLength(1);
    const [copy] = received;
    expect(copy!.path).toBe('/files/notes/todo.md');
    expect(copy!.body).toBe(SAMPLE_FILES['notes/todo.md']);
    expect(copy!.principal.token).not.toBe(token);
    expect(copy!.principal.audience).toEqual([backupUrl]);
    expect(copy!.principal.subject).toBe('dev-user');
    expect(copy!.principal.claims.act).toEqual({ sub: EXCHANGE_CLIENT.clientId });
    expect(exchanges).toHaveLength(1);
    expect(exchanges[0]).not.toContain(EXCHANGE_CLIENT.clientSecret);

    // The second call is served from the exchange cache: no new exchange, the same token.
    const again = await client.callTool({ name: 'backup_file', arguments: { path: 'notes/todo.md' } });
    expect(again.isError).not.toBe(true);
    expect(received).toHaveLength(2);
    expect(exchanges).toHaveLength(1);
    expect(received[1]!.principal.token).toBe(copy!.principal.token);
    await client.close();
  });

  it('Security: step-up: a caller without files:backup gets 403 insufficient_scope naming it', async () => {
    const token = await as.authorizationCodeToken({ resource: filesUrl, scope: 'files:read' });
    const before = received.length;
    const res = await fetch(filesUrl, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
      },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'tools/call',
        params: { name: 'backup_file', arguments: { path: 'notes/todo.md' } },
      }),
    });
    expect(res.status).toBe(403);
    expect(res.headers.get('www-authenticate')).toMatch(/error="insufficient_scope"/);
    expect(res.headers.get('www-authenticate')).toContain('scope="files:backup"');
    expect(received).toHaveLength(before);
  });
});

describe('backup_file in development mode', () => {
  it('exchanges as the embedded authorization server’s own client', async () => {
    const received: Received[] = [];
    const backupUrl = `http://127.0.0.1:${await freePort()}`;
    let files: RunningFilesServer | undefined;
    const backupApi = await startBackupApi(
      backupUrl,
      () => files!.parts.devAuthorizationServer!.issuer,
      received,
    );
    try {
      const config = loadConfig({ PORT: String(await freePort()), FILES_BACKUP_URL: backupUrl });
      files = await startFilesServer(config, { log: () => undefined });
      const as = files.parts.devAuthorizationServer!;
      const token = await as.authorizationCodeToken({ resource: files.url, scope: 'files:backup' });
      const client = await mcpClient(files.url, token);
      const result = await client.callTool({ name: 'backup_file', arguments: { path: 'notes/todo.md' } });
      expect(result.isError).not.toBe(true);
      expect(received).toHaveLength(1);
      expect(received[0]!.principal.claims.act).toEqual({ sub: as.defaultClient.clientId });
      await client.close();
    } finally {
      await files?.close();
      backupApi.closeAllConnections();
      await new Promise((resolve) => backupApi.close(resolve));
    }
  });
});

describe('backup_file without FILES_BACKUP_URL', () => {
  it('is not offered', async () => {
    const files = await startFilesServer(loadConfig({ PORT: String(await freePort()) }), {
      log: () => undefined,
    });
    try {
      const as = files.parts.devAuthorizationServer!;
      const token = await as.clientCredentialsToken({
        resource: files.url,
        scope: 'files:read files:backup',
      });
      const client = await mcpClient(files.url, token);
      expect((await client.listTools()).tools.map((t) => t.name)).not.toContain('backup_file');
      await client.close();
    } finally {
      await files.close();
    }
  });
});
