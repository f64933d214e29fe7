import { JwtVerifier, PolicyRegistry, check, createValet, defineScopes, type Valet } from '@valet/core';
import {
  Prompt,
  Public,
  Requires,
  RequiresScope,
  Resource,
  Tool,
  Toolset,
  registerToolsets,
  type ToolsetDefinition,
} from '@valet/decorators';
import { IsString, MaxLength } from 'class-validator';
import type { ResourceContext, ToolContext } from '@valet/adapters/mcp';

/** files:read is what a 401 asks for; files:write and admin are step-ups. */
export const scopes = defineScopes({
  'files:read': { description: 'Read files', basic: true },
  'files:write': { description: 'Write files' },
  admin: { description: 'Administer' },
});

export class ReadFileInput {
  @IsString()
  @MaxLength(64)
  path!: string;
}

export class WriteFileInput {
  @IsString()
  @MaxLength(64)
  path!: string;

  @IsString()
  content!: string;
}

/** How often each method body ran: proves refused or invalid calls never reach it. */
export const calls = { readFile: 0, writeFile: 0, purge: 0, crash: 0, ownFile: 0 };

const ownsPath = check('owner-of-path', (principal, ctx) => {
  const path = (ctx.arguments as { path?: unknown } | undefined)?.path;
  return typeof path === 'string' && path.startsWith(`/home/${principal.subject}/`);
});

@Toolset()
@RequiresScope('files:read')
export class FileTools {
  @Tool({ title: 'Read file', description: 'Read a file', annotations: { readOnlyHint: true } })
  readFile(input: ReadFileInput, ctx: ToolContext): string {
    calls.readFile += 1;
    return `contents of ${input.path} for ${ctx.principal?.subject ?? 'nobody'}`;
  }

  @Tool({ description: 'Write a file' })
  @RequiresScope('files:write')
  writeFile(input: WriteFileInput, ctx: ToolContext): { written: string; by: string | null } {
    calls.writeFile += 1;
    return { written: input.path, by: ctx.principal?.subject ?? null };
  }

  @Tool({ description: 'List files' })
  listFiles(): string[] {
    return ['a.txt', 'b.txt'];
  }

  @Tool({ description: 'Delete everything', annotations: { destructiveHint: true } })
  @RequiresScope('admin')
  purge(): string {
    calls.purge += 1;
    return 'purged';
  }

  @Tool({ description: 'Always fails' })
  crash(): string {
    calls.crash += 1;
    throw new Error('database password is hunter2');
  }

  @Tool({ description: 'Write a file in your home' })
  @Requires(ownsPath)
  ownFile(input: ReadFileInput): string {
    calls.ownFile += 1;
    return `yours: ${input.path}`;
  }

  @Resource({ uri: 'files://index', description: 'Every file', mimeType: 'text/plain' })
  index(): string {
    return 'a.txt\nb.txt';
  }

  @Resource({ uri: 'files:///{name}', description: 'One file' })
  file(uri: URL, ctx: ResourceContext): { name: unknown; href: string } {
    return { name: ctx.variables['name'], href: uri.href };
  }

  @Resource({ uri: 'audit://log', description: 'The audit log' })
  @RequiresScope('admin')
  auditLog(): string {
    return 'nothing happened';
  }

  @Prompt({ description: 'Summarize a file', arguments: [{ name: 'path', required: true }] })
  summarize(args: Record<string, string>): string {
    return `Summarize ${args['path']}.`;
  }
}

/** A tool that takes no arguments but wants its context declares an empty DTO. */
export class NoInput {}

@Toolset()
export class PublicTools {
  @Tool({ description: 'Answers pong' })
  @Public()
  ping(_input: NoInput, ctx: ToolContext): string {
    return `pong to ${ctx.principal?.subject ?? 'anonymous'}`;
  }
}

/** A fresh registry with both toolsets registered: the definitions to bind. */
export function fileToolsets(): { registry: PolicyRegistry; toolsets: readonly ToolsetDefinition[] } {
  const registry = new PolicyRegistry({ catalog: scopes });
  const toolsets = registerToolsets(registry, [FileTools, PublicTools]);
  return { registry, toolsets };
}

/** The file toolsets and a Valet for them at `url`, trusting the test issuer's tokens for it. */
export function fileValet(
  url: string,
  issuer: { readonly url: string; readonly jwksUri: string },
): { valet: Valet; toolsets: readonly ToolsetDefinition[] } {
  const { registry, toolsets } = fileToolsets();
  const valet = createValet({
    registry,
    resource: url,
    verifier: new JwtVerifier({ issuer: issuer.url, audience: url, jwksUri: issuer.jwksUri }),
    authorizationServers: [issuer.url],
  });
  return { valet, toolsets };
}

/** The tools a token with only files:read may see, in declaration order. */
export const READ_TOOLS = ['read_file', 'list_files', 'crash', 'own_file', 'ping'];
