import { randomBytes } from 'node:crypto';
import { memoryAuditSink, type AuditEvent } from '@valet/core';
import {
  Client as ModernClient,
  InsufficientScopeError,
  StreamableHTTPClientTransport as ModernTransport,
} from '@modelcontextprotocol/client';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { startBackupApi } from './backup-api.js';
import { loadConfig } from './config.js';
import { freePort } from './free-port.js';
import { startFilesServer, type RunningFilesServer } from './server.js';

/** What one step of the walkthrough showed. */
export interface DemoStep {
  readonly title: string;
  /** The HTTP status the step hinged on, when there was one. */
  readonly status?: number;
  readonly challenge?: string;
  readonly tools?: readonly string[];
  readonly ok: boolean;
}

/** The walkthrough's steps and the decision audit log. */
export interface DemoResult {
  readonly steps: readonly DemoStep[];
  readonly audit: readonly AuditEvent[];
  /** The running server, when `keepRunning` was asked for (the caller closes it). */
  readonly server?: RunningFilesServer;
}

/** Options of {@link runDemo}. */
export interface DemoOptions {
  readonly print?: (line: string) => void;
  /** Leave the server running after the walkthrough (for the MCP Inspector). */
  readonly keepRunning?: boolean;
  /** Port to listen on; default a free one. */
  readonly port?: number;
}

/**
 * The demo: starts the embedded development authorization server and the files MCP server on
 * SDK v2 (`VALET_MCP_SDK=v2`), then a real MCP SDK v1 client (the 2025 era, `initialize`) walks
 * through what Valet does — no token (401 and discovery), a read-only token (only read tools
 * listed), a refused write (403 insufficient_scope naming the scope to ask for), step-up to
 * `files:write` (the write succeeds), a still-refused delete — then an SDK v2 client in the
 * 2026-07-28 era does the same on the same endpoint (`server/discover`, a filtered list, a refused
 * write), then a caller with `files:backup` calls `backup_file`, which copies a file to a small
 * backup API with a token exchanged for the caller's (RFC 8693: for the backup API, the caller as
 * `sub`, the files server as `act`), and it prints the decision audit log.
 */
