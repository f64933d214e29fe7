import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, extname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import {
  buildManifest,
  renderManifestHtml,
  renderManifestMarkdown,
  stringifyManifest,
  type Manifest,
} from '@valet/core';
import type { CliIo } from '../cli-io.js';
import { CliError, EXIT_OK, EXIT_STALE } from '../internal/cli-error.js';
import { loadModule, type ModuleExport } from '../internal/load-module.js';
import { manifestSource } from '../internal/manifest-source.js';
import { shellQuote } from '../internal/shell-quote.js';
import { unifiedDiff } from '../internal/unified-diff.js';

/** The output formats of `valet manifest`. */
export type ManifestFormat = 'json' | 'md' | 'html';

const FORMATS: Readonly<Record<ManifestFormat, (manifest: Manifest) => string>> = {
  json: stringifyManifest,
  md: renderManifestMarkdown,
  html: renderManifestHtml,
};

const EXTENSIONS: Readonly<Record<string, ManifestFormat>> = {
  '.json': 'json',
  '.md': 'md',
  '.markdown': 'md',
  '.html': 'html',
  '.htm': 'html',
};

/** `valet manifest --help`. */
export const MANIFEST_HELP = `Usage: valet manifest <module...> [options]

Writes the scope manifest (scopes, operations, the policy of each) of what the modules export,
or checks that a committed manifest is up to date. Each module is a built .js file, relative to
the current directory; their exports are pooled. What is documented:
  - an exported PolicyRegistry, as it is (for Express routes: an app built with
    valetExpress(registry) declares them there, with no verifier or issuer); or else
  - every exported class marked @Toolset(), registered with the exported ScopeCatalog, if any
    (scope descriptions and implications; unknown scopes are refused).

Options:
  -f, --format <json|md|html>  Output format. Default: from the extension of the --out or
                               --check file, else json.
  -o, --out <file>             Write to this file (creating its directory), not to stdout.
      --check <file>           Regenerate and compare with <file> byte for byte: exit 0 when
                               it is up to date, 1 with a diff when it is stale or missing.
  -e, --export <name>          Use this export (repeatable): picks one of several registries
                               or catalogs, or some of the toolsets.
      --title <text>           The manifest's title. Default "Scope manifest".
      --verbose                Show the stack trace of an error.
  -h, --help                   Show this help.

Exit status: 0 done or up to date, 1 stale or missing (--check), 2 error.

Examples:
  valet manifest dist/server.js --out docs/scopes.json
  valet manifest dist/tools.js dist/scopes.js --format md --out docs/SCOPES.md
  valet manifest dist/server.js --check docs/scopes.json
`;

/** Runs `valet manifest` with the arguments after the command name; resolves to the exit status. */
export async function manifestCommand(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals: modules } = parseArgs({
    args: [...args],
    allowPositionals: true,
    options: {
      format: { type: 'string', short: 'f' },
      out: { type: 'string', short: 'o' },
      check: { type: 'string' },
      export: { type: 'string', short: 'e', multiple: true },
      title: { type: 'string' },
      verbose: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help === true) {
    io.stdout.write(MANIFEST_HELP);
    return EXIT_OK;
  }
  if (modules.length === 0) {
    throw usage('Give the module to document, e.g. "valet manifest dist/server.js".');
  }
  if (values.out !== undefined && values.check !== undefined) {
    throw usage('--out and --check exclude each other: write the file, or check it.');
  }
  const format = formatOf(values.format, values.out ?? values.check);
  const cwd = io.cwd ?? process.cwd();
  const exports: ModuleExport[] = [];
  for (const module of modules) exports.push(...(await loadModule(module, cwd)));
  const source = manifestSource(modules, exports, values.export ?? []);
  const manifest = buildManifest(source.registry, values.title === undefined ? {} : { title: values.title });
  const text = FORMATS[format](manifest);
  const summary = `${count(manifest.scopes.length, 'scope')} and ${count(manifest.operations.length, 'operation')} from ${source.description}`;

  if (values.check !== undefined) {
    const command = ['valet', 'manifest', ...modules];
    for (const name of values.export ?? []) command.push('--export', name);
    if (values.title !== undefined) command.push('--title', values.title);
    if (values.format !== undefined) command.push('--format', values.format);
    command.push('--out', values.check);
    return check(values.check, text, { cwd, io, summary, regenerate: command.map(shellQuote).join(' ') });
  }
  if (values.out !== undefined) {
    const path = resolve(cwd, values.out);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
    io.stdout.write(`Wrote ${values.out} (${format}): ${summary}.\n`);
    return EXIT_OK;
  }
  io.stdout.write(text);
  return EXIT_OK;
}

interface CheckContext {
  readonly cwd: string;
  readonly io: CliIo;
  readonly summary: string;
  readonly regenerate: string;
}

function check(file: string, generated: string, { cwd, io, summary, regenerate }: CheckContext): number {
  const fix = `Regenerate it with:\n  ${regenerate}\n`;
  let committed: Buffer;
  try {
    committed = readFileSync(resolve(cwd, file));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    io.stderr.write(`${file} does not exist. ${fix.replace('Regenerate', 'Generate')}`);
    return EXIT_STALE;
  }
  if (committed.equals(Buffer.from(generated))) {
    io.stdout.write(`${file} is up to date: ${summary}.\n`);
    return EXIT_OK;
  }
  const text = committed.toString('utf8');
  const note =
    text.replace(/\r\n/g, '\n') === generated
      ? 'It differs only in line endings (CRLF): check in the file with LF endings (see .gitattributes).\n'
      : unifiedDiff(text, generated, { from: `${file} (committed)`, to: `${file} (generated)` });
  io.stderr.write(`${file} is stale: it differs from the manifest generated now.\n\n${note}\n${fix}`);
  return EXIT_STALE;
}

function formatOf(explicit: string | undefined, file: string | undefined): ManifestFormat {
  if (explicit !== undefined) {
    if (Object.hasOwn(FORMATS, explicit)) return explicit as ManifestFormat;
    throw usage(`--format must be one of ${Object.keys(FORMATS).join(', ')}; got "${explicit}".`);
  }
  return (file === undefined ? undefined : EXTENSIONS[extname(file).toLowerCase()]) ?? 'json';
}

function usage(message: string): CliError {
  return new CliError(message, { hint: 'Run "valet manifest --help" for the options.' });
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
