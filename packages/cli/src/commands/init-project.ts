import { readFileSync, readdirSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { CliError } from '../internal/cli-error.js';

/** The Valet packages a new project depends on, and whether as a devDependency. */
const VALET_PACKAGES: Readonly<Record<string, 'dependencies' | 'devDependencies'>> = {
  core: 'dependencies',
  decorators: 'dependencies',
  adapters: 'dependencies',
  testing: 'devDependencies',
  cli: 'devDependencies',
};

/**
 * The other packages of a new project, at the ranges the Valet packages are built and tested
 * with (test/init.test.ts checks them against the workspace's package.json files).
 */
export const THIRD_PARTY = {
  dependencies: {
    '@modelcontextprotocol/sdk': '^1.32.2',
    'class-validator': '^0.15.1',
    'reflect-metadata': '^0.2.2',
  },
  devDependencies: {
    '@types/node': '^20.19.0',
    typescript: '^6.0.3',
  },
} as const;

/** The template files, shipped beside the compiled code: src/init/template, copied to dist/init/template. */
export const TEMPLATE_DIR = join(import.meta.dirname, '..', 'init', 'template');

/** The version of this CLI, which is the version of every Valet package it scaffolds. */
export function cliVersion(): string {
  const pkg = JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'package.json'), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}

/**
 * The dependency spec of each Valet package: `^<version>` from the registry, or with `from` a
 * folder of tarballs (`pnpm pack:all`), `file:` the `valet-<name>-*.tgz` in it.
 */
export function valetSpecs(version: string, from: string | undefined, cwd: string): Record<string, string> {
  const specs: Record<string, string> = {};
  const folder = from === undefined ? undefined : resolve(cwd, from);
  const files = folder === undefined ? [] : readFolder(folder, from ?? '');
  for (const name of Object.keys(VALET_PACKAGES)) {
    specs[`@valet/${name}`] =
      folder === undefined
        ? `^${version}`
        : `file:${join(folder, tarballOf(name, version, files, from ?? ''))}`;
  }
  return specs;
}

function readFolder(folder: string, shown: string): string[] {
  try {
    return readdirSync(folder);
  } catch (error) {
    throw new CliError(`--from ${shown}: cannot read the folder (${(error as Error).message}).`, {
      cause: error,
      hint: 'Give the folder "pnpm pack:all" wrote the tarballs to, e.g. --from ../valet/packs.',
    });
  }
}

function tarballOf(name: string, version: string, files: readonly string[], shown: string): string {
  const candidates = files.filter((file) => file.startsWith(`valet-${name}-`) && file.endsWith('.tgz'));
  const exact = `valet-${name}-${version}.tgz`;
  if (candidates.length === 1) return candidates[0] as string;
  if (candidates.includes(exact)) return exact;
  throw new CliError(
    candidates.length === 0
      ? `--from ${shown}: no tarball of @valet/${name} (valet-${name}-<version>.tgz) in the folder.`
      : `--from ${shown}: several tarballs of @valet/${name} (${candidates.join(', ')}) and none is ${exact}.`,
    { hint: 'Run "pnpm pack:all" in the Valet repository; it writes one tarball per package to ./packs.' },
  );
}

/** The new project's package.json. */
export function projectPackageJson(name: string, valet: Readonly<Record<string, string>>): string {
  const pick = (kind: 'dependencies' | 'devDependencies') =>
    Object.fromEntries(
      [
        ...Object.entries(VALET_PACKAGES)
          .filter(([, k]) => k === kind)
          .map(([short]) => [`@valet/${short}`, valet[`@valet/${short}`]]),
        ...Object.entries(THIRD_PARTY[kind]),
      ].sort(([a], [b]) => (a as string).localeCompare(b as string)),
    );
  const modules = 'dist/src/note-tools.js dist/src/scopes.js';
  const pkg = {
    name,
    version: '0.1.0',
    private: true,
    type: 'module',
    engines: { node: '>=20.19' },
    scripts: {
      build: 'tsc',
      start: 'node dist/src/main.js',
      test: 'tsc && node --test dist/test/*.test.js',
      manifest: `tsc && valet manifest ${modules} --check docs/scopes.md`,
      'manifest:write': `tsc && valet manifest ${modules} --out docs/scopes.md`,
    },
    dependencies: pick('dependencies'),
    devDependencies: pick('devDependencies'),
  };
  return `${JSON.stringify(pkg, null, 2)}\n`;
}

/** One file to write: its path in the project (with `/`) and its text. */
export interface ProjectFile {
  readonly path: string;
  readonly text: string;
}

/**
 * The template's files, `{{name}}` replaced: every `<path>.tmpl` under the template folder
 * becomes `<path>` (`gitignore.tmpl` becomes `.gitignore`, a name npm would leave out of the
 * package). The suffix keeps tsc, ESLint, Prettier and Jest of this repository off them.
 */
export function templateFiles(name: string, dir: string = TEMPLATE_DIR): ProjectFile[] {
  const files: ProjectFile[] = [];
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.tmpl')) continue;
    const source = join(entry.parentPath, entry.name);
    const path = relative(dir, source).slice(0, -'.tmpl'.length).split(sep).join('/');
    files.push({
      path: path === 'gitignore' ? '.gitignore' : path,
      text: readFileSync(source, 'utf8').replaceAll('{{name}}', name),
    });
  }
  return files.sort((a, b) => a.path.localeCompare(b.path));
}
