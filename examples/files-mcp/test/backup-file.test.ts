import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { startDevAuthorizationServer, type DevAuthorizationServer } from '@valet/testing';
import { startBackupApi, type BackupApi } from '../src/backup-api.js';
import { BACKUP_SCOPE } from '../src/backup-tools.js';
import { loadConfig } from '../src/config.js';
import { SAMPLE_FILES } from '../src/files-root.js';
import { freePort } from '../src/free-port.js';
import { scopes } from '../src/scopes.js';
import { startFilesServer, type RunningFilesServer } from '../src/server.js';
import { postToolCall } from './support/tool-call.js';

const EXCHANGE_CLIENT = { clientId: 'files-mcp', clientSecret: 'files-mcp-secret' };
const TOKEN_EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';

/** The authorization server, the backup API and the files server (`VALET_ISSUER` mode) of one case. */
interface Setup {
  readonly as: DevAuthorizationServer;
  readonly backup: BackupApi;
  readonly files: RunningFilesServer;
  close(): Promise<void>;
}

/**
 * Starts the three: `consent` makes the authorization server refuse to exchange for `backup:write`
 * (`invalid_scope`, as for want of consent), `tokenExchange: false` leaves the files server's
 * client without the token exchange grant (`unauthorized_client`).
 */
async function startSetup(options: { consent?: boolean; tokenExchange?: boolean } = {}): Promise<Setup> {
  // The backup API reads the issuer at its first request, once the server below has started.
  const backup = await startBackupApi(() => as.issuer);
  const filesUrl = `http://127.0.0.1:${await freePort()}/mcp`;
  const as = await startDevAuthorizationServer({
    resources: [
      { url: filesUrl, scopes: scopes.names() },
      {
        url: backup.url,
        scopes: [BACKUP_SCOPE],
        ...(options.consent === true ? { exchangeRequiresConsent: [BACKUP_SCOPE] } : {}),
      },
    ],
    clients: [{ ...EXCHANGE_CLIENT, tokenExchange: options.tokenExchange ?? true }],
  });
  const config = loadConfig({
    VALET_ISSUER: as.issuer,
    VALET_AUDIENCE: filesUrl,
    FILES_BACKUP_URL: backup.url,
    VALET_EXCHANGE_CLIENT_ID: EXCHANGE_CLIENT.clientId,
    VALET_EXCHANGE_CLIENT_SECRET: EXCHANGE_CLIENT.clientSecret,
  });
  const files = await startFilesServer(config, { log: () => undefined });
  return {
    as,
    backup,
    files,
    async close() {
      await files.close();
      await backup.close();
      await as.close();
    },
  };
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

/** `tools/call` of `backup_file` as one HTTP request, to see the status and challenge an SDK client hides. */
function backupOverHttp(url: string, token: string): Promise<Response> {
  return postToolCall(url, { authorization: `Bearer ${token}` }, 'backup_file', { path: 'notes/todo.md' });
}

describe('backup_file: copies a file to the backup API with an exchanged token (RFC 8693)', () => {
  const exchanges: string[] = [];
  const realFetch = globalThis.fetch;
  let setup: Setup;

  beforeAll(async () => {
    setup = await startSetup();
    // Counts the token exchanges the files server sends to the authorization server.
    globalThis.fetch = (input, init) => {
      const body =
        typeof init?.body === 'string' || init?.body instanceof URLSearchParams ? String(init.body) : '';
      if (
        String(input instanceof Request ? input.url : input) === setup.as.tokenEndpoint &&
        body.includes(encodeURIComponent(TOKEN_EXCHANGE))
      ) {
        exchanges.push(body);
      }
      return realFetch(input, init);
    };
  });

  afterAll(async () => {
    globalThis.fetch = realFetch;
    await setup?.close();
  });

  it('lists backup_file to a caller with files:backup', async () => {
    const { as, files } = setup;
    const token = await as.authorizationCodeToken({ resource: files.url, scope: 'files:read files:backup' });
    const client = await mcpClient(files.url, token);
    expect((await client.listTools()).tools.map((t) => t.name)).toContain('backup_file');
    await client.close();
  });

  it('Security: token passthrough: the backup API gets a token for itself acting for the caller, never the caller’s own', async () => {
    const { as, backup, files } = setup;
    const token = await as.authorizationCodeToken({ resource: files.url, scope: 'files:read files:backup' });
    const client = await mcpClient(files.url, token);
    const result = await client.callTool({ name: 'backup_file', arguments: { path: 'notes/todo.md' } });
    expect(result.isError).not.toBe(true);
    expect(backup.received).toHaveLength(1);
    const [copy] = backup.received;
    expect(copy!.path).toBe('/files/notes/todo.md');
    expect(copy!.body.toString('utf8')).toBe(SAMPLE_FILES['notes/todo.md']);
    expect(copy!.principal.token).not.toBe(token);
    expect(copy!.principal.audience).toEqual([backup.url]);
    expect(copy!.principal.subject).toBe('dev-user');
    expect(copy!.principal.claims.act).toEqual({ sub: EXCHANGE_CLIENT.clientId });
    expect(exchanges).toHaveLength(1);
    expect(exchanges[0]).not.toContain(EXCHANGE_CLIENT.clientSecret);

    // The second call is served from the exchange cache: no new exchange, the same token.
    const again = await client.callTool({ name: 'backup_file', arguments: { path: 'notes/todo.md' } });
    expect(again.isError).not.toBe(true);
    expect(backup.received).toHaveLength(2);
    expect(exchanges).toHaveLength(1);
    expect(backup.received[1]!.principal.token).toBe(copy!.principal.token);
    await client.close();
  });

  it('Security: step-up: a caller without files:backup gets 403 insufficient_scope naming it', async () => {
    const { as, backup, files } = setup;
    const token = await as.authorizationCodeToken({ resource: files.url, scope: 'files:read' });
    const before = backup.received.length;
    const res = await backupOverHttp(files.url, token);
    expect(res.status).toBe(403);
    expect(res.headers.get('www-authenticate')).toMatch(/error="insufficient_scope"/);
    expect(res.headers.get('www-authenticate')).toContain('scope="files:backup"');
    expect(backup.received).toHaveLength(before);
  });
});

describe('backup_file when the authorization server refuses the exchange', () => {
  it('Security: missing consent: the IdP’s invalid_scope is a 403 step-up naming files:backup, and the backup API gets nothing', async () => {
    const { as, backup, files, close } = await startSetup({ consent: true });
    try {
      const token = await as.authorizationCodeToken({ resource: files.url, scope: 'files:backup' });
      const res = await backupOverHttp(files.url, token);
      const challenge = res.headers.get('www-authenticate') ?? '';
      expect(res.status).toBe(403);
      // backup_file declares no stepUpScope: the step-up names the tool's own scope.
      expect(challenge).toBe(
        `Bearer error="insufficient_scope", error_description="Tool 'backup_file' acts on your behalf at ${backup.url}, ` +
          `which needs your consent: ask this server for scope 'files:backup' and try again.", scope="files:backup", ` +
          `resource_metadata="${new URL(files.url).origin}/.well-known/oauth-protected-resource/mcp"`,
      );
      expect(`${challenge}${await res.text()}`).not.toContain(token);
      expect(backup.received).toHaveLength(0);
    } finally {
      await close();
    }
  });

  it('Security: refused exchange: any other refusal is a tool error that names no token, and the backup API gets nothing', async () => {
    const { as, backup, files, close } = await startSetup({ tokenExchange: false });
    try {
      const token = await as.authorizationCodeToken({ resource: files.url, scope: 'files:backup' });
      const client = await mcpClient(files.url, token);
      const result = await client.callTool({ name: 'backup_file', arguments: { path: 'notes/todo.md' } });
      await client.close();
      expect(result.isError).toBe(true);
      expect(result.content).toEqual([
        {
          type: 'text',
          text: 'Tool "backup_file" could not obtain a token to act on your behalf downstream; try again later or ask the server\'s administrator.',
        },
      ]);
      expect(JSON.stringify(result)).not.toContain(token);
      expect(JSON.stringify(result)).not.toContain(EXCHANGE_CLIENT.clientSecret);
      expect(backup.received).toHaveLength(0);
    } finally {
      await close();
    }
  });
});

describe('backup_file in development mode', () => {
  it('exchanges as the embedded authorization server’s own client', async () => {
    let files: RunningFilesServer | undefined;
    const backup = await startBackupApi(() => files!.parts.devAuthorizationServer!.issuer);
    try {
      const config = loadConfig({ PORT: String(await freePort()), FILES_BACKUP_URL: backup.url });
      files = await startFilesServer(config, { log: () => undefined });
      const as = files.parts.devAuthorizationServer!;
      const token = await as.authorizationCodeToken({ resource: files.url, scope: 'files:backup' });
      const client = await mcpClient(files.url, token);
      const result = await client.callTool({ name: 'backup_file', arguments: { path: 'notes/todo.md' } });
      expect(result.isError).not.toBe(true);
      expect(backup.received).toHaveLength(1);
      expect(backup.received[0]!.principal.claims.act).toEqual({ sub: as.defaultClient.clientId });
      await client.close();
    } finally {
      await files?.close();
      await backup.close();
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
