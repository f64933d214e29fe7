import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { OptionsError, oidc } from '@valet/core';
import { createTestIssuer } from '@valet/testing';
import { loadConfig } from '../src/config.js';
import { prepareFilesServer, type FilesServerParts } from '../src/files-server.js';
import { freePort } from '../src/free-port.js';
import { introspectingProvider } from '../src/introspecting-provider.js';

const CLIENT = { clientId: 'files-mcp', clientSecret: 'introspection-secret' };

describe('prepareFilesServer in development mode with VALET_INTROSPECTION_CLIENT_ID', () => {
  const lines: string[] = [];
  let parts: FilesServerParts;
  let resource: string;

  beforeAll(async () => {
    const port = await freePort();
    resource = `http://127.0.0.1:${port}/mcp`;
    const env = {
      PORT: String(port),
      VALET_INTROSPECTION_CLIENT_ID: CLIENT.clientId,
      VALET_INTROSPECTION_CLIENT_SECRET: CLIENT.clientSecret,
    };
    parts = await prepareFilesServer(loadConfig(env), { log: (line) => lines.push(line) });
  });
  afterAll(() => parts.close());

  it('registers the client at the embedded server, which issues opaque tokens, and admits them by introspection', async () => {
    const as = parts.devAuthorizationServer!;
    expect(lines).toContain(
      `Tokens: introspected (RFC 7662) at ${as.issuer} as files-mcp, answers cached in this process.`,
    );
    const token = await as.clientCredentialsToken({ resource, scope: 'files:read' });
    expect(token.split('.')).toHaveLength(1);
    const before = as.requests.introspection;
    const authorization = `Bearer ${token}`;
    const { valet } = parts.app;
    const principal = await valet.admit({ authorization, operations: [{ id: 'read_file' }] });
    expect([...principal!.scopes]).toEqual(['files:read']);
    await expect(valet.admit({ authorization, operations: [{ id: 'write_file' }] })).rejects.toMatchObject({
      status: 403,
    });
    expect(as.requests.introspection - before).toBe(1);
  });

  it('Security: forged token: refuses a token the authorization server does not know, 401 invalid_token', async () => {
    const refusal = parts.app.valet.admit({
      authorization: 'Bearer made-up-opaque-token',
      operations: [{ id: 'read_file' }],
    });
    await expect(refusal).rejects.toMatchObject({ status: 401 });
    await expect(refusal).rejects.toHaveProperty('challenge.error', 'invalid_token');
  });
});

describe('introspectingProvider at start-up', () => {
  const setup = (issuer: string) => ({
    issuer,
    audience: ['https://files.example.com/mcp'],
    client: CLIENT,
    store: undefined,
  });

  it('stops the start, naming VALET_INTROSPECTION_CLIENT_ID, when the issuer publishes no introspection endpoint', async () => {
    const issuer = await createTestIssuer();
    try {
      const idp = oidc({ issuer: issuer.url, audience: 'https://files.example.com/mcp' });
      const error = await introspectingProvider(idp, setup(issuer.url)).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(OptionsError);
      expect(error).toMatchObject({ field: 'VALET_INTROSPECTION_CLIENT_ID' });
      expect((error as Error).message).toContain('publishes no introspection_endpoint');
    } finally {
      await issuer.close();
    }
  });

  it('stops the start, naming VALET_INTROSPECTION_CLIENT_ID, when the issuer cannot be reached', async () => {
    const issuer = `http://127.0.0.1:${await freePort()}`;
    const idp = oidc({ issuer, audience: 'https://files.example.com/mcp' });
    const error = await introspectingProvider(idp, setup(issuer)).catch((e: unknown) => e);
    expect(error).toMatchObject({ field: 'VALET_INTROSPECTION_CLIENT_ID' });
    expect((error as Error).message).toContain(`the metadata of ${issuer}`);
    expect((error as Error).message).not.toContain(CLIENT.clientSecret);
  });
});
