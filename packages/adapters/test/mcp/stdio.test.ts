import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import {
  InvalidTokenError,
  JwtVerifier,
  MissingTokenError,
  OptionsError,
  createValet,
  type TokenVerifier,
  type Valet,
} from '@valet/core';
import { createTestIssuer, type TestIssuer } from '@valet/testing';
import { bindToolsets, verifyStdioToken } from '@valet/adapters/mcp';
import { fileToolsets } from './support/file-toolsets.js';

const RESOURCE = 'https://files.example.test/mcp';

let issuer: TestIssuer;
let verifier: TokenVerifier;
let valet: Valet;
let toolsets: ReturnType<typeof fileToolsets>['toolsets'];

beforeAll(async () => {
  issuer = await createTestIssuer({ audience: RESOURCE });
  verifier = new JwtVerifier({ issuer: issuer.url, audience: RESOURCE, jwksUri: issuer.jwksUri });
  const files = fileToolsets();
  toolsets = files.toolsets;
  valet = createValet({
    registry: files.registry,
    resource: RESOURCE,
    verifier,
    authorizationServers: [issuer.url],
  });
});

afterAll(() => issuer.close());

/** The stdio wiring, over an in-memory pair instead of a child process's pipes. */
async function stdioClient(token: string | undefined): Promise<Client> {
  const principal = await verifyStdioToken(valet, token);
  const server = bindToolsets(new McpServer({ name: 'files', version: '1.0.0' }), {
    toolsets,
    valet,
    principal,
  });
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await server.connect(serverSide);
  const client = new Client({ name: 'test', version: '1.0.0' });
  await client.connect(clientSide);
  return client;
}

describe('stdio: the principal comes from a token verified at start-up', () => {
  it("authorizes every call for the token's principal: read allowed, write refused", async () => {
    const client = await stdioClient(
      await issuer.mint({ subject: 'carol', scopes: ['files:read'], audience: RESOURCE }),
    );
    const read = await client.callTool({ name: 'read_file', arguments: { path: 'a' } });
    expect(read.content).toEqual([{ type: 'text', text: 'contents of a for carol' }]);
    const write = await client.callTool({ name: 'write_file', arguments: { path: 'a', content: 'x' } });
    expect(write.isError).toBe(true);
    expect((await client.listTools()).tools.map((t) => t.name)).not.toContain('write_file');
    await client.close();
  });

  it('refuses to start without a token', async () => {
    await expect(verifyStdioToken(valet, undefined)).rejects.toBeInstanceOf(MissingTokenError);
    await expect(verifyStdioToken(valet, '   ')).rejects.toThrow(
      'No access token was given to the stdio server',
    );
  });

  it('refuses to start with an expired token', async () => {
    const expired = await issuer.expired({ scopes: ['files:read'], audience: RESOURCE });
    await expect(verifyStdioToken(valet, expired)).rejects.toMatchObject({
      constructor: InvalidTokenError,
      reason: 'expired',
    });
  });

  it('takes a bare TokenVerifier too, and refuses anything else', async () => {
    const token = await issuer.mint({ subject: 'dave', scopes: ['admin'], audience: RESOURCE });
    const principal = await verifyStdioToken(verifier, `${token}\n`);
    expect([principal.subject, [...principal.scopes]]).toEqual(['dave', ['admin']]);
    await expect(verifyStdioToken({} as TokenVerifier, token)).rejects.toBeInstanceOf(OptionsError);
  });
});