export async function runDemo(options: DemoOptions = {}): Promise<DemoResult> {
  const print = options.print ?? console.log;
  const port = options.port ?? (await freePort());
  const audit = memoryAuditSink();
  // The backup API reads the issuer at its first request, once the server below has started it.
  const backup = await startBackupApi(() => as.issuer);
  const config = loadConfig({
    VALET_AUDIENCE: `http://127.0.0.1:${port}/mcp`,
    VALET_MCP_SDK: 'v2',
    FILES_BACKUP_URL: backup.url,
    // The files server's own client at the development authorization server, allowed to exchange.
    VALET_EXCHANGE_CLIENT_ID: EXCHANGE_CLIENT_ID,
    VALET_EXCHANGE_CLIENT_SECRET: randomBytes(24).toString('base64url'),
  });
  const files = await startFilesServer(config, { audit, log: (line) => print(`  ${line}`) }).catch(
    async (error: unknown) => {
      await backup.close();
      throw error;
    },
  );
  // The backup API stops with the server, also when the caller keeps it running.
  const server: RunningFilesServer = {
    ...files,
    async close() {
      await files.close();
      await backup.close();
    },
  };
  const as = server.parts.devAuthorizationServer!;
  const steps: DemoStep[] = [];
  const step = (s: DemoStep) => {
    steps.push(s);
    print(`${s.ok ? '✔' : '✘'} ${s.title}`);
  };
  const resource = server.url;

  try {
    print('\n1. A client calls without a token');
    const anonymous = await fetch(resource, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    });
    const challenge = anonymous.headers.get('www-authenticate') ?? '';
    print(`   HTTP ${anonymous.status}  WWW-Authenticate: ${challenge}`);
    step({
      title: 'no token: 401 with a challenge that points at the resource metadata',
      status: anonymous.status,
      challenge,
      ok: anonymous.status === 401,
    });
    const metadataUrl = /resource_metadata="([^"]+)"/.exec(challenge)?.[1] ?? '';
    const metadata = (await (await fetch(metadataUrl)).json()) as Record<string, unknown>;
    print(
      `   ${metadataUrl}\n   -> authorization_servers ${JSON.stringify(metadata.authorization_servers)}, scopes_supported ${JSON.stringify(metadata.scopes_supported)}`,
    );
    step({
      title: 'discovery: RFC 9728 metadata names the authorization server and the scopes',
      ok: Array.isArray(metadata.authorization_servers),
    });

    print('\n2. The user signs in and grants files:read (authorization code + PKCE at the dev server)');
    const readToken = await as.authorizationCodeToken({ resource, scope: 'files:read' });
    const reader = await connect(resource, readToken);
    const tools = (await reader.client.listTools()).tools.map((t) => t.name);
    print(`   tools/list -> ${tools.join(', ')}`);
    step({
      title: 'a read-only token lists only the read tools',
      tools,
      ok: !tools.includes('write_file') && tools.includes('read_file'),
    });
    const read = await reader.client.callTool({ name: 'read_file', arguments: { path: 'README.md' } });
    step({ title: 'read_file is allowed', ok: read.isError !== true });

    print('\n3. The read-only client tries to write');
    const refused = await reader.attempt(() =>
      reader.client.callTool({
        name: 'write_file',
        arguments: { path: 'notes/plan.md', content: 'ship it' },
      }),
    );
    print(`   HTTP ${refused.status}  WWW-Authenticate: ${refused.challenge}`);
    step({
      title: 'write_file: 403 insufficient_scope, scope="files:write"',
      status: refused.status,
      challenge: refused.challenge,
      ok: refused.status === 403 && /error="insufficient_scope"/.test(refused.challenge),
    });
    await reader.client.close();

    print('\n4. Step-up: the client asks for the challenged scope and retries');
    const writeToken = await as.authorizationCodeToken({ resource, scope: 'files:read files:write' });
    const writer = await connect(resource, writeToken);
    const wrote = await writer.client.callTool({
      name: 'write_file',
      arguments: { path: 'notes/plan.md', content: 'ship it' },
    });
    step({ title: 'with files:write the write succeeds', ok: wrote.isError !== true });
    const deleted = await writer.attempt(() =>
      writer.client.callTool({ name: 'delete_file', arguments: { path: 'notes/plan.md' } }),
    );
    print(`   delete_file -> HTTP ${deleted.status}  WWW-Authenticate: ${deleted.challenge}`);
    step({
      title: 'delete_file is still refused: it needs files:delete',
      status: deleted.status,
      ok: deleted.status === 403,
    });
    await writer.client.close();

    print('\n5. A 2026-07-28 client (SDK v2, no initialize) on the same endpoint, with files:read');
    const modern = await connectModern(resource, readToken);
    const discovered = modern.getDiscoverResult();
    print(`   server/discover -> versions ${JSON.stringify(discovered?.supportedVersions)}`);
    const modernTools = (await modern.listTools()).tools.map((t) => t.name);
    print(`   tools/list -> ${modernTools.join(', ')}`);
    step({
      title: 'the modern client discovers the server and lists only the read tools',
      tools: modernTools,
      ok: modern.getProtocolEra() === 'modern' && !modernTools.includes('write_file'),
    });
    // The v2 client reads the 403's challenge into an InsufficientScopeError: the scope to ask for.
    const refusal = await modern
      .callTool({ name: 'write_file', arguments: { path: 'notes/plan.md', content: 'again' } })
      .then(
        () => undefined,
        (error: unknown) => {
          if (error instanceof InsufficientScopeError) return error;
          throw error;
        },
      );
    print(`   write_file -> ${refusal === undefined ? 'allowed' : `403, scope "${refusal.requiredScope}"`}`);
    step({
      title: 'its write is refused with the same 403 step-up challenge',
      status: refusal === undefined ? 200 : 403,
      ok: refusal?.requiredScope === 'files:write',
    });
    await modern.close();

    print('\n6. Token exchange: backup_file copies a file to the backup API on the caller’s behalf');
    const backupToken = await as.authorizationCodeToken({ resource, scope: 'files:read files:backup' });
    const backer = await connect(resource, backupToken);
    const backedUp = await backer.client.callTool({
      name: 'backup_file',
      arguments: { path: 'notes/todo.md' },
    });
    await backer.client.close();
    const copy = backup.received.at(-1);
    const act = copy?.principal.claims.act as { sub?: unknown } | undefined;
    const passedThrough = copy?.principal.token === backupToken;
    const caller = audit.events.findLast((e) => e.operationId === 'backup_file')?.subject;
    print(
      copy === undefined
        ? '   the backup API received nothing'
        : `   the backup API received PUT ${copy.path} with a token: aud ${JSON.stringify(copy.principal.audience)}, ` +
            `sub "${copy.principal.subject}" (the caller: "${String(caller)}"), act.sub "${String(act?.sub)}", ` +
            `${passedThrough ? 'the caller’s own token' : 'not the caller’s token'}`,
    );
    step({
      title:
        'backup_file: the backup API gets a token for itself, for the caller, acting as the files server',
      ok:
        backedUp.isError !== true &&
        copy !== undefined &&
        !passedThrough &&
        copy.principal.audience.length === 1 &&
        copy.principal.audience[0] === backup.url &&
        caller !== undefined &&
        copy.principal.subject === caller &&
        act?.sub === EXCHANGE_CLIENT_ID,
    });

    print('\n7. The decision audit log');
    for (const e of audit.events) {
      print(
        `   ${e.allowed ? 'allow' : 'deny '}  ${e.operationId.padEnd(12)} client=${e.clientId ?? '-'}  ${e.allowed ? '' : e.reason}`,
      );
    }
  } catch (error) {
    await server.close();
    throw error;
  }
  if (options.keepRunning === true) {
    const token = await as.authorizationCodeToken({ resource, scope: 'files:read files:write' });
    print(`\nThe server keeps running at ${resource} (Ctrl-C stops it). Try it with the MCP Inspector:`);
    print(
      `  ${inspectorCommand()} --cli ${resource} --transport http --method tools/list ` +
        `--header "Authorization: Bearer ${token}"`,
    );
    return { steps, audit: audit.events, server };
  }
  await server.close();
  return { steps, audit: audit.events };
}

