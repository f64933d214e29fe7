// A consumer's server, compiled outside the workspace against the packed @valet/* tarballs: a
// decorated MCP toolset and an Express route, both behind Valet, trusting a test issuer from
// @valet/testing. It prints one JSON line (its URLs and a notes:read token), then serves until killed.
import 'reflect-metadata';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { PolicyRegistry, createValet, defineScopes, oidc } from '@valet/core';
import { Tool, Toolset, createDecorators, registerToolsets } from '@valet/decorators';
import { bindToolsets, createMcpHttpHandler } from '@valet/adapters/mcp';
import { valetExpress } from '@valet/adapters/express';
import { createTestIssuer } from '@valet/testing';
import { IsString, MaxLength } from 'class-validator';

const scopes = defineScopes({
  'notes:read': { description: 'Read notes', basic: true },
  'notes:write': { description: 'Add notes', implies: ['notes:read'] },
});
const { RequiresScope } = createDecorators(scopes);

const notes = new Map<string, string>([['welcome', 'Hello from Valet']]);

class ReadNoteInput {
  @IsString()
  @MaxLength(64)
  name!: string;
}

class AddNoteInput {
  @IsString()
  @MaxLength(64)
  name!: string;

  @IsString()
  text!: string;
}

@Toolset()
@RequiresScope('notes:read')
class NoteTools {
  @Tool({ description: 'List the notes', annotations: { readOnlyHint: true } })
  listNotes(): string {
    return [...notes.keys()].join('\n');
  }

  @Tool({ description: 'Read a note', annotations: { readOnlyHint: true } })
  readNote(input: ReadNoteInput): string {
    return notes.get(input.name) ?? `no note named ${input.name}`;
  }

  @Tool({ description: 'Add a note' })
  @RequiresScope('notes:write')
  addNote(input: AddNoteInput): string {
    notes.set(input.name, input.text);
    return `added ${input.name}`;
  }
}

// Listen first: the resource identifier (the token audience) carries the ephemeral port, and
// Express takes its routes after it starts listening.
const app = express();
const http = createServer(app);
await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
const base = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
const resource = `${base}/mcp`;

const issuer = await createTestIssuer({ audience: resource });
const registry = new PolicyRegistry({ catalog: scopes });
const toolsets = registerToolsets(registry, [NoteTools]);
const valet = createValet({ registry, resource, idp: oidc({ issuer: issuer.url, audience: resource }) });

const mcp = createMcpHttpHandler({
  valet,
  server: () => bindToolsets(new McpServer({ name: 'notes', version: '1.0.0' }), { toolsets, valet }),
});

const api = valetExpress(valet);
app.use(express.json(), api.metadataRouter());
app.use(mcp); // serves /mcp, calls next() for every other path
api
  .routes(app)
  .get('/api/notes', api.requireScopes('notes:read'), (req, res) => {
    res.json({ notes: [...notes.keys()], caller: req.auth?.subject ?? null });
  })
  .post('/api/notes', api.requireScopes('notes:write'), (req, res) => {
    const { name, text } = req.body as { name: string; text: string };
    notes.set(name, text);
    res.status(201).json({ added: name });
  });
app.use(api.errorHandler());
valet.freeze(); // every policy validated now, not at the first request

const readToken = await issuer.mint({ scopes: ['notes:read'], subject: 'alice' });
console.log(JSON.stringify({ base, mcp: resource, readToken }));

const stop = async () => {
  await mcp.close();
  http.close();
  await issuer.close();
};
process.once('SIGTERM', () => void stop());
process.once('SIGINT', () => void stop());
