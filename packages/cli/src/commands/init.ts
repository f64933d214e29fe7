import { mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { CliIo } from '../cli-io.js';
import { CliError, EXIT_OK } from '../internal/cli-error.js';
import { shellQuote } from '../internal/shell-quote.js';
import { cliVersion, projectPackageJson, templateFiles, valetSpecs } from './init-project.js';

/** `valet init --help`. */
export const INIT_HELP = `Usage: valet init [dir] [options]

Creates a new MCP server project protected by Valet in <dir> (created if missing; it must be
empty, a .git folder aside), or in the current folder when it is empty: a scope catalog, a
toolset with a read and a write tool, a server serving MCP over HTTP that trusts the issuer in
VALET_ISSUER, a test of it over HTTP (node:test, with a test token issuer), its scope manifest,
and the package.json and tsconfig.json to build them.

Options:
      --name <name>    The package name. Default: from the folder's name.
      --from <folder>  Depend on the Valet tarballs in <folder> ("pnpm pack:all" writes them
                       to ./packs), as file: specs, rather than on the published packages.
      --verbose        Show the stack trace of an error.
  -h, --help           Show this help.

Exit status: 0 created, 2 error (a folder that is not empty, a bad option).

Examples:
  valet init my-server
  valet init my-server --from ../valet/packs
`;

const NPM_NAME = /^(?:@[a-z0-9~-][a-z0-9._~-]*\/)?[a-z0-9~-][a-z0-9._~-]*$/;

/** Runs `valet init` with the arguments after the command name; resolves to the exit status. */
export async function initCommand(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...args],
    allowPositionals: true,
    options: {
      name: { type: 'string' },
      from: { type: 'string' },
      verbose: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help === true) {
    io.stdout.write(INIT_HELP);
    return EXIT_OK;
  }
  if (positionals.length > 1) {
    throw usage(
      `Give one folder to create the project in; got ${positionals.length}: ${positionals.join(' ')}.`,
    );
  }
  const cwd = io.cwd ?? process.cwd();
  const given = positionals[0] ?? '.';
  const target = resolve(cwd, given);
  const name = values.name ?? packageName(basename(target));
  if (!NPM_NAME.test(name) || name.length > 214) {
    throw usage(`--name "${name}" is not a valid npm package name (lowercase letters, digits, - . _ ~).`);
  }
  const specs = valetSpecs(cliVersion(), values.from, cwd);
  ensureEmpty(target, given);

  const files = [
    { path: 'package.json', text: projectPackageJson(name, specs) },
    ...templateFiles(name),
  ].sort((a, b) => a.path.localeCompare(b.path));
  for (const file of files) {
    const path = join(target, file.path);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, file.text, { flag: 'wx' }); // never overwrite
  }

  const shown = target === cwd ? '.' : given;
  const cd = shown === '.' ? [] : [`cd ${shellQuote(shown)}`];
  io.stdout.write(
    [
      `Created ${name} in ${shown}: an MCP server protected by Valet (${files.length} files).`,
      '',
      ...files.map((file) => `  ${file.path}`),
      '',
      'Next steps:',
      ...[
        ...cd,
        'npm install',
        'npm test              # builds, then checks 401, the filtered tools/list, 403 and an allowed call',
        'npm run manifest      # checks docs/scopes.md against the tools (manifest:write rewrites it)',
        'VALET_ISSUER=https://login.example.com npm start   # your IdP; tokens for http://127.0.0.1:3000/mcp',
      ].map((line) => `  ${line}`),
      '',
      'Then add your own tools in src/note-tools.ts and scopes in src/scopes.ts.',
      '',
    ].join('\n'),
  );
  return EXIT_OK;
}

/** A package name from a folder name: `My Server` -> `my-server`. */
function packageName(folder: string): string {
  const name = folder
    .toLowerCase()
    .replace(/[^a-z0-9._~-]+/g, '-')
    .replace(/^[._-]+|-+$/g, '');
  return name === '' ? 'mcp-server' : name;
}

function ensureEmpty(target: string, shown: string): void {
  const stat = statSync(target, { throwIfNoEntry: false });
  if (stat === undefined) return;
  if (!stat.isDirectory()) {
    throw new CliError(`${shown} is a file; valet init creates a project in a new or empty folder.`);
  }
  const entries = readdirSync(target).filter((entry) => entry !== '.git');
  if (entries.length > 0) {
    const listed = entries.slice(0, 3).join(', ') + (entries.length > 3 ? ', ...' : '');
    throw new CliError(
      `${shown === '.' ? 'The current folder' : shown} is not empty (${listed}); valet init writes a new project only into an empty folder, so nothing was written.`,
      { hint: 'Give a new folder, e.g. "valet init my-server".' },
    );
  }
}

function usage(message: string): CliError {
  return new CliError(message, { hint: 'Run "valet init --help" for the options.' });
}