/** The files server's client at the development authorization server, which exchanges callers' tokens. */
const EXCHANGE_CLIENT_ID = 'files-mcp';

/** The Inspector release the printed command pins: its CLI takes the arguments the demo prints. */
const INSPECTOR = '@modelcontextprotocol/inspector@2.12.0';

/**
 * How to start the Inspector from this Node. It needs Node 22.19 or later; on an older Node a bare
 * `npx @modelcontextprotocol/inspector` silently picks 0.15, which refuses these arguments, so
 * the command runs it on Node 24 from npm instead (`-p node@24` puts that node first on PATH).
 */
function inspectorCommand(version = process.versions.node): string {
  const [major = 0, minor = 0] = version.split('.').map(Number);
  return major > 22 || (major === 22 && minor >= 19)
    ? `npx -y ${INSPECTOR}`
    : `npx -y -p node@24 -p ${INSPECTOR} -- mcp-inspector`;
}

/** An SDK client with a bearer token, and a way to see the HTTP status and challenge of a refused call. */
async function connect(url: string, token: string) {
  let last: { status: number; challenge: string } = { status: 0, challenge: '' };
  const recording: typeof fetch = async (input, init) => {
    const response = await fetch(input, init);
    last = { status: response.status, challenge: response.headers.get('www-authenticate') ?? '' };
    return response;
  };
  const transport = new StreamableHTTPClientTransport(new URL(url), {
    requestInit: { headers: { authorization: `Bearer ${token}` } },
    fetch: recording,
  });
  const client = new Client({ name: 'valet-demo', version: '0.1.0' });
  await client.connect(transport);
  return {
    client,
    async attempt(call: () => Promise<unknown>) {
      try {
        await call();
        return { status: 200, challenge: '' };
      } catch {
        return last;
      }
    },
  };
}

/** An SDK v2 client pinned to the 2026-07-28 era: `server/discover`, no `initialize`, no fallback. */
async function connectModern(url: string, token: string): Promise<ModernClient> {
  const client = new ModernClient(
    { name: 'valet-demo-modern', version: '0.1.0' },
    { versionNegotiation: { mode: { pin: '2026-07-28' } } },
  );
  await client.connect(
    new ModernTransport(new URL(url), { requestInit: { headers: { authorization: `Bearer ${token}` } } }),
  );
  return client;
}
